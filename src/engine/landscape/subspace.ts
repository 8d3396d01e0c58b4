import * as tf from '@tensorflow/tfjs-core';
import { WEIGHT_ROLES, type Model } from '../models/types';
import type { PositionList, Subspace } from './types';

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Per tensor name, the sorted unique key indices. */
export function keyIndexSets(positions: readonly PositionList[]): Map<string, Set<number>> {
  const m = new Map<string, Set<number>>();
  for (const p of positions) {
    const s = m.get(p.tensor) ?? new Set<number>();
    for (const i of p.indices) s.add(i);
    m.set(p.tensor, s);
  }
  return m;
}

/** The key subspace K: exactly the key positions (tensor order of the model, sorted indices). */
export function keySubspace(model: Model, positions: readonly PositionList[]): Subspace {
  const sets = keyIndexSets(positions);
  const entries = [];
  for (const p of model.paramInfo) {
    const s = sets.get(p.name);
    if (!s || s.size === 0) continue;
    const indices = Int32Array.from([...s].sort((a, b) => a - b));
    if (indices[0] < 0 || indices[indices.length - 1] >= sizeOf(p.shape)) throw new RangeError(`key index out of range for ${p.name}`);
    entries.push({ name: p.name, shape: p.shape, indices });
  }
  for (const name of sets.keys()) if (!model.params.has(name)) throw new Error(`key tensor ${name} is not a parameter of the model`);
  return { entries, dim: entries.reduce((s, e) => s + e.indices.length, 0) };
}

/** The complement ¬K: every entry of every weight tensor (WEIGHT_ROLES) that is not a key position. */
export function complementSubspace(model: Model, positions: readonly PositionList[]): Subspace {
  const sets = keyIndexSets(positions);
  const entries = [];
  for (const p of model.paramInfo) {
    if (!WEIGHT_ROLES.includes(p.role)) continue;
    const s = sets.get(p.name);
    const size = sizeOf(p.shape);
    const indices = new Int32Array(size - (s ? s.size : 0));
    let k = 0;
    for (let i = 0; i < size; i++) if (!s || !s.has(i)) indices[k++] = i;
    entries.push({ name: p.name, shape: p.shape, indices });
  }
  return { entries, dim: entries.reduce((s, e) => s + e.indices.length, 0) };
}

/** Reads the model's current values on the subspace, as one vector (subspace order). */
export async function gatherSubspace(params: ReadonlyMap<string, tf.Tensor>, sub: Subspace): Promise<Float32Array> {
  const out = new Float32Array(sub.dim);
  let off = 0;
  for (const e of sub.entries) {
    const data = await (params.get(e.name) as tf.Tensor).data();
    for (let k = 0; k < e.indices.length; k++) out[off + k] = data[e.indices[k]];
    off += e.indices.length;
  }
  return out;
}

/**
 * Full-shape tensors (one per subspace tensor) equal to `base` (per tensor, full values)
 * with the subspace entries replaced by `values` (subspace order). Caller owns the tensors.
 */
export function scatterSubspace(base: ReadonlyMap<string, Float32Array>, sub: Subspace, values: Float32Array): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  let off = 0;
  for (const e of sub.entries) {
    const full = Float32Array.from(base.get(e.name) as Float32Array);
    for (let k = 0; k < e.indices.length; k++) full[e.indices[k]] = values[off + k];
    off += e.indices.length;
    out.set(e.name, tf.tensor(full, e.shape as number[], 'float32'));
  }
  return out;
}

/** Private copies of the full values of the subspace's tensors. */
export async function readBase(params: ReadonlyMap<string, tf.Tensor>, sub: Subspace): Promise<Map<string, Float32Array>> {
  const base = new Map<string, Float32Array>();
  for (const e of sub.entries) base.set(e.name, Float32Array.from(await (params.get(e.name) as tf.Tensor).data()));
  return base;
}
