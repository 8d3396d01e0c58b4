import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../../../src/engine/models';
import type { Model } from '../../../src/engine/models/types';
import { absQuantile } from '../../../src/engine/watermark/payload/codec';
import { applyKey, createKey, embedWatermark, keyBits } from '../../../src/engine/watermark/embed';
import { readKeyValues } from '../../../src/engine/watermark/extract';
import { parseKeyFile, serializeKey } from '../../../src/engine/watermark/keyFile';
import { seedFromHex } from '../../../src/engine/watermark/seed/seed';
import { calibrateNull, verifyWatermark } from '../../../src/engine/watermark/verify';
import { createTinyModel, GAP_TINY } from '../../fixtures/tinyModel';

const seed = seedFromHex('c0ffee'.padEnd(64, '0'));
const smallCnn = (s: number): Model =>
  createModel('cnn', { seed: s, inputShape: [8, 8, 3], numClasses: 4, options: { width: 4, hidden: 8 } });

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function snapshot(model: Model): Promise<Map<string, Float32Array>> {
  const m = new Map<string, Float32Array>();
  for (const [n, v] of model.params) m.set(n, new Float32Array(await v.data()));
  return m;
}

describe('embedding and verification', () => {
  it('BER = 0 and detected right after embedding (cnn), changing only the key positions', async () => {
    const model = smallCnn(1);
    const before = await snapshot(model);
    const n0 = tf.memory().numTensors;
    const { key, frozen } = await embedWatermark(model, { seed, payload: { kind: 'random-bits', count: 256 } });
    expect(tf.memory().numTensors).toBe(n0);
    const after = await snapshot(model);
    let changed = 0;
    for (const [name, w] of after) {
      const marked = new Set(frozen.get(name) ?? []);
      const b = before.get(name)!;
      for (let i = 0; i < w.length; i++) {
        if (!marked.has(i)) expect(w[i]).toBe(b[i]);
        else if (w[i] !== b[i]) changed++;
      }
    }
    expect(changed).toBeGreaterThan(100); // about half flip sign, some magnitudes are raised
    expect([...frozen.keys()].every((n) => /kernel$/.test(n))).toBe(true);
    // strength 0.5: every marked magnitude at least the tensor median of |w| at insertion
    for (const g of key.positions) {
      const med = absQuantile(before.get(g.tensor)!, 0.5);
      for (const i of g.indices) expect(Math.abs(after.get(g.tensor)![i])).toBeGreaterThanOrEqual(Math.fround(med) * (1 - 1e-6));
    }
    const r = await verifyWatermark(model, key);
    expect(r.ber).toBe(0);
    expect(r.errors).toBe(0);
    expect(r.erasures).toBe(0);
    expect(r.n).toBe(256);
    expect(r.detected).toBe(true);
    // the plain test: 2^-256; the calibrated one: Π(1 - r_i) over the positions, r_i from each tensor's sign rate
    expect(r.calibration.uniformLog10PValue).toBeCloseTo(-256 * Math.log10(2), 6);
    const rate = new Map(r.calibration.signRates.map((s) => [s.tensor, s.positiveFraction]));
    const bits = keyBits(key);
    let log10 = 0, o = 0;
    for (const g of key.positions) for (let j = 0; j < g.indices.length; j++, o++) log10 += Math.log10(1 - (bits[o] ? 1 - rate.get(g.tensor)! : rate.get(g.tensor)!));
    expect(r.log10PValue).toBeCloseTo(log10, 9);
    expect(r.perTensor.reduce((s, t) => s + t.n, 0)).toBe(256);
    // the verdict survives a JSON round trip of the key
    expect((await verifyWatermark(model, parseKeyFile(serializeKey(key)))).ber).toBe(0);
    model.dispose();
  });

  it('counts errors, erasures and per-tensor errors; decides at the threshold', async () => {
    const model = createTinyModel(5, GAP_TINY);
    const { key } = await embedWatermark(model, { seed, payload: { kind: 'random-bits', count: 30 } });
    // flip 3 marks and zero 2 in the first group
    const g = key.positions[0];
    const v = model.params.get(g.tensor)!;
    const w = new Float32Array(await v.data());
    for (let j = 0; j < 3; j++) w[g.indices[j]] = -w[g.indices[j]];
    for (let j = 3; j < 5; j++) w[g.indices[j]] = 0;
    v.assign(tf.tensor(w, v.shape));
    const r = await verifyWatermark(model, key);
    expect(r.errors).toBe(5);
    expect(r.erasures).toBe(2);
    expect(r.ber).toBeCloseTo(5 / 30, 12);
    expect(r.perTensor[0]).toEqual({ tensor: g.tensor, n: g.indices.length, errors: 5, erasures: 2 });
    // P[Bin(30, .5) <= 5] = 174437 / 2^30 ≈ 1.62e-4 (the plain test); the calibrated one is of the same order here
    expect(10 ** r.calibration.uniformLog10PValue).toBeCloseTo(174437 / 2 ** 30, 12);
    expect(r.pValue).toBeGreaterThan(1e-5);
    expect(r.pValue).toBeLessThan(1e-3);
    expect(r.detected).toBe(false);
    expect((await verifyWatermark(model, key, { threshold: 1e-3 })).detected).toBe(true);
    model.dispose();
  });

  it('text payload "© My Lab 2026" round-trips through the weights', async () => {
    const model = smallCnn(2);
    const { key } = await embedWatermark(model, { seed, payload: { kind: 'text', text: '© My Lab 2026' }, strength: 0 });
    expect(key.payload.kind).toBe('text');
    const r = await verifyWatermark(model, key);
    expect(r.message).toBe('© My Lab 2026');
    expect(r.n).toBe(112);
    expect(r.detected).toBe(true);
    model.dispose();
  });

  it('image payload round-trips with correlation 1', async () => {
    const model = smallCnn(3);
    const [w, h, c] = [6, 5, 3];
    const pixels = Uint8Array.from({ length: w * h * c }, (_, i) => (i * 53 + 7) % 256);
    const { key } = await embedWatermark(model, { seed, payload: { kind: 'image', width: w, height: h, channels: c, pixels }, imageScale: 0.04 });
    const values = await readKeyValues(model, key);
    expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(0.04 + 1e-7);
    const r = await verifyWatermark(model, key);
    expect(r.payloadKind).toBe('image');
    expect(r.image!.pixels).toEqual(pixels);
    expect(r.image!.correlation).toBeCloseTo(1, 9);
    expect(r.detected).toBe(true);
    expect(r.ber).toBe(0);
    // the same image key on an unmarked model: no correlation, not detected
    const other = smallCnn(4);
    const n = await verifyWatermark(other, key);
    expect(Math.abs(n.image!.correlation)).toBeLessThan(0.4);
    expect(n.detected).toBe(false);
    model.dispose();
    other.dispose();
  });

  it('re-applying a stored key reproduces the bits on a fresh model (applyKey)', async () => {
    const a = smallCnn(5);
    const key = createKey(a, { seed, payload: { kind: 'bits', bits: '1100101011110000' } });
    // a committed key writes the payload XOR its whitening; verification undoes it
    expect(Array.from(keyBits(key)).join('')).not.toBe('1100101011110000');
    const plain = createKey(a, { seed, payload: { kind: 'bits', bits: '1100101011110000' }, commit: false });
    expect(Array.from(keyBits(plain)).join('')).toBe('1100101011110000');
    const frozen = await applyKey(a, key);
    expect([...frozen.values()].reduce((s, v) => s + v.length, 0)).toBe(16);
    const v = await verifyWatermark(a, key);
    expect(v.ber).toBe(0);
    expect(v.decodedBits).toBe('1100101011110000');
    a.dispose();
  });

  it('null-model calibration: unmarked models give BER ≈ 0.5 and no false positive', async () => {
    const marked = smallCnn(10);
    const { key } = await embedWatermark(marked, { seed, payload: { kind: 'random-bits', count: 200 } });
    const nulls = [11, 12, 13, 14, 15].map(smallCnn);
    const cal = await calibrateNull(key, nulls);
    expect(cal.models).toBe(5);
    expect(cal.falsePositives).toBe(0);
    expect(cal.falsePositiveRate).toBe(0);
    expect(cal.berMean).toBeGreaterThan(0.35);
    expect(cal.berMean).toBeLessThan(0.65);
    expect(cal.bers).toHaveLength(5);
    // a loose threshold makes false positives possible: p = 0.9 flags most null models
    const loose = await calibrateNull(key, nulls, { threshold: 0.9 });
    expect(loose.falsePositives).toBeGreaterThan(0);
    for (const m of [marked, ...nulls]) m.dispose();
  });
});
