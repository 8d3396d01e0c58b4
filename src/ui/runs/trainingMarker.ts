/**
 * A "training started" marker in sessionStorage (per tab, survives a reload, gone with the tab):
 * a training run lives in the page's worker, so a reload loses it. The marker lets the next load
 * of this tab say so instead of silently showing an empty Training panel. Storage failures
 * (disabled storage, private modes) only lose the notice.
 */

const KEY = 'watermas-lab:training-started';

function storage(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}

/** Notes that a training run is going in this tab. */
export function markTrainingStarted(): void {
  try {
    storage()?.setItem(KEY, new Date().toISOString());
  } catch {
    /* no notice after a reload then */
  }
}

/** The run ended (finished, cancelled, failed): nothing to report after a reload. */
export function clearTrainingMarker(): void {
  try {
    storage()?.removeItem(KEY);
  } catch {
    /* ignore */
  }
}

/** At page load: when a run was going at the last unload of this tab (ISO time it started), or null; clears the marker. */
export function takeInterruptedTraining(): string | null {
  try {
    const s = storage();
    const at = s?.getItem(KEY) ?? null;
    s?.removeItem(KEY);
    return at;
  } catch {
    return null;
  }
}
