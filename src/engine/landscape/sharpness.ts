import type { Model } from '../models/types';
import { hashSeed } from '../random/rng';
import { complementDirection, disposeDirection, keyDirection } from './directions';
import { evaluateAt } from './evaluate';
import { subspaceTopEigen } from './hessian';
import { complementSubspace, keySubspace } from './subspace';
import type { CancelSignal, EvalBatch, PositionList } from './types';

export interface SharpnessOptions {
  readonly model: Model;
  readonly batch: EvalBatch;
  readonly positions: readonly PositionList[];
  /** Radius r in direction units (d_K: mark magnitudes; d_¬K: filter norms). */
  readonly radius: number;
  /** Random directions per subspace (default 3). */
  readonly directions?: number;
  readonly seed: number;
  /** Also compute the top Hessian eigenvalue in each subspace (default: off; costs 2·iters passes each). */
  readonly eigen?: { readonly iters?: number; readonly tol?: number } | false;
  readonly signal?: CancelSignal;
}

export interface SubspaceSharpness {
  /** Mean over directions of (L(θ + r d) + L(θ − r d))/2 − L(θ). */
  readonly rise: number;
  readonly perDirection: number[];
}

export interface SharpnessResult {
  readonly baseLoss: number;
  readonly key: SubspaceSharpness;
  readonly complement: SubspaceSharpness;
  /** key.rise / complement.rise (Infinity when the complement rise is ≤ 0 and the key rise > 0). */
  readonly ratio: number;
  /** Top eigenvalues with their power-iteration residuals ‖Hv − λv‖/|λ| and convergence flags. */
  readonly eigen?: {
    readonly key: number;
    readonly complement: number;
    readonly keyResidual: number;
    readonly complementResidual: number;
    readonly keyConverged: boolean;
    readonly complementConverged: boolean;
  };
  readonly cancelled: boolean;
}

/**
 * Sharpness numbers (methods.md §6). Our definition: the loss rise at radius r in a subspace is
 * the mean, over `directions` seeded random directions of that subspace (d_K scaled to the mark
 * magnitudes; d_¬K filter-normalised), of the two-sided rise (L(θ + r d) + L(θ − r d))/2 − L(θ)
 * (two-sided so that the linear term cancels); the ratio is key / complement. Optional: the top
 * Hessian eigenvalue restricted to each subspace (power iteration, finite-difference HVPs).
 */
export async function computeSharpness(o: SharpnessOptions): Promise<SharpnessResult> {
  const count = o.directions ?? 3;
  const base = (await evaluateAt(o.model, o.batch, [])).loss;
  const perKey: number[] = [];
  const perComp: number[] = [];
  let cancelled = false;
  for (let k = 0; k < count && !cancelled; k++) {
    for (const which of ['key', 'complement'] as const) {
      if (o.signal?.aborted) {
        cancelled = true;
        break;
      }
      const seed = hashSeed(o.seed, `sharpness/${which}/${k}`);
      const d = which === 'key' ? await keyDirection(o.model, o.positions, seed) : await complementDirection(o.model, o.positions, seed);
      try {
        const plus = await evaluateAt(o.model, o.batch, [{ dir: d, coef: o.radius }]);
        const minus = await evaluateAt(o.model, o.batch, [{ dir: d, coef: -o.radius }]);
        (which === 'key' ? perKey : perComp).push((plus.loss + minus.loss) / 2 - base);
      } finally {
        disposeDirection(d);
      }
    }
  }
  const mean = (a: number[]) => (a.length ? a.reduce((s, x) => s + x, 0) / a.length : NaN);
  const key = { rise: mean(perKey), perDirection: perKey };
  const complement = { rise: mean(perComp), perDirection: perComp };
  const ratio = complement.rise > 0 ? key.rise / complement.rise : key.rise > 0 ? Infinity : NaN;
  let eigen: SharpnessResult['eigen'];
  if (o.eigen && !cancelled) {
    const opts = { iters: o.eigen.iters, tol: o.eigen.tol, signal: o.signal };
    const ek = await subspaceTopEigen(o.model, o.batch, keySubspace(o.model, o.positions), { ...opts, seed: hashSeed(o.seed, 'eigen/key') });
    const ec = await subspaceTopEigen(o.model, o.batch, complementSubspace(o.model, o.positions), { ...opts, seed: hashSeed(o.seed, 'eigen/complement') });
    eigen = {
      key: ek.eigenvalue, complement: ec.eigenvalue, keyResidual: ek.residual, complementResidual: ec.residual,
      keyConverged: ek.converged, complementConverged: ec.converged,
    };
    cancelled = !!o.signal?.aborted;
  }
  return { baseLoss: base, key, complement, ratio, eigen, cancelled };
}
