import * as tf from '@tensorflow/tfjs-core';
import type { Model } from '../models/types';
import type { FrozenPositions } from './types';

/** Checks that every frozen name exists and every index is inside its tensor. */
export function validateFrozen(model: Model, frozen: FrozenPositions): void {
  for (const [name, idx] of frozen) {
    const v = model.params.get(name);
    if (!v) throw new Error(`frozen positions name an unknown parameter: ${name}`);
    for (let i = 0; i < idx.length; i++) {
      if (idx[i] < 0 || idx[i] >= v.size) throw new Error(`frozen index ${idx[i]} out of range for ${name} (size ${v.size})`);
    }
  }
}

/**
 * Boolean masks (true = frozen), one per parameter that has frozen positions, in the
 * parameter's shape. The caller owns (disposes) them.
 */
export function buildFrozenMasks(model: Model, frozen: FrozenPositions | undefined): Map<string, tf.Tensor> {
  const masks = new Map<string, tf.Tensor>();
  if (!frozen) return masks;
  validateFrozen(model, frozen);
  for (const [name, idx] of frozen) {
    if (idx.length === 0) continue;
    const v = model.params.get(name)!;
    const flags = new Uint8Array(v.size);
    for (let i = 0; i < idx.length; i++) flags[idx[i]] = 1;
    masks.set(name, tf.tidy(() => tf.cast(tf.tensor(flags, v.shape, 'int32'), 'bool')));
  }
  return masks;
}

/** The current values at the frozen positions (per name, in the order of the indices). */
export async function snapshotFrozen(model: Model, frozen: FrozenPositions): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [name, idx] of frozen) {
    const v = model.params.get(name);
    if (!v) throw new Error(`frozen positions name an unknown parameter: ${name}`);
    const data = (await v.data()) as Float32Array;
    const snap = new Float32Array(idx.length);
    for (let i = 0; i < idx.length; i++) snap[i] = data[idx[i]];
    out.set(name, snap);
  }
  return out;
}

/** Bitwise comparison (Uint32 views, so -0 != +0 and NaN payloads count) of two snapshots. */
export function snapshotsBitwiseEqual(a: ReadonlyMap<string, Float32Array>, b: ReadonlyMap<string, Float32Array>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, va] of a) {
    const vb = b.get(name);
    if (!vb || vb.length !== va.length) return false;
    const ua = new Uint32Array(va.buffer, va.byteOffset, va.length);
    const ub = new Uint32Array(vb.buffer, vb.byteOffset, vb.length);
    for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return false;
  }
  return true;
}
