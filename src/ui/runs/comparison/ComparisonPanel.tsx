import { useMemo, useState } from 'react';
import type { ComparisonOutcome, ComparisonPoint, ComparisonRunResult, RunListItem } from '../../../protocol/api';
import { DETECT_SCORE, EVIDENCE_SCORE_CAP } from '../../../protocol/runs';
import { toCsv } from '../../common/analysisData';
import { AttackPicker, AttackSampleFields, sampleSettingsValid, useAttackChoice } from '../../attack/AttackPicker';
import { downloadText } from '../../common/exportFiles';
import { formatDuration } from '../../common/format';
import type { EngineHandle } from '../../useEngine';
import { SERIES_COLORS } from '../../common/useKeyedModel';
import { useStreamedJob } from '../../common/useStreamedJob';
import { ComparisonChart } from './ComparisonChart';
import { COMPARISON_COLUMNS, comparisonRows, groupLive } from './comparisonData';
import { ComparisonTable } from './ComparisonTable';
import '../../common/analysis.css';
import './comparison.css';

interface ComparisonPanelProps {
  readonly engine: EngineHandle;
  /** The ticked runs, in the drawer's order. */
  readonly runs: readonly RunListItem[];
  /** Each run's colour (runColors), the same as its swatch in the Runs table. */
  readonly colors: ReadonlyMap<string, string>;
  /** A training run is going: no comparison meanwhile. */
  readonly locked: boolean;
}

/** A comparison's streamed state: the runs it measures and the points so far. */
interface LiveComparison {
  readonly runs: readonly RunListItem[];
  readonly points: readonly ComparisonPoint[];
}

const NO_COMPARISON: LiveComparison = { runs: [], points: [] };
const addPoint = (c: LiveComparison, p: ComparisonPoint): LiveComparison => ({ ...c, points: [...c.points, p] });

/**
 * The comparison view (issue 8): the same attack sweep on each ticked run (any methods), one
 * table (clean accuracy, time per epoch, accuracy and evidence per strength) and one chart of
 * accuracy drop against the evidence on a common -log10 p scale; CSV / JSON export.
 */
export function ComparisonPanel({ engine, runs, colors, locked }: ComparisonPanelProps) {
  const [testLimit, setTestLimit] = useState(200);
  const [seed, setSeed] = useState(0);
  const job = useStreamedJob<ComparisonPoint, ComparisonOutcome, LiveComparison>({ initial: NO_COMPARISON, fold: addPoint, cancel: () => engine.cancelComparison() });
  const { running, outcome, error } = job;
  const { runs: liveRuns, points: live } = job.view;
  const choice = useAttackChoice(engine, job.setError);
  const { attackId, strengths } = choice;

  const start = () => {
    if (!strengths || running) return;
    job.start((onPoint) => engine.runComparison({ runIds: runs.map((r) => r.id), attack: attackId, strengths, testLimit, seed }, onPoint), { runs, points: [] });
  };

  // While running: the ticked runs with the points streamed so far.
  const shown: readonly ComparisonRunResult[] = useMemo(() => {
    if (outcome) return outcome.runs;
    const byRun = groupLive(live);
    return liveRuns.map((r) => {
      const pts = byRun.get(r.id) ?? [];
      return {
        runId: r.id, name: r.name, method: r.method, secondsPerEpoch: r.outcome.secondsPerEpoch, points: pts,
        cleanAccuracy: pts.length > 0 ? pts[0].accuracy + pts[0].accuracyDrop : null,
      };
    });
  }, [outcome, live, liveRuns]);
  const shownStrengths = outcome?.strengths ?? strengths ?? [];
  const series = shown.map((r, i) => ({ name: r.name, color: colors.get(r.runId) ?? SERIES_COLORS[i % SERIES_COLORS.length], points: r.points }));
  const last = live[live.length - 1];
  const rows = outcome ? comparisonRows(outcome.attack, outcome.runs) : [];
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  const disabledReason = locked ? 'A training run is going: compare when it has finished.' : runs.length === 0 ? 'Tick one or more runs above to compare them.' : null;

  return (
    <section className="compare" aria-labelledby="compare-title" data-testid="comparison-panel">
      <h3 id="compare-title">Compare runs under the same attack</h3>
      <p className="panel-sub">
        Each ticked run is attacked at the same strengths on the same test images. Evidence of every method on one scale: −log10 p
        (capped at {EVIDENCE_SCORE_CAP}); a mark counts as detected above {DETECT_SCORE} (p &lt; 1e-6). BER-based marks (WaterMAS, Uchida) and
        trigger-based ones (FCW) share the chart.
      </p>
      {disabledReason && !running && <p className="notice" data-testid="compare-disabled">{disabledReason}</p>}
      <form className="train-form" onSubmit={(e) => e.preventDefault()} aria-label="Comparison settings">
        <AttackPicker choice={choice} ids={{ attack: 'compare-attack', strengths: 'compare-strengths' }} disabled={running} />
        <AttackSampleFields idPrefix="compare" testLimit={testLimit} seed={seed} setTestLimit={setTestLimit} setSeed={setSeed} disabled={running} />
      </form>
      <div className="controls" role="group" aria-label="Comparison controls">
        <button
          type="button"
          className="primary"
          disabled={running || disabledReason !== null || !strengths || !sampleSettingsValid(testLimit, seed)}
          onClick={start}
        >
          Compare {runs.length > 0 ? `${runs.length} run${runs.length > 1 ? 's' : ''}` : ''}
        </button>
        <button type="button" disabled={!running} onClick={job.cancel}>
          Cancel
        </button>
        <span className="muted small" data-testid="compare-status" data-state={running ? 'running' : outcome ? (outcome.cancelled ? 'cancelled' : 'done') : 'idle'}>
          {running
            ? `${last ? `${last.done} / ${last.total}` : '0'} points measured…`
            : outcome
              ? `${outcome.cancelled ? 'Cancelled' : 'Done'}: ${outcome.runs.length} runs in ${formatDuration(outcome.seconds)} on ${outcome.testImages} test images, ${outcome.backend}`
              : ''}
        </span>
      </div>
      {running && last && <progress className="compare-progress" max={last.total} value={last.done} aria-label="Comparison progress" />}
      {error && (
        <p className="error" role="alert" data-testid="compare-error">
          Comparison failed: {error}
        </p>
      )}
      {shown.length > 0 && (
        <>
          <ComparisonTable strengths={shownStrengths} runs={shown} testImages={!running && outcome ? outcome.testImages : Number.isInteger(testLimit) ? testLimit : null} />
          <ComparisonChart series={series} />
        </>
      )}
      {outcome && rows.length > 0 && (
        <div className="controls">
          <button type="button" onClick={() => downloadText(toCsv(rows, COMPARISON_COLUMNS), `comparison-${stamp}.csv`, 'text/csv')}>
            Export CSV
          </button>
          <button type="button" onClick={() => downloadText(JSON.stringify(outcome, null, 2), `comparison-${stamp}.json`, 'application/json')}>
            Export JSON
          </button>
        </div>
      )}
    </section>
  );
}
