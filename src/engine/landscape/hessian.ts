import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { Rng } from '../random/rng';
import type { Model } from '../models/types';
import { crossEntropy } from './evaluate';
import { gatherSubspace, readBase, scatterSubspace } from './subspace';
import type { CancelSignal, EvalBatch, Subspace } from './types';

/** A (symmetric) matrix-vector product on Float32 vectors. */
export type MatVec = (v: Float32Array) => Float32Array | Promise<Float32Array>;

export interface PowerIterationOptions {
  /** Maximum iterations (default 20). */
  readonly iters?: number;
  /** Stop when |λ_k − λ_{k−1}| ≤ tol·|λ_k| (default 1e-3). */
  readonly tol?: number;
  readonly seed: number;
  readonly signal?: CancelSignal;
  readonly onIteration?: (k: number, eigenvalue: number) => void;
}

export interface PowerIterationResult {
  /** Rayleigh quotient v·Hv at the final unit vector v: the eigenvalue of largest magnitude. */
  readonly eigenvalue: number;
  readonly vector: Float32Array;
  readonly iterations: number;
  readonly converged: boolean;
  /**
   * Relative residual ‖Hv − λv‖ / |λ| of the last iterate (0 for an exact eigenpair): report it with
   * the eigenvalue; a value near 1 means v is not close to an eigenvector yet.
   */
  readonly residual: number;
}

function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Power iteration for the dominant eigenpair of a symmetric operator given only by `hvp`
 * (dimension `dim`), from a seeded random start. Converges to the eigenvalue of largest
 * MAGNITUDE (reported with its sign, via the Rayleigh quotient); for a loss near a minimum
 * that is the top (sharpest) curvature.
 */
export async function powerIteration(hvp: MatVec, dim: number, o: PowerIterationOptions): Promise<PowerIterationResult> {
  const iters = o.iters ?? 20;
  const tol = o.tol ?? 1e-3;
  const rng = new Rng(o.seed).fork('landscape/power-iteration');
  let v: Float32Array = rng.fillNormal(new Float32Array(dim));
  let n = norm(v);
  v = v.map((x) => x / n);
  let lambda = NaN;
  let residual = NaN;
  for (let k = 1; k <= iters; k++) {
    if (o.signal?.aborted) break;
    const w = await hvp(v);
    const next = dot(v, w);
    n = norm(w);
    const prev = lambda;
    lambda = next;
    // ‖w − λv‖² = ‖w‖² − λ² for a unit v
    residual = lambda === 0 ? (n === 0 ? 0 : Infinity) : Math.sqrt(Math.max(0, n * n - lambda * lambda)) / Math.abs(lambda);
    o.onIteration?.(k, lambda);
    if (n === 0) return { eigenvalue: 0, vector: v, iterations: k, converged: true, residual: 0 };
    v = w.map((x) => x / n);
    if (Math.abs(lambda - prev) <= tol * Math.abs(lambda)) return { eigenvalue: lambda, vector: v, iterations: k, converged: true, residual };
  }
  return { eigenvalue: lambda, vector: v, iterations: iters, converged: false, residual };
}

/**
 * Central finite-difference Hessian-vector product from a gradient oracle:
 * Hv ≈ (∇L(θ + h v) − ∇L(θ − h v)) / (2h).
 */
export function finiteDifferenceHvp(grad: (theta: Float32Array) => Promise<Float32Array>, theta: Float32Array, h: number): MatVec {
  return async (v) => {
    const plus = theta.map((t, i) => t + h * v[i]);
    const minus = theta.map((t, i) => t - h * v[i]);
    const gp = await grad(plus);
    const gm = await grad(minus);
    return gp.map((g, i) => (g - gm[i]) / (2 * h));
  };
}

/**
 * Gradient oracle of the batch loss restricted to a subspace: given the subspace values, the
 * other parameters held at the model's values, returns ∂L/∂θ_S (subspace order). Inference-mode
 * BatchNorm, overrides only (the model's variables are never written).
 */
export async function subspaceGradient(model: Model, batch: EvalBatch, sub: Subspace): Promise<(theta: Float32Array) => Promise<Float32Array>> {
  const base = await readBase(model.params, sub);
  const names = sub.entries.map((e) => e.name);
  return async (theta) => {
    const tensors = scatterSubspace(base, sub, theta);
    const ws = names.map((n) => tensors.get(n) as tf.Tensor);
    const grads = tf.grads((...args: tf.Tensor[]) => {
      const overrides = new Map(names.map((n, k) => [n, args[k]] as const));
      return crossEntropy(model.forward(batch.x, { training: false, overrides }), batch.y);
    })(ws);
    const out = await gatherSubspace(new Map(names.map((n, k) => [n, grads[k]] as const)), sub);
    tf.dispose(grads);
    tf.dispose(ws);
    return out;
  };
}

export interface SubspaceEigenOptions extends PowerIterationOptions {
  /**
   * Finite-difference step along the unit vector v; default 1e-4·max(‖θ_S‖, 1) (our choice).
   * Small on purpose: ReLU / max-pool kinks crossed within ±h make larger steps measure a
   * noisy, smoothed curvature (observed on a tiny CNN: Hv lost its symmetry at h = 1e-3 and
   * kept it at 1e-4); float32 round-off bounds it from below.
   */
  readonly h?: number;
}

/**
 * Top Hessian eigenvalue/eigenvector of the batch loss restricted to a subspace (key K or its
 * complement), by power iteration with finite-difference Hessian-vector products. Each
 * iteration costs two forward+backward passes.
 */
export async function subspaceTopEigen(model: Model, batch: EvalBatch, sub: Subspace, o: SubspaceEigenOptions): Promise<PowerIterationResult & { h: number }> {
  const theta = await gatherSubspace(model.params, sub);
  const h = o.h ?? 1e-4 * Math.max(norm(theta), 1);
  const grad = await subspaceGradient(model, batch, sub);
  const r = await powerIteration(finiteDifferenceHvp(grad, theta, h), sub.dim, o);
  return { ...r, h };
}
