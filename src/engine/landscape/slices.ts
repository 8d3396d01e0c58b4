import { evaluateAt } from './evaluate';
import { refinementOrder1D, refinementOrder2D, symmetricGrid } from './grid';
import type { Model } from '../models/types';
import type { CancelSignal, Direction, EvalBatch } from './types';

export interface SliceOptions {
  readonly model: Model;
  readonly batch: EvalBatch;
  /** d_K (key subspace) and d_¬K (complement), e.g. from keyDirection / complementDirection. */
  readonly keyDirection: Direction;
  readonly complementDirection: Direction;
  /** α ∈ [−radius, radius]. */
  readonly radius: number;
  /** Points per slice (odd keeps α = 0 on the grid). */
  readonly points: number;
  /** Streams every evaluated point, coarse grid first. */
  readonly onPoint?: (p: { subspace: 'key' | 'complement'; index: number; alpha: number; loss: number; accuracy: number }) => void;
  readonly signal?: CancelSignal;
}

export interface SliceResult {
  readonly alphas: number[];
  /** L(θ + α d_K), NaN where not computed (cancelled). */
  readonly lossKey: number[];
  readonly accuracyKey: number[];
  /** L(θ + α d_¬K). */
  readonly lossComplement: number[];
  readonly accuracyComplement: number[];
  readonly cancelled: boolean;
}

/**
 * 1-D slices L(θ + α d) along d_K and d_¬K on the same α grid, evaluated progressively (coarse
 * points of both slices first, then refinement), through overrides on a fixed batch.
 */
export async function computeSlices(o: SliceOptions): Promise<SliceResult> {
  const alphas = symmetricGrid(o.radius, o.points);
  const n = alphas.length;
  const r = {
    alphas,
    lossKey: new Array<number>(n).fill(NaN),
    accuracyKey: new Array<number>(n).fill(NaN),
    lossComplement: new Array<number>(n).fill(NaN),
    accuracyComplement: new Array<number>(n).fill(NaN),
  };
  for (const index of refinementOrder1D(n)) {
    for (const subspace of ['key', 'complement'] as const) {
      if (o.signal?.aborted) return { ...r, cancelled: true };
      const dir = subspace === 'key' ? o.keyDirection : o.complementDirection;
      const alpha = alphas[index];
      const p = await evaluateAt(o.model, o.batch, [{ dir, coef: alpha }]);
      if (subspace === 'key') {
        r.lossKey[index] = p.loss;
        r.accuracyKey[index] = p.accuracy;
      } else {
        r.lossComplement[index] = p.loss;
        r.accuracyComplement[index] = p.accuracy;
      }
      o.onPoint?.({ subspace, index, alpha, ...p });
    }
  }
  return { ...r, cancelled: false };
}

export interface GridOptions {
  readonly model: Model;
  readonly batch: EvalBatch;
  /** x axis: α along `xDirection` (d_K); y axis: β along `yDirection` (d_¬K). */
  readonly xDirection: Direction;
  readonly yDirection: Direction;
  readonly radius: number;
  /** Radius of the y axis (default = radius). */
  readonly radiusY?: number;
  /** Grid size per axis (odd keeps the trained model on the grid). */
  readonly size: number;
  readonly onCell?: (c: { i: number; j: number; alpha: number; beta: number; loss: number; accuracy: number; done: number; total: number }) => void;
  readonly signal?: CancelSignal;
}

export interface GridResult {
  readonly alphas: number[];
  readonly betas: number[];
  /** Row-major [j][i] (j along β, i along α); NaN where not computed. */
  readonly loss: Float64Array;
  readonly accuracy: Float64Array;
  readonly done: number;
  readonly cancelled: boolean;
}

/**
 * 2-D grid L(θ + α d_x + β d_y), coarse cells first then refinement (each cell streamed as it
 * is computed), cancellable between cells; fixed batch, inference-mode BN, overrides only.
 */
export async function computeGrid2D(o: GridOptions): Promise<GridResult> {
  const alphas = symmetricGrid(o.radius, o.size);
  const betas = symmetricGrid(o.radiusY ?? o.radius, o.size);
  const total = alphas.length * betas.length;
  const loss = new Float64Array(total).fill(NaN);
  const accuracy = new Float64Array(total).fill(NaN);
  let done = 0;
  for (const [i, j] of refinementOrder2D(alphas.length, betas.length)) {
    if (o.signal?.aborted) return { alphas, betas, loss, accuracy, done, cancelled: true };
    const p = await evaluateAt(o.model, o.batch, [
      { dir: o.xDirection, coef: alphas[i] },
      { dir: o.yDirection, coef: betas[j] },
    ]);
    loss[j * alphas.length + i] = p.loss;
    accuracy[j * alphas.length + i] = p.accuracy;
    done++;
    o.onCell?.({ i, j, alpha: alphas[i], beta: betas[j], ...p, done, total });
  }
  return { alphas, betas, loss, accuracy, done, cancelled: false };
}
