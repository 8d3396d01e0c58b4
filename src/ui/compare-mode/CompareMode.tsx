/**
 * Compare mode (lecture): two runs side by side, R = 0 vs R = 4 by default, that differ only in
 * R, σ, λ (same seed, data order, initialisation and key), trained in turn in the worker, then
 * the 1-D landscape and a noise sweep for each, on synchronised charts (same scales, A blue and
 * solid, B orange and dashed). Opened by its toggle button or the 'c' shortcut (the page holds
 * the open state: `openByUser`, `onToggle`).
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { CompareLane, CompareRequest, CompareStart, TrainSettings } from '../../protocol/api';
import type { EngineHandle } from '../useEngine';
import { formatDuration, formatPercent, formatSci } from '../common/format';
import { useWorkerQuery } from '../common/useWorkerQuery';
import { CompareAttackCharts, CompareLandscapeCharts, CompareTrainingCharts, LANE_COLORS, type LaneLabels } from './CompareModeCharts';
import {
  CompareAnalysisControls, CompareLaneControls, DEFAULT_ANALYSIS, DEFAULT_VARIANTS, analysisProblem, parseStrengths, variantsFollowing,
  type CompareAnalysisForm, type LaneVariant,
} from './CompareModeControls';
import { useCompareRun, type LaneView } from './CompareModeRun';
import { DemoPairCard, demoObjective } from './DemoPairCard';
import { baseMark, panelWatermasForm } from './compareMark';
import './compareMode.css';

const LANES: readonly CompareLane[] = ['A', 'B'];

interface CompareModeProps {
  readonly engine: EngineHandle;
  /** The Training panel's settings: shared by both runs (model, data, optimiser, seed). */
  readonly settings: TrainSettings;
  /** Backend and data are ready. */
  readonly ready: boolean;
  /** A normal training run is going (the worker runs one thing at a time). */
  readonly locked: boolean;
  /** Opened by the user (its toggle button or the `c` shortcut). */
  readonly openByUser: boolean;
  /** Opens or closes it (its toggle buttons). */
  readonly onToggle: () => void;
  /**
   * The sharpness preset's stage is on: always open, one screen: the runs' R, σ, λ and buttons,
   * their status, and the six charts in three columns (training, landscape, attack); the
   * analysis settings keep their defaults.
   */
  readonly onStage?: boolean;
  /**
   * Where the runs start (the active preset's choice): fresh models ('scratch'), the trained
   * unmarked demo model fine-tuned by both ('demo-unmarked'), or the shipped trained pair
   * measured as it is ('demo-pair', started by itself once the page has CIFAR-10).
   */
  readonly start?: CompareStart;
  /** The loaded data set ('cifar10' or 'synthetic'); the demo models need CIFAR-10. */
  readonly datasetName?: string;
}

/** The worker request of the form. */
export function compareRequestOf(settings: TrainSettings, variants: Readonly<Record<CompareLane, LaneVariant>>, form: CompareAnalysisForm, start: CompareStart = 'scratch'): CompareRequest {
  return {
    start,
    base: { ...settings, watermark: baseMark(settings, form.bits) },
    variants: [{ ...variants.A }, { ...variants.B }],
    landscape: { grid: form.grid, evalSize: form.evalSize, radius: form.radius, seed: 0 },
    attack: { attack: 'noise', strengths: parseStrengths(form.strengths) ?? [], testLimit: form.attackImages, seed: 0 },
  };
}

const PHASE_TEXT: Record<LaneView['phase'], string> = {
  waiting: 'waiting', training: 'training', landscape: 'landscape', attack: 'attack sweep', done: 'done', cancelled: 'cancelled',
};

