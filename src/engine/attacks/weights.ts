import * as tf from '@tensorflow/tfjs-core';
import { WEIGHT_ROLES, type Model, type ParamInfo } from '../models/types';
import type { AttackedWeights } from './types';

/** The parameters that count as "weight tensors" for attacks (conv/depthwise/dense kernels), in model order. */
export function weightParams(model: Model): ParamInfo[] {
  return model.paramInfo.filter((p) => WEIGHT_ROLES.includes(p.role));
}

/** Number of scalars in a shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * A private, mutable copy of a tensor's values. (`t.data()` may hand back the backend's own
 * buffer on the cpu backend, so it must never be written into.)
 */
export async function readCopy(t: tf.Tensor): Promise<Float32Array> {
  const d = await t.data();
  return new Float32Array(d as Float32Array);
}

/** A copy of every trainable parameter (tf.clone: shares storage, never aliases the variable object). */
export function cloneParams(model: Model): AttackedWeights {
  const out: AttackedWeights = new Map();
  for (const p of model.paramInfo) {
    const v = model.params.get(p.name);
    if (!v) throw new Error(`model has no parameter ${p.name}`);
    out.set(p.name, tf.clone(v));
  }
  return out;
}

/**
 * Builds an attacked copy: `transform` receives a private copy of each weight tensor's values
 * (WEIGHT_ROLES only, model order) and returns the new values, or null to keep the tensor as is.
 * Every other parameter is cloned unchanged.
 */
export async function mapWeightTensors(
  model: Model,
  transform: (p: ParamInfo, values: Float32Array) => Float32Array | null,
): Promise<AttackedWeights> {
  const out = cloneParams(model);
  try {
    for (const p of weightParams(model)) {
      const values = await readCopy(model.params.get(p.name) as tf.Tensor);
      const next = transform(p, values);
      if (next) replaceEntry(out, p.name, tf.tensor(next, p.shape as number[], 'float32'));
    }
  } catch (e) {
    disposeWeights(out);
    throw e;
  }
  return out;
}

/** Sets `map[name] = t`, disposing the tensor it replaces. */
export function replaceEntry(map: AttackedWeights, name: string, t: tf.Tensor): void {
  const old = map.get(name);
  map.set(name, t);
  if (old && old !== t) old.dispose();
}

/** Disposes every tensor of an attacked-weights map and clears it. */
export function disposeWeights(weights: AttackedWeights): void {
  for (const t of weights.values()) t.dispose();
  weights.clear();
}

/** Population mean and standard deviation of an array (float64 accumulation). */
export function meanStd(values: ArrayLike<number>): { mean: number; std: number } {
  const n = values.length;
  if (n === 0) return { mean: 0, std: 0 };
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i];
  const mean = s / n;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i] - mean;
    v += d * d;
  }
  return { mean, std: Math.sqrt(v / n) };
}
