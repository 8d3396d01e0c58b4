import { describe, expect, it } from 'vitest';
import {
  absQuantile,
  decodeImageValues,
  decodeSigns,
  encodeImageValues,
  encodeSignValues,
  MAGNITUDE_FLOOR,
  pearson,
} from '../../../src/engine/watermark/payload/codec';
import { bitsFromString, bitsToString, bitsToText, randomBits, textToBits } from '../../../src/engine/watermark/payload/payloadBits';
import { base64ToBytes, bytesToBase64 } from '../../../src/engine/watermark/payload/base64';
import { seedFromHex } from '../../../src/engine/watermark/seed/seed';

describe('sign codec', () => {
  const w = Float32Array.from([0.5, -0.1, 0.02, -0.3, 0.0, 0.2, -0.05, 0.4]);

  it('computes the q-quantile of |w| with linear interpolation', () => {
    // |w| sorted: 0, .02, .05, .1, .2, .3, .4, .5
    expect(absQuantile(w, 0)).toBeCloseTo(0, 12);
    expect(absQuantile(w, 1)).toBeCloseTo(0.5, 6);
    expect(absQuantile(w, 0.5)).toBeCloseTo((0.1 + 0.2) / 2, 6); // position 3.5
  });

  it('writes sign(2b-1) with magnitude floor at the q-quantile and decodes it', () => {
    const idx = [0, 1, 2, 3, 4];
    const bits = [0, 1, 1, 0, 1];
    const v = encodeSignValues(w, idx, bits, 0.5);
    const floor = absQuantile(w, 0.5);
    expect(v[0]).toBeCloseTo(-0.5, 6); // |w| above floor kept
    expect(v[1]).toBeCloseTo(floor, 6); // 0.1 < 0.15 raised
    expect(v[2]).toBeCloseTo(floor, 6);
    expect(v[3]).toBeCloseTo(-0.3, 6);
    expect(v[4]).toBeCloseTo(floor, 6);
    const d = decodeSigns(v);
    expect(Array.from(d.bits)).toEqual(bits);
    expect(Array.from(d.erased)).toEqual([0, 0, 0, 0, 0]);
  });

  it('q = 0 keeps every magnitude; an exact zero gets the tiny floor instead of an erasure', () => {
    const idx = [0, 1, 2, 3, 4, 5];
    const bits = [1, 1, 0, 1, 0, 0];
    const v = encodeSignValues(w, idx, bits, 0);
    for (let k = 0; k < 4; k++) expect(Math.abs(v[k])).toBe(Math.abs(w[idx[k]]));
    expect(v[4]).toBe(-Math.fround(MAGNITUDE_FLOOR));
    expect(Array.from(decodeSigns(v).bits)).toEqual(bits);
  });

  it('decodes exact zeros and NaN as erasures', () => {
    const d = decodeSigns([0, -0, 1, -1, NaN]);
    expect(Array.from(d.erased)).toEqual([1, 1, 0, 0, 1]);
    expect(Array.from(d.bits)).toEqual([0, 0, 1, 0, 0]);
  });
});

describe('text and bit payloads', () => {
  it('round-trips "© My Lab 2026" through UTF-8 bits (MSB first)', () => {
    const text = '© My Lab 2026';
    const bits = textToBits(text);
    expect(bits.length).toBe(8 * 14); // © is two UTF-8 bytes
    expect(bitsToString(bits.subarray(0, 16))).toBe('1100001010101001'); // C2 A9
    expect(bitsToText(bits)).toBe(text);
    const damaged = Uint8Array.from(bits);
    damaged[0] = 0; // C2 -> 42 'B', A9 becomes an invalid lone continuation byte
    expect(bitsToText(damaged)).toBe('B\uFFFD My Lab 2026');
  });

  it('random bits come from the seed and are balanced', () => {
    const seed = seedFromHex('ab'.repeat(32));
    const a = randomBits(seed, 4000);
    expect(randomBits(seed, 4000)).toEqual(a);
    const ones = a.reduce((s, b) => s + b, 0);
    expect(Math.abs(ones - 2000)).toBeLessThan(130); // ~4 s.e.
    expect(bitsFromString(bitsToString(a))).toEqual(a);
    expect(() => bitsFromString('0120')).toThrow();
  });
});

describe('image payload', () => {
  it('round-trips pixels through v = s(2p/255 - 1) and correlates 1 with the original', () => {
    const px = Uint8Array.from({ length: 300 }, (_, i) => (i * 37) % 256);
    const v = encodeImageValues(px, 0.05);
    expect(v[0]).toBeCloseTo(-0.05, 7);
    expect(Math.max(...v)).toBeLessThanOrEqual(0.05 + 1e-7);
    const back = decodeImageValues(v, 0.05);
    expect(back).toEqual(px);
    expect(pearson(px, back)).toBeCloseTo(1, 12);
    // clamping
    expect(Array.from(decodeImageValues([1, -1, NaN], 0.05))).toEqual([255, 0, 0]);
  });

  it('pearson handles anti-correlation and constants', () => {
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(pearson([1, 1, 1], [3, 2, 1])).toBe(0);
  });

  it('base64 round-trips every length and matches Buffer', () => {
    for (let n = 0; n < 20; n++) {
      const b = Uint8Array.from({ length: n }, (_, i) => (i * 91 + n) % 256);
      const s = bytesToBase64(b);
      expect(s).toBe(Buffer.from(b).toString('base64'));
      expect(base64ToBytes(s)).toEqual(b);
    }
    expect(() => base64ToBytes('abc')).toThrow(/base64/);
  });
});
