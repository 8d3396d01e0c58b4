import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

export interface TensorShape {
  readonly name: string;
  readonly shape: readonly number[];
}

/**
 * Architecture fingerprint: SHA-256 (hex) of the ordered parameter list, one line per
 * parameter `name:d0xd1x...` (a scalar has an empty shape), lines joined with '\n', UTF-8.
 */
export function architectureFingerprint(tensors: readonly TensorShape[]): string {
  const text = tensors.map((t) => `${t.name}:${t.shape.join('x')}`).join('\n');
  return bytesToHex(sha256(utf8ToBytes(text)));
}

/** Number of scalars in a shape. */
export function shapeSize(shape: readonly number[]): number {
  let s = 1;
  for (const d of shape) s *= d;
  return s;
}
