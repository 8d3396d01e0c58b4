import { WEIGHT_ROLES, type ParamInfo, type ParamRole } from '../models/types';
import type { FrozenPositions } from '../train/types';
import { shapeSize } from './fingerprint';
import { SeedStream } from './seed/seedStream';

/** Key positions of one tensor: flat row-major indices (TF layout), sorted ascending. */
export interface PositionGroup {
  readonly tensor: string;
  readonly indices: readonly number[];
}

/** Label of the position stream derived from the secret seed (see SeedStream). */
export const POSITIONS_STREAM_LABEL = 'watermas-lab/positions/v1';

/** Roles eligible with `includeBiasesAndNorm`: weights plus biases and normalisation affine params. */
export const WEIGHT_BIAS_NORM_ROLES: readonly ParamRole[] = [
  ...WEIGHT_ROLES,
  'bias',
  'bn-gamma',
  'bn-beta',
  'ln-gamma',
  'ln-beta',
];

export interface PositionOptions {
  /** Parameter roles that may carry the mark; default WEIGHT_ROLES (conv, depthwise and dense kernels). */
  readonly roles?: readonly ParamRole[];
  /** Restrict to these parameter names (in addition to the role filter). */
  readonly tensors?: readonly string[];
  /**
   * How draws are spread over the tensors: 'proportional' (default, methods.md §1.1: a tensor with
   * probability proportional to its remaining size) or 'equal' (each tensor with free weights equally
   * likely, so small conv layers get as many marks as the big dense ones).
   */
  readonly allocation?: 'proportional' | 'equal';
}

/** The parameters a key may use, in the model's parameter order. */
export function eligibleTensors(paramInfo: readonly ParamInfo[], opts: PositionOptions = {}): ParamInfo[] {
  const roles = new Set(opts.roles ?? WEIGHT_ROLES);
  const names = opts.tensors ? new Set(opts.tensors) : null;
  if (names) {
    for (const n of names) {
      if (!paramInfo.some((p) => p.name === n)) throw new Error(`Unknown tensor '${n}' requested for the key.`);
    }
  }
  return paramInfo.filter((p) => roles.has(p.role) && (!names || names.has(p.name)));
}

/**
 * Draws n distinct key positions from a 256-bit seed (methods.md §1.1).
 *
 * Each draw picks a tensor with probability proportional to its REMAINING free size
 * (uniform integer r in [0, remainingTotal), walked over the tensors in parameter order),
 * then a uniform index among that tensor's remaining free indices (a sparse Fisher-Yates
 * shuffle per tensor: O(1) per draw, memory O(n)). Randomness: SeedStream(seed,
 * POSITIONS_STREAM_LABEL), integer-only, so the same seed and architecture give the same
 * positions in Node and in every browser.
 *
 * Returns one group per tensor that received positions, in parameter order, indices sorted
 * ascending. This is also the bit order of the payload: bit k sits at the k-th position of
 * the concatenated groups.
 */
export function selectPositions(
  paramInfo: readonly ParamInfo[],
  n: number,
  seed: Uint8Array,
  opts: PositionOptions = {},
): PositionGroup[] {
  const tensors = eligibleTensors(paramInfo, opts);
  if (tensors.length === 0) throw new Error('No tensor is eligible for the key (check the layer roles).');
  const remaining = tensors.map((t) => shapeSize(t.shape));
  let total = remaining.reduce((s, v) => s + v, 0);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`The key needs n >= 1 positions, got ${n}.`);
  if (n > total) throw new RangeError(`The key asks for ${n} positions but the eligible tensors hold only ${total} weights.`);
  if (total > 0x100000000) throw new RangeError('Eligible tensors exceed 2^32 weights.');

  const stream = new SeedStream(seed, POSITIONS_STREAM_LABEL);
  const swaps = tensors.map(() => new Map<number, number>());
  const picked: number[][] = tensors.map(() => []);
  const equal = opts.allocation === 'equal';
  for (let k = 0; k < n; k++) {
    let t = 0;
    if (equal) {
      // uniform among the tensors that still have free weights
      let r = stream.int(remaining.filter((m) => m > 0).length);
      while (remaining[t] === 0 || r-- > 0) t++;
    } else {
      let r = stream.int(total);
      while (r >= remaining[t]) {
        r -= remaining[t];
        t++;
      }
    }
    // uniform among the remaining free indices of tensor t: virtual array a[0..m) of free indices
    const m = remaining[t];
    const j = stream.int(m);
    const sw = swaps[t];
    const value = sw.get(j) ?? j;
    const last = sw.get(m - 1) ?? m - 1;
    sw.set(j, last);
    sw.delete(m - 1);
    picked[t].push(value);
    remaining[t]--;
    total--;
  }
  const groups: PositionGroup[] = [];
  tensors.forEach((info, t) => {
    if (picked[t].length > 0) groups.push({ tensor: info.name, indices: picked[t].sort((a, b) => a - b) });
  });
  return groups;
}

/** Total number of positions in a key. */
export function positionCount(groups: readonly PositionGroup[]): number {
  return groups.reduce((s, g) => s + g.indices.length, 0);
}

/** The key positions in the trainer's freeze format (a fresh Int32Array per tensor). */
export function toFrozenPositions(groups: readonly PositionGroup[]): FrozenPositions {
  return new Map(groups.map((g) => [g.tensor, Int32Array.from(g.indices)]));
}
