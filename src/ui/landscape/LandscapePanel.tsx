import { useCallback, useMemo, useRef, useState } from 'react';
import type { LandscapeEvent, LandscapeOutcome, LandscapeSettings } from '../../protocol/api';
import { Heatmap, type HeatmapHandle } from './Heatmap';
import { LandscapeLive } from './LandscapeLive';
import { LandscapeSlices, type SlicePoint } from './LandscapeSlices';
import { finiteRange } from '../common/analysisData';
import { downloadCanvasPng, downloadText } from '../common/exportFiles';
import { formatDuration } from '../common/format';
import { ExplainCard } from '../lecture/explain/ExplainCard';
import type { EngineHandle } from '../useEngine';
import { useKeyedModel } from '../common/useKeyedModel';
import { useStreamedJob } from '../common/useStreamedJob';
import { emptyLive, foldLandscapeEvent, settleLandscape, type LiveLandscape } from './LandscapeRunState';
import '../common/analysis.css';

interface LandscapePanelProps {
  readonly engine: EngineHandle;
  /** Changes when a training run ends (the worker may then hold a new keyed model). */
  readonly modelStamp: unknown;
  readonly locked: boolean;
}

const DEFAULTS: LandscapeSettings = { radius: 1, grid: 11, dims: 1, evalSize: 256, seed: 0, eigenIters: 0 };

/** A finished run kept for the side-by-side comparison. */
interface KeptLandscape {
  readonly name: string;
  readonly live: LiveLandscape;
  readonly outcome: LandscapeOutcome;
}

/** A ratio: scientific notation where two decimals would print 0.00. */
const fmtRatio = (v: number) => (Number.isFinite(v) && Math.abs(v) < 0.1 && v !== 0 ? v.toExponential(1) : fmt(v, 2));
/** An eigenvalue only when the power iteration converged; otherwise what it reached and its residual. */
const fmtEigen = (v: number, converged: boolean, residual: number) =>
  converged ? `${fmt(v)} (residual ${fmt(residual, 3)})` : `not converged (last ${fmt(v)}, residual ${fmt(residual, 3)}): raise the iterations`;
/** An accuracy drop given as a fraction, in points. */
const fmtPoints = (v: number) => (Number.isFinite(v) ? `${(100 * v).toFixed(1)} points` : '–');
const fmt = (v: number | undefined | null, d = 4) => (v === undefined || v === null || !Number.isFinite(v) ? '–' : Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : v.toFixed(d));

/**
 * The Landscape panel: loss slices along a random key-subspace direction d_K and a
 * filter-normalised complement direction d_¬K (1-D chart), the 2-D loss surface over (α d_K,
 * β d_¬K) as a heatmap with contours (coarse first, then refined), and the sharpness numbers.
 * A finished run can be kept and shown next to the next one at the same colour scale.
 */
