import type { Model } from '../models/types';
import { hashSeed } from '../random/rng';
import { complementDirection, disposeDirection, keyDirection } from './directions';
import { computeSharpness, type SharpnessResult } from './sharpness';
import { computeGrid2D, computeSlices } from './slices';
import type { CancelSignal, EvalBatch, PositionList } from './types';

export interface LandscapeRunOptions {
  readonly model: Model;
  readonly batch: EvalBatch;
  readonly positions: readonly PositionList[];
  readonly seed: number;
  /** Slice / grid radius in direction units (default 1). */
  readonly radius?: number;
  /** Points per 1-D slice and per grid axis (default 21). */
  readonly grid?: number;
  /** 1: slices only; 2: slices and the 2-D grid (default 1). */
  readonly dims?: 1 | 2;
  /** Random directions per subspace for the sharpness numbers (default 3); radius = `radius`. */
  readonly sharpnessDirections?: number;
  /** Power-iteration settings for the eigenvalues; false skips them (default { iters: 20 }). */
  readonly eigen?: { readonly iters?: number; readonly tol?: number } | false;
  readonly onProgress?: (p: { phase: 'slices' | 'grid' | 'sharpness'; done: number; total: number }) => void;
  readonly signal?: CancelSignal;
}

/** The shape the CLI prints (`wmlab landscape`) and the worker streams at the end. */
export interface LandscapeReport {
  readonly alphas: number[];
  readonly lossKey: number[];
  readonly lossComplement: number[];
  readonly accuracyKey: number[];
  readonly accuracyComplement: number[];
  /** 2-D: loss[j][i] at (α_i d_K, β_j d_¬K) (β = alphas). */
  readonly grid?: { readonly loss: number[][]; readonly accuracy: number[][] };
  readonly sharpness: { readonly key: number; readonly complement: number; readonly ratio: number; readonly baseLoss: number; readonly radius: number };
  readonly eigen?: SharpnessResult['eigen'];
  readonly cancelled: boolean;
}

/**
 * One full landscape run around the model: d_K and d_¬K from the seed, 1-D slices in both
 * subspaces, optionally the 2-D grid, and the sharpness numbers (and eigenvalues). Directions are
 * disposed at the end; the model's weights are never written.
 */
export async function runLandscape(o: LandscapeRunOptions): Promise<LandscapeReport> {
  const radius = o.radius ?? 1;
  const n = o.grid ?? 21;
  const dK = await keyDirection(o.model, o.positions, hashSeed(o.seed, 'run/key'));
  const dC = await complementDirection(o.model, o.positions, hashSeed(o.seed, 'run/complement'));
  try {
    let done = 0;
    const slices = await computeSlices({
      model: o.model, batch: o.batch, keyDirection: dK, complementDirection: dC, radius, points: n, signal: o.signal,
      onPoint: () => o.onProgress?.({ phase: 'slices', done: ++done, total: 2 * n }),
    });
    let grid: LandscapeReport['grid'];
    let cancelled = slices.cancelled;
    if ((o.dims ?? 1) === 2 && !cancelled) {
      const g = await computeGrid2D({
        model: o.model, batch: o.batch, xDirection: dK, yDirection: dC, radius, size: n, signal: o.signal,
        onCell: (c) => o.onProgress?.({ phase: 'grid', done: c.done, total: c.total }),
      });
      const rows = (a: Float64Array) => Array.from({ length: g.betas.length }, (_, j) => Array.from(a.subarray(j * g.alphas.length, (j + 1) * g.alphas.length)));
      grid = { loss: rows(g.loss), accuracy: rows(g.accuracy) };
      cancelled = g.cancelled;
    }
    const s = cancelled
      ? null
      : await computeSharpness({
          model: o.model, batch: o.batch, positions: o.positions, radius, directions: o.sharpnessDirections, seed: hashSeed(o.seed, 'run/sharpness'),
          eigen: o.eigen === undefined ? { iters: 20 } : o.eigen, signal: o.signal,
        });
    o.onProgress?.({ phase: 'sharpness', done: 1, total: 1 });
    return {
      alphas: slices.alphas,
      lossKey: slices.lossKey,
      lossComplement: slices.lossComplement,
      accuracyKey: slices.accuracyKey,
      accuracyComplement: slices.accuracyComplement,
      grid,
      sharpness: { key: s?.key.rise ?? NaN, complement: s?.complement.rise ?? NaN, ratio: s?.ratio ?? NaN, baseLoss: s?.baseLoss ?? NaN, radius },
      eigen: s?.eigen,
      cancelled: cancelled || !!s?.cancelled,
    };
  } finally {
    disposeDirection(dK);
    disposeDirection(dC);
  }
}