/** One run's status line: phase, step, BER, final test accuracy, sharpness numbers (details: off the stage). */
function LaneStatus({ lane, view, label, accuracy }: { readonly lane: CompareLane; readonly view: LaneView; readonly label: string; readonly accuracy: number | null }) {
  const p = view.progress;
  const sharp = view.landscape?.sharpness;
  return (
    <div className="compare-mode-status" data-testid={`compare-mode-status-${lane.toLowerCase()}`} data-phase={view.phase} data-step={p?.step ?? 0}>
      <span className="compare-mode-swatch" style={{ background: LANE_COLORS[lane] }} aria-hidden="true" />
      <strong>{label}</strong>
      <span>{PHASE_TEXT[view.phase]}</span>
      {!p && view.loaded && (
        <span className="muted">
          shipped model · BER {view.loaded.ber?.toFixed(3) ?? '–'} · test accuracy {formatPercent(view.loaded.testAccuracy)} (CLI)
        </span>
      )}
      {p && (
        <span className="muted">
          step {p.step} / {p.totalSteps}
          {view.ber !== null && <> · BER {view.ber.toFixed(3)}</>}
          {accuracy !== null && <> · test accuracy {formatPercent(accuracy)}</>}
        </span>
      )}
      {view.landscape?.keyVsControl && (
        <span className="muted compare-mode-status-detail">
          · key rise {sci(view.landscape.keyVsControl.keyRise)} vs matched controls {sci(view.landscape.keyVsControl.controlRise)}
        </span>
      )}
      {sharp && Number.isFinite(sharp.ratio) && <span className="muted compare-mode-status-detail">· key/complement {sci(sharp.ratio)}</span>}
    </div>
  );
}

const sci = formatSci;

/**
 * The paired comparison (docs/experiments/sharpness.md): B's key rise over A's at the same relative
 * radius, next to the same ratio for the matched controls; only meaningful when A and B share the
 * key, init and data (compare mode's default: A is the R = 0 twin).
 */
function PairedLine({ lanes, labels }: { readonly lanes: readonly { readonly lane: CompareLane; readonly landscape: { readonly keyVsControl: { readonly keyRise: number; readonly controlRise: number; readonly flipKeyDrop: number; readonly flipKeyDrops: readonly number[]; readonly relativeRadius: number } | null } | null }[]; readonly labels: Record<CompareLane, string> }) {
  const a = lanes.find((l) => l.lane === 'A')?.landscape?.keyVsControl;
  const b = lanes.find((l) => l.lane === 'B')?.landscape?.keyVsControl;
  if (!a || !b) return null;
  const gain = a.keyRise > 0 ? b.keyRise / a.keyRise : NaN;
  const controlGain = a.controlRise > 0 ? b.controlRise / a.controlRise : NaN;
  return (
    <p data-testid="compare-mode-paired" data-key-gain={gain}>
      <strong>Paired</strong>: perturbing the marked weights by {a.relativeRadius}·|w| raises the loss {sci(gain)}× as much in {labels.B} as in {labels.A}{' '}
      (matched control weights: {sci(controlGain)}×); flipping half of the marks costs {(100 * b.flipKeyDrop).toFixed(1)} points in {labels.B}
      {b.flipKeyDrops.length > 1 && <> (mean of {b.flipKeyDrops.length} random halves: {b.flipKeyDrops.map((v) => (100 * v).toFixed(1)).join(', ')})</>},{' '}
      {(100 * a.flipKeyDrop).toFixed(1)} in {labels.A}.
    </p>
  );
}