export function LandscapePanel({ engine, modelStamp, locked }: LandscapePanelProps) {
  const keyed = useKeyedModel(engine, modelStamp);
  const [settings, setSettings] = useState<LandscapeSettings>(DEFAULTS);
  const job = useStreamedJob<LandscapeEvent, LandscapeOutcome, LiveLandscape | null>({
    initial: null, fold: foldLandscapeEvent, settle: settleLandscape, cancel: () => engine.cancelLandscape(),
  });
  const { running, view: live, outcome, error, start: startJob } = job;
  const [runSettings, setRunSettings] = useState<LandscapeSettings | null>(null);
  const [kept, setKept] = useState<KeptLandscape | null>(null);
  const heatRef = useRef<HeatmapHandle>(null);
  const keptRef = useRef<HeatmapHandle>(null);

  const set = <K extends keyof LandscapeSettings>(k: K, v: LandscapeSettings[K]) => setSettings((s) => ({ ...s, [k]: v }));
  const problem =
    !(settings.radius > 0 && settings.radius <= 100)
      ? 'radius must be in (0, 100]'
      : !(Number.isInteger(settings.grid) && settings.grid >= 3 && settings.grid <= 101)
        ? 'resolution must be a whole number in 3..101'
        : !(Number.isInteger(settings.evalSize) && settings.evalSize >= 1)
          ? 'evaluation images must be a whole number ≥ 1'
          : !(Number.isInteger(settings.eigenIters) && settings.eigenIters >= 0 && settings.eigenIters <= 500)
            ? 'eigen iterations must be a whole number in 0..500'
            : null;
  const disabledReason = locked
    ? 'Wait for the training run to finish.'
    : !keyed
      ? 'Train a model with a WaterMAS key first (Training panel, watermark on): the landscape is drawn around the marked weights.'
      : null;

  const start = useCallback(() => {
    const s = settings;
    if (startJob((onEvent) => engine.runLandscape(s, onEvent), emptyLive(s))) setRunSettings(s);
  }, [engine, settings, startJob]);

  const points: SlicePoint[] = useMemo(
    () => (live ? live.alphas.map((alpha, i) => ({ alpha, key: live.key[i], complement: live.complement[i] })) : []),
    [live],
  );
  const mid = live ? (live.n - 1) / 2 : 0;
  const baseLoss = live ? (live.key[mid] ?? live.complement[mid] ?? null) : null;
  // One colour scale for both maps when a kept run is compared.
  const domain = useMemo<[number, number]>(() => {
    const a = finiteRange(live?.cells ?? []);
    const b = finiteRange(kept?.live.cells ?? []);
    return [Math.min(a[0], b[0]), Math.max(a[1], b[1])];
  }, [live, kept]);
  const xLabel = 'α along d_K (× mark magnitude)';
  const yLabel = 'β along d_¬K (× filter norm)';
  const runName = keyed ? `R=${keyed.replicas}, σ=${keyed.sigma}, λ=${keyed.lambda}` : 'run';

  return (
    <section className="panel panel-wide" aria-labelledby="landscape-title" data-testid="landscape-panel">
      <div className="panel-head">
        <h2 id="landscape-title">Landscape</h2>
        <p className="panel-sub">Loss around the trained model: along the marked weights (key subspace) and along the others (complement).</p>
      </div>
      <ExplainCard topic="landscape" />
      {disabledReason && (
        <p className="notice" data-testid="landscape-disabled">
          {disabledReason}
        </p>
      )}
      <form className="train-form" onSubmit={(e) => e.preventDefault()} aria-label="Landscape settings">
        <div className="field">
          <label htmlFor="ls-radius">Radius</label>
          <input id="ls-radius" type="number" min={0} step="any" value={settings.radius} disabled={running} onChange={(e) => set('radius', e.target.valueAsNumber)} />
        </div>
        <div className="field">
          <label htmlFor="ls-grid">Resolution</label>
          <input id="ls-grid" type="number" min={3} max={101} step={2} value={settings.grid} disabled={running} onChange={(e) => set('grid', e.target.valueAsNumber)} />
          <span className="hint">points per axis (odd keeps the model on the grid)</span>
        </div>
        <div className="field">
          <label htmlFor="ls-dims">Dimensions</label>
          <select id="ls-dims" value={settings.dims} disabled={running} onChange={(e) => set('dims', Number(e.target.value) as 1 | 2)}>
            <option value={1}>1-D slices</option>
            <option value={2}>1-D slices + 2-D grid</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="ls-eval">Evaluation images</label>
          <input id="ls-eval" type="number" min={1} step={1} value={settings.evalSize} disabled={running} onChange={(e) => set('evalSize', e.target.valueAsNumber)} />
        </div>
        <div className="field">
          <label htmlFor="ls-eigen">Eigen iterations</label>
          <input id="ls-eigen" type="number" min={0} max={500} step={1} value={settings.eigenIters} disabled={running} onChange={(e) => set('eigenIters', e.target.valueAsNumber)} />
          <span className="hint">0 = skip the Hessian eigenvalues</span>
        </div>
        <div className="field">
          <label htmlFor="ls-seed">Direction seed</label>
          <input id="ls-seed" type="number" min={0} step={1} value={settings.seed} disabled={running} onChange={(e) => set('seed', e.target.valueAsNumber)} />
        </div>
      </form>
      {problem && <p className="error">{problem}</p>}
      <div className="controls" role="group" aria-label="Landscape controls">
        <button type="button" className="primary" disabled={running || disabledReason !== null || problem !== null} onClick={start}>
          Compute landscape
        </button>
        <button type="button" disabled={!running} onClick={job.cancel}>
          Cancel landscape
        </button>
        <button
          type="button"
          disabled={running || !outcome || !live || live.cells.length === 0}
          onClick={() => outcome && live && setKept({ name: runName, live, outcome })}
          title="Keep this grid to compare it with the next run at the same colour scale"
        >
          Keep for comparison
        </button>
        <button
          type="button"
          disabled={running || !outcome}
          onClick={() => outcome && downloadText(JSON.stringify({ model: keyed, settings: runSettings, ...outcome }, null, 2), 'landscape.json', 'application/json')}
        >
          Export JSON
        </button>
        <span className="muted small" data-testid="landscape-status" data-state={running ? 'running' : outcome ? (outcome.cancelled ? 'cancelled' : 'done') : 'idle'}>
          {running && live
            ? live.phase === 'sharpness'
              ? 'computing the sharpness numbers…'
              : `${live.done} / ${live.total} evaluations`
            : outcome
              ? `${outcome.cancelled ? 'Cancelled' : 'Done'} in ${formatDuration(outcome.seconds)} on ${outcome.evalSize} images, ${outcome.backend}`
              : ''}
        </span>
      </div>
      {error && (
        <p className="error" role="alert" data-testid="landscape-error">
          Landscape failed: {error}
        </p>
      )}
      {live && <LandscapeSlices points={points} baseLoss={baseLoss} />}
      {outcome && !outcome.cancelled && (
        <dl className="sharpness" data-testid="sharpness" data-ratio={outcome.sharpness.ratio}>
          <div>
            <dt>loss at the model</dt>
            <dd>{fmt(outcome.sharpness.baseLoss)}</dd>
          </div>
          <div>
            <dt>key rise at r = {outcome.sharpness.radius}</dt>
            <dd>{fmt(outcome.sharpness.key)}</dd>
          </div>
          <div>
            <dt>complement rise</dt>
            <dd>{fmt(outcome.sharpness.complement)}</dd>
          </div>
          <div>
            <dt>ratio key / complement (secondary: the complement rise tracks how well the model trained)</dt>
            <dd data-testid="sharpness-ratio">{fmtRatio(outcome.sharpness.ratio)}</dd>
          </div>
          {outcome.keyVsControl && (
            <>
              <div>
                <dt>
                  key rise at {outcome.keyVsControl.relativeRadius}·|w| (± spread over {outcome.keyVsControl.draws} draws)
                </dt>
                <dd data-testid="kvc-key">
                  {fmt(outcome.keyVsControl.keyRise)} ± {fmt(outcome.keyVsControl.keyRiseSpread)}
                </dd>
              </div>
              <div>
                <dt>matched controls ({outcome.keyVsControl.controls} subsets like K)</dt>
                <dd>
                  {fmt(outcome.keyVsControl.controlRise)} ± {fmt(outcome.keyVsControl.controlRiseSpread)}
                </dd>
              </div>
              <div>
                <dt>ratio key / controls</dt>
                <dd data-testid="kvc-ratio">{fmtRatio(outcome.keyVsControl.ratio)}</dd>
              </div>
              <div>
                <dt>flip half of K's signs: accuracy drop</dt>
                <dd data-testid="kvc-flip">
                  {fmtPoints(outcome.keyVsControl.flipKeyDrop)}
                  {outcome.keyVsControl.flipKeyDrops.length > 1 && <> (mean of {outcome.keyVsControl.flipKeyDrops.length} random halves: {outcome.keyVsControl.flipKeyDrops.map((v) => (100 * v).toFixed(1)).join(', ')})</>} (controls{' '}
                  {fmtPoints(outcome.keyVsControl.flipControlDrop)})
                </dd>
              </div>
            </>
          )}
          {outcome.eigen && (
            <>
              <div>
                <dt>top eigenvalue, key</dt>
                <dd data-testid="eigen-key">{fmtEigen(outcome.eigen.key, outcome.eigen.keyConverged, outcome.eigen.keyResidual)}</dd>
              </div>
              <div>
                <dt>top eigenvalue, complement</dt>
                <dd>{fmtEigen(outcome.eigen.complement, outcome.eigen.complementConverged, outcome.eigen.complementResidual)}</dd>
              </div>
            </>
          )}
        </dl>
      )}
      {live && live.cells.length > 0 && (
        <div className="heatmaps">
          <figure className="chart">
            <Heatmap
              ref={heatRef}
              values={live.cells}
              n={live.n}
              radius={live.radius}
              domain={domain}
              xLabel={xLabel}
              yLabel={yLabel}
              title={`log10 loss — ${runName}`}
              valueLabel="log10 loss"
              testId="landscape-heatmap"
            />
            <button type="button" className="link-button" disabled={!outcome} onClick={() => heatRef.current?.canvas && downloadCanvasPng(heatRef.current.canvas, 'landscape-2d.png')}>
              Export PNG
            </button>
          </figure>
          {kept && (
            <figure className="chart">
              <Heatmap
                ref={keptRef}
                values={kept.live.cells}
                n={kept.live.n}
                radius={kept.live.radius}
                domain={domain}
                xLabel={xLabel}
                yLabel={yLabel}
                title={`log10 loss — ${kept.name} (kept)`}
                valueLabel="log10 loss"
              />
              <button type="button" className="link-button" onClick={() => keptRef.current?.canvas && downloadCanvasPng(keptRef.current.canvas, 'landscape-2d-kept.png')}>
                Export PNG
              </button>
              <p className="muted small">
                kept run: sharpness ratio {fmtRatio(kept.outcome.sharpness.ratio)}
                {kept.outcome.keyVsControl ? `, key / controls ${fmtRatio(kept.outcome.keyVsControl.ratio)}` : ''}
                {kept.outcome.eigen ? `, key eigenvalue ${fmtEigen(kept.outcome.eigen.key, kept.outcome.eigen.keyConverged, kept.outcome.eigen.keyResidual)}` : ''}
              </p>
            </figure>
          )}
        </div>
      )}
      <LandscapeLive engine={engine} training={locked} />
    </section>
  );
}
