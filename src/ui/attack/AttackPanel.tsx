import { useCallback, useState } from 'react';
import type { AttackPoint, AttackSweepOutcome, AttackTargetInfo } from '../../protocol/api';
import { keyMethod } from '../watermark/methods/registry';
import { AttackCharts, evidenceColumnTitle, formatEvidence, type AttackSeries } from './AttackCharts';
import { AttackPicker, AttackSampleFields, sampleSettingsValid, useAttackChoice } from './AttackPicker';
import { toCsv } from '../common/analysisData';
import { downloadText } from '../common/exportFiles';
import { formatDuration, formatPercent } from '../common/format';
import { ExplainCard } from '../lecture/explain/ExplainCard';
import { Term } from '../lecture/explain/Term';
import type { EngineHandle } from '../useEngine';
import { SERIES_COLORS } from '../common/useKeyedModel';
import { useStreamedJob } from '../common/useStreamedJob';
import { useWorkerQuery } from '../common/useWorkerQuery';
import '../common/analysis.css';

interface AttackPanelProps {
  readonly engine: EngineHandle;
  /** Changes when a training run ends (the worker may then hold a new keyed model). */
  readonly modelStamp: unknown;
  /** A training run is going: no sweeps meanwhile. */
  readonly locked: boolean;
}

const COLUMNS = ['series', 'attack', 'method', 'strength', 'accuracy', 'accuracyDrop', 'ber', 'erasureRate', 'triggerAccuracy', 'pValue', 'log10PValue', 'detected', 'ms'];

/** How a method is named in series names and notices. */

function rowsOf(series: readonly AttackSeries[]) {
  return series.flatMap((s) =>
    s.points.map((p) => ({
      series: s.name, attack: p.attack, method: p.method, strength: p.strength, accuracy: p.accuracy,
      accuracyDrop: s.baseAccuracy === null ? null : s.baseAccuracy - p.accuracy,
      ber: p.ber, erasureRate: p.erasureRate, triggerAccuracy: p.triggerAccuracy, pValue: p.pValue, log10PValue: p.log10PValue, detected: p.detected, ms: Math.round(p.ms),
    })),
  );
}

/**
 * The worker's current trained model with a key of any method (null until a run with a key has
 * finished). Asked again whenever `stamp` changes.
 */
function useAttackTarget(engine: EngineHandle, stamp: unknown): AttackTargetInfo | null {
  const target = useWorkerQuery(useCallback(() => engine.attackTarget(), [engine]), { refresh: stamp });
  return target.error ? null : (target.data ?? null);
}

const NO_POINTS: readonly AttackPoint[] = [];
const appendPoint = (points: readonly AttackPoint[], p: AttackPoint): readonly AttackPoint[] => [...points, p];

/**
 * The Attack panel: one attack's strength sweep on the trained watermarked model (WaterMAS,
 * Uchida or FCW), streamed point by point into evidence (BER, or FCW trigger accuracy) and
 * accuracy charts; each finished sweep is kept as a named series so runs (e.g. R = 0 and R = 4)
 * overlay on the trade-off chart; table, CSV / JSON export.
 */
