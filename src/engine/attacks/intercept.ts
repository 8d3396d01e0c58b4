import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../random/rng';
import type { Model } from '../models/types';
import type { AttackOptions, AttackedWeights, KeyPositions } from './types';
import { cloneParams, disposeWeights, readCopy, replaceEntry } from './weights';

/** Number of marked entries rewritten for a fraction f of n: round(f·n), half up (Math.round). */
export function interceptedCount(fraction: number, n: number): number {
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`intercept: fraction must be in [0, 1], got ${fraction}`);
  return Math.round(fraction * n);
}

/**
 * Key interception (security, methods.md §5): the attacker knows the key positions and rewrites
 * exactly round(f·n) of the n marked entries, chosen uniformly without replacement:
 * - 'flip' (default): w ← −w (changes every nonzero entry);
 * - 'resample': w ← the value of another, uniformly drawn entry of the same tensor (the tensor's
 *   empirical distribution, read from the original values), redrawn (up to 64 times) while it
 *   equals the current value so that the entry really changes.
 * f = 0 returns an exact copy.
 */
export async function interceptAttack(model: Model, fraction: number, opts: AttackOptions): Promise<AttackedWeights> {
  const positions: readonly KeyPositions[] = opts.positions ?? [];
  if (!opts.positions) throw new Error('intercept: the attack needs the key positions (opts.positions)');
  const n = positions.reduce((s, p) => s + p.indices.length, 0);
  const k = interceptedCount(fraction, n);
  const out = cloneParams(model);
  if (k === 0) return out;
  try {
    const rng = new Rng(opts.seed).fork('attack/intercept');
    const pick = rng.permutation(n).subarray(0, k);
    const chosen = new Uint8Array(n);
    for (const g of pick) chosen[g] = 1;
    const mode = opts.interceptMode ?? 'flip';
    // Group by tensor (a tensor may appear in several entries).
    const byTensor = new Map<string, number[]>();
    let g = 0;
    for (const p of positions) {
      for (const i of p.indices) {
        if (chosen[g++]) {
          const list = byTensor.get(p.tensor) ?? [];
          list.push(i);
          byTensor.set(p.tensor, list);
        }
      }
    }
    for (const [name, idx] of byTensor) {
      const v = model.params.get(name);
      if (!v) throw new Error(`intercept: unknown tensor ${name}`);
      const original = await readCopy(v);
      const w = Float32Array.from(original);
      for (const i of idx) {
        if (i < 0 || i >= w.length) throw new RangeError(`intercept: index ${i} out of range for ${name}`);
        if (mode === 'flip') {
          w[i] = -original[i];
        } else {
          let value = original[i];
          for (let tries = 0; tries < 64 && value === original[i] && original.length > 1; tries++) {
            let j = rng.int(original.length - 1);
            if (j >= i) j++;
            value = original[j];
          }
          w[i] = value;
        }
      }
      replaceEntry(out, name, tf.tensor(w, v.shape, 'float32'));
    }
  } catch (e) {
    disposeWeights(out);
    throw e;
  }
  return out;
}
