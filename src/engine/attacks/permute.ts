import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../random/rng';
import type { Model } from '../models/types';
import type { AttackOptions, AttackedWeights } from './types';
import { permutableGroups, type PermutableGroup } from './permutableGroups';
import { cloneParams, disposeWeights, replaceEntry } from './weights';

/**
 * The unit permutation of one group for strength p: m = round(p·units) units drawn at random
 * are moved along one random cycle (Sattolo's algorithm), so EXACTLY m units change place
 * (none of the chosen ones stays fixed; m = 1 moves none); the others stay. perm[newUnit] = oldUnit.
 */
export function unitPermutation(units: number, p: number, rng: Rng): Int32Array {
  const perm = new Int32Array(units);
  for (let i = 0; i < units; i++) perm[i] = i;
  const m = Math.round(p * units);
  if (m < 2) return perm;
  const chosen = rng.permutation(units).subarray(0, m);
  const cycled = Int32Array.from(chosen);
  for (let i = m - 1; i > 0; i--) {
    const j = rng.int(i); // Sattolo: j < i gives a single m-cycle
    const t = cycled[i];
    cycled[i] = cycled[j];
    cycled[j] = t;
  }
  for (let k = 0; k < m; k++) perm[chosen[k]] = cycled[k];
  return perm;
}

/** Gather indices along an axis of length len = S·units: new index s·units + c ← s·units + perm[c]. */
function axisIndex(perm: Int32Array, len: number): Int32Array {
  const units = perm.length;
  if (len % units !== 0) throw new Error(`permute: axis length ${len} is not a multiple of ${units}`);
  const idx = new Int32Array(len);
  for (let i = 0; i < len; i++) idx[i] = i - (i % units) + perm[i % units];
  return idx;
}

function currentTensor(model: Model, out: AttackedWeights, name: string): tf.Tensor {
  const t = out.get(name) ?? model.params.get(name) ?? model.state.get(name);
  if (!t) throw new Error(`permute: unknown tensor ${name}`);
  return t;
}

function applyGroup(model: Model, out: AttackedWeights, g: PermutableGroup, perm: Int32Array): void {
  for (const ax of [...g.producers, ...g.consumers]) {
    const src = currentTensor(model, out, ax.name);
    const next = tf.tidy(() => tf.gather(src, tf.tensor1d(axisIndex(perm, src.shape[ax.axis]), 'int32'), ax.axis));
    replaceEntry(out, ax.name, next);
  }
}

/**
 * Neuron permutation (methods.md §5): in every permutable group (see permutableGroups.ts),
 * permute the output units of a layer (kernel, bias, BatchNorm gamma/beta AND its moving
 * statistics) and the matching inputs of the next layer. The function is unchanged; position
 * keys break. Strength p ∈ [0, 1] = fraction of units moved per group (p = 0: exact copy).
 * The result also holds entries for the permuted BatchNorm moving statistics (state names), so
 * the model's forward must accept state names in `overrides`.
 */
export async function permuteAttack(model: Model, p: number, opts: AttackOptions): Promise<AttackedWeights> {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`permute: fraction must be in [0, 1], got ${p}`);
  const out = cloneParams(model);
  if (p === 0) return out;
  try {
    const rng = new Rng(opts.seed).fork('attack/permute');
    for (const g of permutableGroups(model)) {
      const perm = unitPermutation(g.units, p, rng);
      applyGroup(model, out, g, perm);
    }
  } catch (e) {
    disposeWeights(out);
    throw e;
  }
  return out;
}
