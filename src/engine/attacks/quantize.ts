import type { Model } from '../models/types';
import type { AttackOptions, AttackedWeights } from './types';
import { cloneParams, mapWeightTensors } from './weights';

/**
 * Uniform min-max quantization of one tensor's values to `bits` bits, in place:
 * s = (max − min)/(2^B − 1), w_q = round((w − min)/s)·s + min. At most 2^B distinct values.
 * A constant tensor (max = min) is left as is.
 */
export function quantizeValues(w: Float32Array, bits: number): Float32Array {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < w.length; i++) {
    if (w[i] < min) min = w[i];
    if (w[i] > max) max = w[i];
  }
  const s = (max - min) / (2 ** bits - 1);
  if (!(s > 0)) return w;
  for (let i = 0; i < w.length; i++) w[i] = Math.round((w[i] - min) / s) * s + min;
  return w;
}

/**
 * Quantization attack (methods.md §5), per weight tensor, B bits. Our choice: B = 0 means
 * "no quantization" (exact copy), so that the strength-0 convention holds for every attack;
 * B must otherwise be an integer in [1, 32].
 */
export async function quantizeAttack(model: Model, bits: number, _opts: AttackOptions): Promise<AttackedWeights> {
  if (!(Number.isInteger(bits) && bits >= 0 && bits <= 32)) throw new RangeError(`quantize: bits must be an integer in [0, 32], got ${bits}`);
  if (bits === 0) return cloneParams(model);
  return mapWeightTensors(model, (_p, w) => quantizeValues(w, bits));
}
