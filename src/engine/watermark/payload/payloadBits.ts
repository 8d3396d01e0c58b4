import { SeedStream } from '../seed/seedStream';

/** Label of the payload-bit stream derived from the secret seed. */
export const PAYLOAD_STREAM_LABEL = 'watermas-lab/payload-bits/v1';

/**
 * Text payload (our choice): the UTF-8 bytes of the text, each byte most-significant bit first;
 * n = 8 · bytes. The length is fixed by the key (n), so no terminator is needed.
 */
export function textToBits(text: string): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  const bits = new Uint8Array(bytes.length * 8);
  for (let i = 0; i < bytes.length; i++) {
    for (let j = 0; j < 8; j++) bits[8 * i + j] = (bytes[i] >> (7 - j)) & 1;
  }
  return bits;
}

/** Inverse of textToBits; invalid UTF-8 (damaged bits) decodes to U+FFFD replacement characters. */
export function bitsToText(bits: ArrayLike<number>): string {
  if (bits.length % 8 !== 0) throw new RangeError(`A text payload has a multiple of 8 bits, got ${bits.length}`);
  const bytes = new Uint8Array(bits.length / 8);
  for (let i = 0; i < bytes.length; i++) {
    let b = 0;
    for (let j = 0; j < 8; j++) b = (b << 1) | (bits[8 * i + j] ? 1 : 0);
    bytes[i] = b;
  }
  return new TextDecoder('utf-8').decode(bytes);
}

/** n random payload bits from the secret seed (a stream independent of the positions). */
export function randomBits(seed: Uint8Array, n: number): Uint8Array {
  const s = new SeedStream(seed, PAYLOAD_STREAM_LABEL);
  const bits = new Uint8Array(n);
  for (let i = 0; i < n; i++) bits[i] = s.bit();
  return bits;
}

/** Bits as a '0'/'1' string (the key-file form). */
export function bitsToString(bits: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < bits.length; i++) s += bits[i] ? '1' : '0';
  return s;
}

/** Parses a '0'/'1' string. */
export function bitsFromString(s: string): Uint8Array {
  if (!/^[01]*$/.test(s)) throw new Error('A bit string may only contain 0 and 1.');
  const bits = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bits[i] = s.charCodeAt(i) === 49 ? 1 : 0;
  return bits;
}
