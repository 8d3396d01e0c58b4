import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../random/rng';
import type { Model, ParamRole } from '../models/types';
import { complementSubspace, keySubspace } from './subspace';
import type { Direction, PositionList, Subspace } from './types';

/** Disposes every tensor of a direction. */
export function disposeDirection(d: Direction): void {
  for (const t of d.values()) t.dispose();
  d.clear();
}

/**
 * Number of "filters" of a weight tensor and the filter of flat index i is i % units.
 * TF layouts: conv [kh, kw, in, out] and dense [in, out]: a filter is a slice along the LAST
 * axis (units = out). Depthwise [kh, kw, in, mult]: our choice, a filter is one (in, mult)
 * spatial kernel (units = in·mult), since each one acts on a single channel.
 */
export function filterUnits(shape: readonly number[], role: ParamRole): number {
  const last = shape[shape.length - 1];
  return role === 'depthwise-kernel' ? shape[shape.length - 2] * last : last;
}

/** L2 norm of every filter (i % units) of a flat tensor. */
export function filterNorms(values: ArrayLike<number>, units: number): Float64Array {
  const sq = new Float64Array(units);
  for (let i = 0; i < values.length; i++) sq[i % units] += values[i] * values[i];
  return sq.map(Math.sqrt);
}

/**
 * d_K (methods.md §6): a random Gaussian direction supported on the key positions only, scaled
 * entrywise to the mark magnitudes: d_i = g_i·|θ_i|, g_i ~ N(0, 1). Zero everywhere else.
 */
export async function keyDirection(model: Model, positions: readonly PositionList[], seed: number): Promise<Direction> {
  const sub = keySubspace(model, positions);
  const rng = new Rng(seed).fork('landscape/key-direction');
  const out: Direction = new Map();
  for (const e of sub.entries) {
    const theta = await (model.params.get(e.name) as tf.Tensor).data();
    const d = new Float32Array(theta.length);
    for (const i of e.indices) d[i] = rng.normal() * Math.abs(theta[i]);
    out.set(e.name, tf.tensor(d, e.shape as number[], 'float32'));
  }
  return out;
}

/**
 * d_¬K (methods.md §6, Li et al. 2018 filter normalisation): a random Gaussian direction on the
 * weight tensors (conv/depthwise/dense kernels), 0 at the key positions, then every filter of d
 * rescaled to the L2 norm of the same filter of θ (all of θ's filter, marks included). Biases,
 * BatchNorm, LayerNorm and embeddings get 0 (absent from the map).
 */
export async function complementDirection(model: Model, positions: readonly PositionList[], seed: number): Promise<Direction> {
  const sub = complementSubspace(model, positions);
  const roles = new Map(model.paramInfo.map((p) => [p.name, p.role]));
  const root = new Rng(seed).fork('landscape/complement-direction');
  const out: Direction = new Map();
  for (const e of sub.entries) {
    const theta = await (model.params.get(e.name) as tf.Tensor).data();
    const rng = root.fork(e.name);
    const d = new Float32Array(theta.length);
    for (const i of e.indices) d[i] = rng.normal();
    const units = filterUnits(e.shape, roles.get(e.name) as ParamRole);
    const nd = filterNorms(d, units);
    const nt = filterNorms(theta, units);
    for (let i = 0; i < d.length; i++) {
      const u = i % units;
      d[i] = nd[u] > 0 ? (d[i] * nt[u]) / nd[u] : 0;
    }
    out.set(e.name, tf.tensor(d, e.shape as number[], 'float32'));
  }
  return out;
}

/** A subspace vector (e.g. a Hessian eigenvector) as a full-shape Direction, 0 off the subspace. */
export function directionFromSubspaceVector(sub: Subspace, v: Float32Array): Direction {
  if (v.length !== sub.dim) throw new Error(`vector length ${v.length} != subspace dimension ${sub.dim}`);
  const out: Direction = new Map();
  let off = 0;
  for (const e of sub.entries) {
    const d = new Float32Array(e.shape.reduce((a, b) => a * b, 1));
    for (let k = 0; k < e.indices.length; k++) d[e.indices[k]] = v[off + k];
    off += e.indices.length;
    out.set(e.name, tf.tensor(d, e.shape as number[], 'float32'));
  }
  return out;
}
