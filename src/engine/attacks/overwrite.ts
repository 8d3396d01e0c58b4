import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../random/rng';
import type { Model } from '../models/types';
import type { AttackOptions, AttackedWeights } from './types';
import { cloneParams, disposeWeights, readCopy, replaceEntry, weightParams } from './weights';

/**
 * Draws n distinct flat positions uniformly over the concatenation of tensors of the given
 * sizes (equivalent to "tensor with probability proportional to its remaining size, then a
 * uniform index inside it"). Returns the sorted indices per tensor (same order as `sizes`).
 */
export function drawPositions(sizes: readonly number[], n: number, rng: Rng): Int32Array[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (!(Number.isInteger(n) && n >= 0 && n <= total)) throw new RangeError(`need an integer count in [0, ${total}], got ${n}`);
  let chosen: number[];
  if (n * 2 > total) {
    chosen = Array.from(rng.permutation(total).subarray(0, n));
  } else {
    const set = new Set<number>();
    while (set.size < n) set.add(rng.int(total));
    chosen = [...set];
  }
  chosen.sort((a, b) => a - b);
  const out: number[][] = sizes.map(() => []);
  let t = 0;
  let start = 0;
  for (const g of chosen) {
    while (g >= start + sizes[t]) {
      start += sizes[t];
      t++;
    }
    out[t].push(g - start);
  }
  return out.map((a) => Int32Array.from(a));
}

/** q-quantile (0..1, nearest-rank on the sorted values) of |w|. */
export function absQuantile(w: Float32Array, q: number): number {
  if (w.length === 0 || q <= 0) return 0;
  const a = Float32Array.from(w, Math.abs).sort();
  return a[Math.min(a.length - 1, Math.floor(q * (a.length - 1)))];
}

/**
 * Overwriting (methods.md §5): the attacker embeds a second sign mark of n bits with a fresh
 * key, self-contained: n fresh random positions over the weight tensors, random signs, and
 * substitution v = ±max(|w|, quantile_q(|w|)) with q = `opts.overwriteQuantile` (default 0,
 * i.e. v = ±|w|; an exact zero stays 0). Strength = n (number of overwritten entries). n = 0
 * returns an exact copy. The attacker does not know the owner's key, so the new positions may
 * hit marked entries only by chance.
 */
export async function overwriteAttack(model: Model, n: number, opts: AttackOptions): Promise<AttackedWeights> {
  const out = cloneParams(model);
  if (n === 0) return out;
  try {
    const params = weightParams(model);
    const rng = new Rng(opts.seed).fork('attack/overwrite');
    const positions = drawPositions(params.map((p) => p.shape.reduce((a, b) => a * b, 1)), Math.round(n), rng);
    const q = opts.overwriteQuantile ?? 0;
    for (let t = 0; t < params.length; t++) {
      const idx = positions[t];
      if (idx.length === 0) continue;
      const p = params[t];
      const w = await readCopy(model.params.get(p.name) as tf.Tensor);
      const floor = absQuantile(w, q);
      for (const i of idx) {
        const sign = rng.int(2) === 1 ? 1 : -1;
        w[i] = sign * Math.max(Math.abs(w[i]), floor);
      }
      replaceEntry(out, p.name, tf.tensor(w, p.shape as number[], 'float32'));
    }
  } catch (e) {
    disposeWeights(out);
    throw e;
  }
  return out;
}
