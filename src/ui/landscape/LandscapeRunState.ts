/** State of the Landscape panel's computed run (pure: no React, no DOM), tested in tests/unit/ui. */
import type { LandscapeEvent, LandscapeSettings } from '../../protocol/api';

/** A run's streamed state: slice values by index, grid cells row-major (NaN = not yet). */
export interface LiveLandscape {
  readonly n: number;
  readonly radius: number;
  readonly alphas: number[];
  readonly key: (number | null)[];
  readonly complement: (number | null)[];
  readonly cells: number[];
  readonly done: number;
  readonly total: number;
  readonly phase: 'slices' | 'grid' | 'sharpness' | 'done';
}

/** A run's view before its first event. */
export function emptyLive(s: LandscapeSettings): LiveLandscape {
  const n = s.grid;
  const mid = (n - 1) / 2;
  return {
    n, radius: s.radius, alphas: Array.from({ length: n }, (_, i) => (i === mid ? 0 : (s.radius * (i - mid)) / mid)),
    key: new Array<number | null>(n).fill(null), complement: new Array<number | null>(n).fill(null),
    cells: s.dims === 2 ? new Array<number>(n * n).fill(NaN) : [], done: 0, total: s.dims === 2 ? 2 * n + n * n : 2 * n, phase: 'slices',
  };
}

/** The view after one event. */
export function applyLandscapeEvent(l: LiveLandscape, e: LandscapeEvent): LiveLandscape {
  if (e.kind === 'slice') {
    const arr = [...(e.subspace === 'key' ? l.key : l.complement)];
    arr[e.index] = e.loss;
    return { ...l, [e.subspace]: arr, done: l.done + 1, phase: 'slices' };
  }
  if (e.kind === 'cell') {
    const cells = [...l.cells];
    // Colour by log10 loss (our choice): the valley and the steep walls both stay readable.
    cells[e.j * l.n + e.i] = Math.log10(Math.max(e.loss, 1e-12));
    return { ...l, cells, done: l.done + 1, phase: 'grid' };
  }
  return { ...l, phase: 'sharpness' };
}

/** The panel's view (null before the first run) after one event of its run. */
export function foldLandscapeEvent(l: LiveLandscape | null, e: LandscapeEvent): LiveLandscape | null {
  return l ? applyLandscapeEvent(l, e) : l;
}

/** The view once the run has answered. */
export function settleLandscape(l: LiveLandscape | null): LiveLandscape | null {
  return l ? { ...l, phase: 'done' } : l;
}
