/** State of the Landscape panel's live view (pure: no React, no DOM), tested in tests/unit/landscape. */
import type { LiveLandscapeEvent, LiveLandscapePointData, LiveLandscapeSettings } from '../../protocol/api';

/** One live measurement as the history chart shows it. */
export interface LiveHistoryRow {
  readonly step: number;
  /** Sharpness ratio key / complement (null when not finite). */
  readonly ratio: number | null;
  readonly key: number;
  readonly complement: number;
  readonly loss: number;
}

/** Same defaults as the worker's DEFAULT_LIVE_LANDSCAPE (8 snapshots per run, 7 points, r = 1, 64 images). */
export const LIVE_DEFAULTS: LiveLandscapeSettings = { every: 'auto', grid: 7, radius: 1, evalSize: 64, seed: 0 };

/** What the live view shows for the current (or last) watermarked run. */
export interface LiveView {
  readonly run: number;
  readonly totalSteps: number;
  readonly evalSize: number;
  readonly settings: LiveLandscapeSettings;
  readonly latest: LiveLandscapePointData | null;
  readonly history: readonly LiveHistoryRow[];
  readonly error: string | null;
}

/** Folds one worker event into the view: `start` begins a new history, events of older runs are ignored. */
export function applyLiveEvent(v: LiveView | null, e: LiveLandscapeEvent): LiveView | null {
  if (e.kind === 'start') return { run: e.run, totalSteps: e.totalSteps, evalSize: e.evalSize, settings: e.settings, latest: null, history: [], error: null };
  if (!v || e.run !== v.run) return v;
  if (e.kind === 'error') return { ...v, error: e.message };
  const p = e.point;
  const row: LiveHistoryRow = {
    step: p.step, ratio: Number.isFinite(p.sharpness.ratio) ? p.sharpness.ratio : null, key: p.sharpness.key, complement: p.sharpness.complement, loss: p.baseLoss,
  };
  return { ...v, totalSteps: e.totalSteps, latest: p, history: [...v.history, row] };
}

/** A one-line reason when the live settings are not valid (mirrors the worker's checks), else null. */
export function liveSettingsProblem(s: LiveLandscapeSettings): string | null {
  if (s.every !== 'auto' && !(Number.isInteger(s.every) && s.every >= 0 && s.every <= 100_000)) return 'refresh interval must be a whole number of steps ≥ 0 (0 = off)';
  if (!(Number.isInteger(s.grid) && s.grid >= 3 && s.grid <= 31 && s.grid % 2 === 1)) return 'live points must be an odd whole number in 3..31';
  if (!(s.radius > 0 && s.radius <= 100)) return 'live radius must be in (0, 100]';
  if (!(Number.isInteger(s.evalSize) && s.evalSize >= 1 && s.evalSize <= 1024)) return 'live evaluation images must be a whole number in 1..1024';
  return null;
}
