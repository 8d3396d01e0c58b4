import { useEffect, useMemo, useState } from 'react';
import type { LiveLandscapeEvent, LiveLandscapeSettings } from '../../protocol/api';
import { LandscapeLiveHistory } from './LandscapeLiveHistory';
import { AUTO_LIVE_SNAPSHOTS } from '../../protocol/liveLandscape';
import { LIVE_DEFAULTS, applyLiveEvent, liveSettingsProblem, type LiveView } from './LandscapeLiveState';
import { LandscapeSlices, type SlicePoint } from './LandscapeSlices';
import { errorMessage } from '../common/format';
import type { EngineHandle } from '../useEngine';
import { proxyCallback } from '../useEngine';

const fmt = (v: number | undefined | null, d = 4) => (v === undefined || v === null || !Number.isFinite(v) ? '–' : Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : v.toFixed(d));

/**
 * The Landscape panel's live part: while a WaterMAS run trains, the worker re-measures both 1-D
 * slices (fixed directions, fixed batch) every N steps; this shows the latest slices, the
 * sharpness numbers and the ratio's history over the run. N = 0 switches it off.
 */
export function LandscapeLive({ engine, training }: { readonly engine: EngineHandle; readonly training: boolean }) {
  const [settings, setSettings] = useState<LiveLandscapeSettings>(LIVE_DEFAULTS);
  const [view, setView] = useState<LiveView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const problem = liveSettingsProblem(settings);

  // One receiver for the page's lifetime (StrictMode's second mount replaces the first).
  useEffect(() => {
    const onEvent = proxyCallback((e: LiveLandscapeEvent) => setView((v) => applyLiveEvent(v, e)));
    engine.watchLandscape(onEvent).catch((e: unknown) => setError(errorMessage(e)));
    return () => {
      engine.watchLandscape(null).catch(() => undefined);
    };
  }, [engine]);

  useEffect(() => {
    if (problem) return;
    engine.setLiveLandscape(settings).then(() => setError(null), (e: unknown) => setError(errorMessage(e)));
  }, [engine, settings, problem]);

  const set = <K extends keyof LiveLandscapeSettings>(k: K, v: LiveLandscapeSettings[K]) => setSettings((s) => ({ ...s, [k]: v }));
  const latest = view?.latest ?? null;
  const points: SlicePoint[] = useMemo(
    () => (latest ? latest.alphas.map((alpha, i) => ({ alpha, key: latest.lossKey[i], complement: latest.lossComplement[i] })) : []),
    [latest],
  );
  const passes = view ? 2 * view.settings.grid : 0;
  const state = view ? (training ? 'training' : 'done') : 'idle';

  return (
    <div className="landscape-live" data-testid="landscape-live">
      <h3>Live during training</h3>
      <p className="muted small">
        While a WaterMAS run trains, both slices are measured again every N steps along the same two directions on the same images, between
        optimizer steps (it pauses training for the time shown; the model is never written).
      </p>
      <form className="train-form" onSubmit={(e) => e.preventDefault()} aria-label="Live landscape settings">
        <div className="field">
          <label htmlFor="ls-live-every">Refresh every</label>
          <input
            id="ls-live-every"
            type="number"
            min={0}
            step={1}
            value={settings.every === 'auto' ? '' : settings.every}
            placeholder={settings.every === 'auto' ? `auto: ${AUTO_LIVE_SNAPSHOTS} per run` : undefined}
            disabled={settings.every === 'auto'}
            onChange={(e) => set('every', e.target.valueAsNumber)}
          />
          <span className="field-check">
            <input id="ls-live-auto" type="checkbox" checked={settings.every === 'auto'} onChange={(e) => set('every', e.target.checked ? 'auto' : Math.max(1, view ? Math.floor(view.totalSteps / AUTO_LIVE_SNAPSHOTS) : 20))} />
            <label htmlFor="ls-live-auto">sized to the run ({AUTO_LIVE_SNAPSHOTS} snapshots)</label>
          </span>
          <span className="hint">training steps (0 = off; runs shorter than this get none); applies at once</span>
        </div>
        <div className="field">
          <label htmlFor="ls-live-grid">Live points</label>
          <input id="ls-live-grid" type="number" min={3} max={31} step={2} value={settings.grid} onChange={(e) => set('grid', e.target.valueAsNumber)} />
          <span className="hint">per slice; points, radius and images apply from the next run</span>
        </div>
        <div className="field">
          <label htmlFor="ls-live-radius">Live radius</label>
          <input id="ls-live-radius" type="number" min={0} step="any" value={settings.radius} onChange={(e) => set('radius', e.target.valueAsNumber)} />
        </div>
        <div className="field">
          <label htmlFor="ls-live-eval">Live images</label>
          <input id="ls-live-eval" type="number" min={1} max={1024} step={1} value={settings.evalSize} onChange={(e) => set('evalSize', e.target.valueAsNumber)} />
        </div>
      </form>
      {problem && <p className="error">{problem}</p>}
      {(error || view?.error) && (
        <p className="error" role="alert" data-testid="landscape-live-error">
          {error ?? view?.error}
        </p>
      )}
      <p className="muted small" data-testid="landscape-live-status" data-state={state} data-points={view?.history.length ?? 0}>
        {!view
          ? settings.every === 0
            ? 'Off.'
            : 'Starts with the next WaterMAS training run.'
          : latest
            ? `step ${latest.step} / ${view.totalSteps} · ${passes} passes on ${view.evalSize} images in ${Math.round(latest.ms)} ms${
                latest.pauses > 1 ? `, spread over ${latest.pauses} pauses between steps (longest ${Math.round(latest.maxPauseMs)} ms)` : ''
              }`
            : settings.every === 0
              ? 'Off for this run.'
              : 'waiting for the first measurement…'}
      </p>
      {latest && view && (
        <>
          <div className="charts">
            <LandscapeSlices
              points={points}
              baseLoss={latest.baseLoss}
              title={`Live: loss along the two subspaces at step ${latest.step}`}
              testId="landscape-live-chart"
              markerLabel={`step ${latest.step}`}
              fileName={`landscape-live-step${latest.step}.png`}
              height={220}
            />
            <LandscapeLiveHistory rows={view.history} totalSteps={view.totalSteps} />
          </div>
          <dl className="sharpness" data-testid="landscape-live-sharpness" data-ratio={latest.sharpness.ratio}>
            <div>
              <dt>loss at step {latest.step}</dt>
              <dd>{fmt(latest.baseLoss)}</dd>
            </div>
            <div>
              <dt>key rise at r = {latest.sharpness.radius}</dt>
              <dd>{fmt(latest.sharpness.key)}</dd>
            </div>
            <div>
              <dt>complement rise</dt>
              <dd>{fmt(latest.sharpness.complement)}</dd>
            </div>
            <div>
              <dt>ratio key / complement</dt>
              <dd data-testid="landscape-live-ratio">{fmt(latest.sharpness.ratio, 2)}</dd>
            </div>
          </dl>
        </>
      )}
    </div>
  );
}