export function AttackPanel({ engine, modelStamp, locked }: AttackPanelProps) {
  const target = useAttackTarget(engine, modelStamp);
  const [testLimit, setTestLimit] = useState(500);
  const [seed, setSeed] = useState(0);
  const [name, setName] = useState('');
  const sweep = useStreamedJob<AttackPoint, AttackSweepOutcome, readonly AttackPoint[]>({ initial: NO_POINTS, fold: appendPoint, cancel: () => engine.cancelAttack() });
  const { running, view: live, outcome: last, error, start: startSweep, cancel } = sweep;
  const [kept, setKept] = useState<AttackSeries[]>([]);
  const choice = useAttackChoice(engine, sweep.setError);
  const { attackId, info, strengths } = choice;

  const targetMethod = target ? keyMethod(target.method) : null;
  const autoName = `${attackId}${target && targetMethod ? `, ${targetMethod.seriesTag(target)}` : ''}`;
  const disabledReason = locked
    ? 'Wait for the training run to finish.'
    : !target
      ? 'Train a model with a watermark key first (Training panel, watermark on: WaterMAS, Uchida or FCW): attacks need a marked model and its key.'
      : null;
  // Key interception flips the marked weights: it needs the key positions only a WaterMAS key has.
  const unsupported =
    targetMethod && attackId === 'intercept' && !targetMethod.keyPositions
      ? `Key interception needs the key positions of a WaterMAS key; this model has ${targetMethod.article} ${targetMethod.name} key.`
      : null;

  const start = useCallback(() => {
    if (!strengths || !info) return;
    const seriesName = (name.trim() || autoName) + (kept.some((k) => k.name === (name.trim() || autoName)) ? ` #${kept.length + 1}` : '');
    startSweep(
      (onPoint) => engine.runAttackSweep({ attack: info.id, strengths, testLimit, seed }, onPoint),
      NO_POINTS,
      (o) => {
        if (o.points.length === 0) return;
        setKept((k) => [
          ...k,
          {
            name: o.cancelled ? `${seriesName} (cancelled)` : seriesName, attack: o.attack, method: o.method, strengthName: info.strengthName, decreasing: info.decreasing,
            baseAccuracy: o.baseAccuracy, points: o.points, color: SERIES_COLORS[k.length % SERIES_COLORS.length],
          },
        ]);
      },
    );
  }, [engine, info, strengths, testLimit, seed, name, autoName, kept, startSweep]);

  const liveSeries: AttackSeries | null =
    running && info && target
      ? { name: `${name.trim() || autoName} (running)`, attack: info.id, method: target.method, strengthName: info.strengthName, decreasing: info.decreasing, baseAccuracy: null, points: live, color: '#333', live: true }
      : null;
  const perAttack = [...kept.filter((s) => s.attack === attackId), ...(liveSeries ? [liveSeries] : [])];
  const tableRows = rowsOf(liveSeries ? [...kept, liveSeries] : kept);
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');

  return (
    <section className="panel panel-wide" aria-labelledby="attack-title" data-testid="attack-panel">
      <div className="panel-head">
        <h2 id="attack-title">Attack</h2>
        <p className="panel-sub">
          Attack the marked model at growing strengths; watch the <Term id="ber">BER</Term> (WaterMAS, Uchida) or the trigger accuracy (FCW) and the
          accuracy; compare runs on the trade-off chart.
        </p>
      </div>
      <ExplainCard topic="attack" />
      {disabledReason && (
        <p className="notice" data-testid="attack-disabled">
          {disabledReason}
        </p>
      )}
      {unsupported && (
        <p className="notice" data-testid="attack-unsupported">
          {unsupported}
        </p>
      )}
      <form className="train-form" onSubmit={(e) => e.preventDefault()} aria-label="Attack settings">
        <AttackPicker choice={choice} ids={{ attack: 'attack-kind', strengths: 'attack-strengths' }} disabled={running} />
        <AttackSampleFields idPrefix="attack" testLimit={testLimit} seed={seed} setTestLimit={setTestLimit} setSeed={setSeed} disabled={running} />
        <div className="field">
          <label htmlFor="attack-name">Series name</label>
          <input id="attack-name" type="text" placeholder={autoName} value={name} disabled={running} onChange={(e) => setName(e.target.value)} />
        </div>
      </form>
      <div className="controls" role="group" aria-label="Attack controls">
        <button
          type="button"
          className="primary"
          disabled={running || disabledReason !== null || unsupported !== null || !strengths || !info || !sampleSettingsValid(testLimit, seed)}
          onClick={start}
        >
          Run sweep
        </button>
        <button type="button" disabled={!running} onClick={cancel}>
          Cancel sweep
        </button>
        <button type="button" disabled={kept.length === 0 || running} onClick={() => setKept([])}>
          Clear runs
        </button>
        <span className="muted small" data-testid="attack-status" data-state={running ? 'running' : last ? (last.cancelled ? 'cancelled' : 'done') : 'idle'}>
          {running
            ? `${live.length} / ${strengths?.length ?? 0} strengths measured…`
            : last
              ? `${last.cancelled ? 'Cancelled' : 'Done'}: ${last.points.length} points in ${formatDuration(last.seconds)} on ${last.testImages} test images (unattacked ${formatPercent(last.baseAccuracy)}), ${last.backend}`
              : ''}
        </span>
      </div>
      {error && (
        <p className="error" role="alert" data-testid="attack-error">
          Attack failed: {error}
        </p>
      )}
      <AttackCharts perAttack={perAttack} all={kept} />
      {tableRows.length > 0 && (
        <>
          <div className="controls">
            <button type="button" onClick={() => downloadText(toCsv(tableRows, COLUMNS), `attacks-${stamp}.csv`, 'text/csv')}>
              Export CSV
            </button>
            <button
              type="button"
              onClick={() =>
                downloadText(JSON.stringify({ series: kept.map(({ color: _c, live: _l, ...s }) => s) }, null, 2), `attacks-${stamp}.json`, 'application/json')
              }
            >
              Export JSON
            </button>
          </div>
          <div className="table-wrap">
            <table className="results-table" data-testid="attack-table">
              <thead>
                <tr>
                  <th>series</th>
                  <th>strength</th>
                  <th>accuracy</th>
                  <th>drop</th>
                  <th>{evidenceColumnTitle(tableRows.map((r) => r.method))}</th>
                  <th>p-value</th>
                  <th>detected</th>
                </tr>
              </thead>
              <tbody>
                {tableRows.map((r) => (
                  <tr key={`${r.series}/${r.strength}/${r.ms}`}>
                    <td>{r.series}</td>
                    <td>{r.strength}</td>
                    <td>{formatPercent(r.accuracy)}</td>
                    <td>{r.accuracyDrop === null ? '–' : `${(r.accuracyDrop * 100).toFixed(1)}`}</td>
                    <td>{formatEvidence(r)}</td>
                    <td>{r.pValue === 0 ? `1e${r.log10PValue.toFixed(0)}` : r.pValue.toExponential(1)}</td>
                    <td>{r.detected ? 'yes' : 'no'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