/** Compare mode: the toggle bar and, when open, the two columns, one set of run controls and the charts. */
export function CompareMode({ engine, settings, ready, locked, openByUser, onToggle: toggle, onStage = false, start = 'scratch', datasetName }: CompareModeProps) {
  const demo = start !== 'scratch';
  const open = openByUser || onStage || demo;
  // The demo models are CIFAR-10 models: measured or fine-tuned only on CIFAR-10.
  const demoData = !demo || datasetName === 'cifar10';
  // σ and λ start from the Watermark panel's objective and follow it when its mode changes (σ's unit depends on the mode)
  const mark = baseMark(settings, 0);
  const [variants, setVariants] = useState(() => variantsFollowing(DEFAULT_VARIANTS, mark));
  const mode = mark.mode;
  const [followed, setFollowed] = useState(mode);
  if (followed !== mode) {
    setFollowed(mode);
    setVariants((vs) => variantsFollowing(vs, mark));
  }
  const [form, setForm] = useState<CompareAnalysisForm>(DEFAULT_ANALYSIS);
  const run = useCompareRun(engine);
  const sectionRef = useRef<HTMLElement>(null);
  const active = run.state === 'running' || run.state === 'paused';

  useEffect(() => {
    if (open) sectionRef.current?.scrollIntoView?.({ block: 'start', behavior: 'smooth' });
  }, [open]);
  // The noise attack's strength name for the trade-off chart (asked once open).
  const catalog = useWorkerQuery(useCallback(() => engine.attackCatalog(), [engine]), { enabled: open });
  const noise = catalog.data?.find((a) => a.id === 'noise');
  const strengthName = noise ? `${noise.strengthName} (${noise.strengthUnit})` : 'Ω (× std(W))';

  const labels: LaneLabels = useMemo(() => {
    if (start === 'demo-pair') return { A: 'A · trained twin (R = 0)', B: 'B · trained WaterMAS' };
    const v = run.request?.variants;
    const r = (lane: CompareLane, i: number) => v?.[i]?.replicas ?? variants[lane].replicas;
    return { A: `A · R = ${r('A', 0)}`, B: `B · R = ${r('B', 1)}` };
  }, [run.request, variants, start]);

  // The trained pair measures itself once the page can (CIFAR-10 loaded, the worker free).
  const autoStarted = useRef(false);
  const runStart = run.start;
  useEffect(() => {
    if (start !== 'demo-pair' || autoStarted.current || !ready || locked || !demoData || run.state !== 'idle') return;
    autoStarted.current = true;
    runStart(compareRequestOf(settings, variants, form, start));
  }, [start, ready, locked, demoData, run.state, runStart, settings, variants, form]);
  const alphas = useMemo(() => {
    const n = run.request?.landscape?.grid ?? form.grid;
    const radius = run.request?.landscape?.radius ?? form.radius;
    const mid = (n - 1) / 2;
    return Array.from({ length: Math.max(0, n) }, (_, i) => (i === mid ? 0 : (radius * (i - mid)) / mid));
  }, [run.request, form.grid, form.radius]);

  const problem = analysisProblem(form);
  const accuracyOf = (lane: CompareLane): number | null => {
    const train = run.outcome?.lanes.find((l) => l.lane === lane)?.train;
    return train && !train.cancelled ? train.testAccuracy : null;
  };
  const title =
    start === 'demo-pair'
      ? 'The trained pair: R = 0 twin vs WaterMAS'
      : start === 'demo-unmarked'
        ? `Embed live: the trained model fine-tuned with R = ${variants.A.replicas} and R = ${variants.B.replicas}`
        : `Compare R = ${variants.A.replicas} vs R = ${variants.B.replicas}`;
  const startLabel = start === 'demo-pair' ? 'Measure the pair here' : start === 'demo-unmarked' ? 'Fine-tune both' : 'Start compare';

  if (!open) {
    return (
      <div className="compare-mode-bar">
        <button type="button" className="compare-mode-toggle" aria-pressed={false} onClick={toggle} title="Two runs side by side on the same charts (shortcut: c)">
          {title}
        </button>
        {active && <span className="muted small">a comparison is running ({run.state})</span>}
      </div>
    );
  }

  const charts = [
    {
      title: 'Training',
      short: 'Training',
      node:
        start === 'demo-pair' ? (
          <p className="muted compare-mode-chart-empty">Trained offline by the CLI (scripts/demo-models.mjs; the commands are in public/models/demo/index.json): nothing trains here.</p>
        ) : (
          <CompareTrainingCharts lanes={run.lanes} labels={labels} />
        ),
    },
    { title: '1-D landscape (same directions seed and images for A and B)', short: '1-D landscape (same directions and images)', node: <CompareLandscapeCharts lanes={run.lanes} labels={labels} alphas={alphas} /> },
    { title: 'Attack: Gaussian noise (same seed and images)', short: 'Attack: Gaussian noise', node: <CompareAttackCharts lanes={run.lanes} labels={labels} strengthName={strengthName} /> },
  ];

  return (
    <section
      className={`panel compare-mode${onStage ? ' compare-mode-stage' : ''}`}
      aria-labelledby="compare-mode-title"
      ref={sectionRef}
      data-testid="compare-mode"
      data-state={run.state}
    >
      <div className="panel-head compare-mode-head">
        <div>
          <h2 id="compare-mode-title">{title}</h2>
          {!onStage && (
            <p className="panel-sub">
              Two runs with the Training panel&apos;s settings (same seed, data order, initialisation and key) that differ only in R, σ and λ, trained
              step by step in turn; then the 1-D landscape and a noise sweep for each, on the same scales.
            </p>
          )}
        </div>
        {!onStage && (
          <button type="button" className="compare-mode-toggle" aria-pressed={true} onClick={toggle}>
            Close compare mode
          </button>
        )}
      </div>
      {start === 'demo-pair' && <DemoPairCard engine={engine} ready={ready} />}
      {demo && !demoData && (
        <p className="muted small" data-testid="compare-mode-demo-data">
          The demo models are CIFAR-10 models and this page has the {datasetName ?? 'no'} data set loaded
          {start === 'demo-pair' ? <>: the numbers above are the CLI&apos;s</> : null}. Load CIFAR-10 in the Dataset panel (or start the lab with CIFAR10_DIR
          set) to {start === 'demo-pair' ? 'measure the pair here' : 'fine-tune the trained model here'}.
        </p>
      )}
      {start === 'demo-pair' ? (
        <p className="muted small" data-testid="compare-mode-base">
          Nothing is trained here: the 1-D landscape and the noise sweep of the two shipped models, on the first test images, with the same directions seed for both.
        </p>
      ) : (
      <p className="muted small" data-testid="compare-mode-base">
        {start === 'demo-unmarked' && <>Both start from the trained unmarked model. </>}
        Shared: {settings.arch} · {settings.epochs} epoch{settings.epochs === 1 ? '' : 's'} · batch {settings.batchSize} ·{' '}
        {settings.trainLimit > 0 ? settings.trainLimit.toLocaleString('en-US') : 'all'} training images · seed {settings.seed} · mark{' '}
        {panelWatermasForm(settings) ? 'strength and key from the Watermark panel' : 'engine defaults'}, {form.bits} random bits.
      </p>
      )}
      {start !== 'demo-pair' && (
        <div className="compare-mode-columns">
          {LANES.map((lane) => (
            <CompareLaneControls key={lane} lane={lane} mode={mode} balance={mark.balance} variant={variants[lane]} disabled={active} onVariant={(v) => setVariants((vs) => ({ ...vs, [lane]: v }))} />
          ))}
        </div>
      )}
      {!onStage && <CompareAnalysisControls form={form} disabled={active} onForm={setForm} />}
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      <div className="compare-mode-run-row">
        <div className="controls" role="group" aria-label="Compare run controls">
          <button
            type="button"
            className="primary"
            disabled={!ready || locked || active || problem !== null || !demoData}
            onClick={() => run.start(compareRequestOf(settings, variants, form, start))}
          >
            {startLabel}
          </button>
          {run.state === 'paused' ? (
            <button type="button" onClick={run.resume}>
              Resume both
            </button>
          ) : (
            <button type="button" disabled={run.state !== 'running'} onClick={run.pause}>
              Pause both
            </button>
          )}
          <button type="button" disabled={!active} onClick={run.cancel}>
            Cancel both
          </button>
        </div>
        <div className="compare-mode-statuses">
          {LANES.map((lane) => (
            <LaneStatus key={lane} lane={lane} view={run.lanes[lane]} label={labels[lane]} accuracy={accuracyOf(lane)} />
          ))}
        </div>
      </div>
      {locked && !active && <p className="muted small">A training run is going: compare mode starts when it is done.</p>}
      {run.error && (
        <p className="error" role="alert" data-testid="compare-mode-error">
          Compare failed: {run.error}
        </p>
      )}
      {run.outcome && (
        <div className="compare-mode-results" data-testid="compare-mode-result">
          <PairedLine lanes={run.outcome.lanes} labels={labels} />
          {run.outcome.lanes.map((l) => (
            <p key={l.lane} className="compare-mode-lane-result" style={{ borderColor: LANE_COLORS[l.lane] }}>
              <strong>{labels[l.lane]}</strong>:{' '}
              {l.error
                ? `stopped: ${l.error}`
                : l.train
                  ? `${l.train.cancelled ? 'cancelled after' : 'test accuracy ' + formatPercent(l.train.testAccuracy) + ' after'} ${l.train.steps} steps (${formatDuration(l.train.seconds)}) · BER ${l.train.watermark?.ber.toFixed(3) ?? '–'}`
                  : l.loaded
                    ? `shipped model, ${demoObjective(l.loaded)} · test accuracy ${formatPercent(l.loaded.testAccuracy)} (CLI, ${l.loaded.testImages.toLocaleString('en-US')} images) · BER ${l.loaded.ber?.toFixed(3) ?? '–'}`
                    : 'no result'}
            </p>
          ))}
        </div>
      )}
      <div className="compare-mode-chart-groups">
        {charts.map((c) => (
          <div key={c.title} className="compare-mode-chart-group">
            <h3 className="compare-mode-subtitle" title={c.title}>
              {onStage ? c.short : c.title}
            </h3>
            {c.node}
          </div>
        ))}
      </div>
    </section>
  );
}
