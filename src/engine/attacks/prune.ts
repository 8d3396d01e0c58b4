import * as tf from '@tensorflow/tfjs-core';
import type { Model } from '../models/types';
import type { AttackOptions, AttackedWeights } from './types';
import { cloneParams, disposeWeights, mapWeightTensors, readCopy, replaceEntry, weightParams } from './weights';

/**
 * Number of entries pruned for a fraction T of `size` entries. Our choice: EXACTLY floor(T·size)
 * (so T = 0.5 of 9 entries prunes 4; a fraction never rounds up to more than requested).
 */
export function prunedCount(fraction: number, size: number): number {
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`prune: fraction must be in [0, 1], got ${fraction}`);
  return Math.floor(fraction * size + 1e-9);
}

/**
 * Marks the k entries of smallest |value| (ties broken by position, lower index first) in
 * `mask` (1 = pruned). `abs` is a flat view over all candidates. Exactly k entries are marked.
 */
export function smallestMagnitudeMask(abs: Float32Array, k: number): Uint8Array {
  const mask = new Uint8Array(abs.length);
  if (k <= 0) return mask;
  if (k >= abs.length) return mask.fill(1);
  const sorted = Float32Array.from(abs).sort();
  const threshold = sorted[k - 1];
  let below = 0;
  for (let i = 0; i < abs.length; i++) {
    if (abs[i] < threshold) {
      mask[i] = 1;
      below++;
    }
  }
  let ties = k - below;
  for (let i = 0; i < abs.length && ties > 0; i++) {
    if (abs[i] === threshold) {
      mask[i] = 1;
      ties--;
    }
  }
  return mask;
}

function absOf(w: Float32Array): Float32Array {
  const a = new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) a[i] = Math.abs(w[i]);
  return a;
}

/**
 * Magnitude pruning per tensor (methods.md §5): in every weight tensor, the floor(T·size)
 * entries of smallest |w| are set to 0 (ties by index). T = 0 returns an exact copy.
 */
export async function pruneAttack(model: Model, fraction: number, _opts: AttackOptions): Promise<AttackedWeights> {
  prunedCount(fraction, 1);
  if (fraction === 0) return cloneParams(model);
  return mapWeightTensors(model, (_p, w) => {
    const mask = smallestMagnitudeMask(absOf(w), prunedCount(fraction, w.length));
    for (let i = 0; i < w.length; i++) if (mask[i]) w[i] = 0;
    return w;
  });
}

/**
 * Global magnitude pruning: one threshold over the concatenation of all weight tensors; exactly
 * floor(T·total) entries are zeroed (ties broken by model order, then index). T = 0 returns an exact copy.
 */
export async function globalPruneAttack(model: Model, fraction: number, _opts: AttackOptions): Promise<AttackedWeights> {
  prunedCount(fraction, 1);
  const out = cloneParams(model);
  if (fraction === 0) return out;
  try {
    const params = weightParams(model);
    const values: Float32Array[] = [];
    for (const p of params) values.push(await readCopy(model.params.get(p.name) as tf.Tensor));
    const total = values.reduce((s, v) => s + v.length, 0);
    const all = new Float32Array(total);
    let off = 0;
    for (const v of values) {
      for (let i = 0; i < v.length; i++) all[off + i] = Math.abs(v[i]);
      off += v.length;
    }
    const mask = smallestMagnitudeMask(all, prunedCount(fraction, total));
    off = 0;
    params.forEach((p, t) => {
      const w = values[t];
      for (let i = 0; i < w.length; i++) if (mask[off + i]) w[i] = 0;
      off += w.length;
      replaceEntry(out, p.name, tf.tensor(w, p.shape as number[], 'float32'));
    });
  } catch (e) {
    disposeWeights(out);
    throw e;
  }
  return out;
}
