import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { IDENTITY_AUGMENT, augmentImage, augmentNormalizeInto, drawAugmentParams } from '../../../src/engine/data/augment';
import { BatchStream, evalBatches } from '../../../src/engine/data/batches';
import { CIFAR10_NORMALIZATION, computeNormalization, normalizationLut, normalizePixels } from '../../../src/engine/data/normalize';
import { parseCifarBatch } from '../../../src/engine/data/cifar10';
import { generateSynthetic } from '../../../src/engine/data/synthetic';
import type { ImageSet, Normalization } from '../../../src/engine/data/types';
import { Rng } from '../../../src/engine/random/rng';
import { hasRealCifar, readRealTestBatch } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const norm: Normalization = { mean: [0.5, 0.4, 0.3], std: [0.25, 0.2, 0.3] };

/** n images whose every pixel byte is the image's index (n <= 256), labels (7 * i) % 10. */
function indexCodedSet(n: number): ImageSet {
  const images = new Uint8Array(n * 3072);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) { images.fill(i, i * 3072, (i + 1) * 3072); labels[i] = (7 * i) % 10; }
  return { images, labels, count: n, height: 32, width: 32, channels: 3 };
}

/** A 4x4x1 image with distinct pixels, for exact geometry checks. */
const tiny = Uint8Array.from({ length: 16 }, (_, i) => i + 1);

describe('augmentation (uint8 transform)', () => {
  it('flip of a flip is the identity, and a flip mirrors rows', () => {
    const f = augmentImage(tiny, 4, 4, 1, { dx: 0, dy: 0, flip: true });
    expect(Array.from(f.subarray(0, 4))).toEqual([4, 3, 2, 1]);
    expect(augmentImage(f, 4, 4, 1, { dx: 0, dy: 0, flip: true })).toEqual(tiny);
    expect(augmentImage(tiny, 4, 4, 1, IDENTITY_AUGMENT)).toEqual(tiny);
  });

  it('crops with zero padding: a shift moves pixels and fills zeros', () => {
    const s = augmentImage(tiny, 4, 4, 1, { dx: 1, dy: -1, flip: false });
    // out(y, x) = in(y - 1, x + 1); row 0 and column 3 come from outside -> 0
    expect(Array.from(s)).toEqual([0, 0, 0, 0, 2, 3, 4, 0, 6, 7, 8, 0, 10, 11, 12, 0]);
  });

  it('draws shifts in -4..4 and both flips, reproducibly', () => {
    const a = new Rng(3), b = new Rng(3);
    const seenDx = new Set<number>(), seenFlip = new Set<boolean>();
    for (let i = 0; i < 500; i++) {
      const p = drawAugmentParams(a);
      expect(drawAugmentParams(b)).toEqual(p);
      expect(Math.abs(p.dx)).toBeLessThanOrEqual(4);
      expect(Math.abs(p.dy)).toBeLessThanOrEqual(4);
      seenDx.add(p.dx); seenFlip.add(p.flip);
    }
    expect(seenDx.size).toBe(9);
    expect(seenFlip.size).toBe(2);
  });

  it('the fused float path equals normalise(uint8 transform), padding = normalised black', () => {
    const ds = generateSynthetic({ seed: 2, trainCount: 3, testCount: 0 });
    const lut = normalizationLut(norm);
    for (const p of [{ dx: 3, dy: -4, flip: true }, { dx: -2, dy: 1, flip: false }, IDENTITY_AUGMENT]) {
      const out = new Float32Array(3072);
      augmentNormalizeInto(ds.train.images, 3072, 32, 32, p, lut, out, 0);
      const ref = normalizePixels(augmentImage(ds.train.images.subarray(3072, 6144), 32, 32, 3, p), norm);
      expect(out).toEqual(ref);
    }
  });
});

describe('normalisation', () => {
  it('computeNormalization matches a direct computation', () => {
    const ds = generateSynthetic({ seed: 4, trainCount: 30, testCount: 0 });
    const n = computeNormalization(ds.train);
    for (let c = 0; c < 3; c++) {
      let s = 0, s2 = 0, k = 0;
      for (let i = c; i < ds.train.images.length; i += 3) { const x = ds.train.images[i] / 255; s += x; s2 += x * x; k++; }
      const m = s / k;
      expect(n.mean[c]).toBeCloseTo(m, 10);
      expect(n.std[c]).toBeCloseTo(Math.sqrt(s2 / k - m * m), 10);
    }
  });

  it.skipIf(!hasRealCifar)('the CIFAR-10 constants match the statistics of the real test batch', () => {
    const n = computeNormalization(parseCifarBatch(readRealTestBatch(), 'test_batch.bin'));
    for (let c = 0; c < 3; c++) {
      expect(Math.abs(n.mean[c] - CIFAR10_NORMALIZATION.mean[c])).toBeLessThan(0.01);
      expect(Math.abs(n.std[c] - CIFAR10_NORMALIZATION.std[c])).toBeLessThan(0.01);
    }
  });
});

describe('BatchStream', () => {
  it('gives float32 [B,32,32,3] / int32 [B]; without augmentation x equals the normalised source pixels', async () => {
    const ds = generateSynthetic({ seed: 1, trainCount: 24, testCount: 0 });
    const stream = new BatchStream(ds.train, { batchSize: 8, seed: 9, normalization: norm, augment: false, shuffle: true });
    expect(stream.batchesPerEpoch).toBe(3);
    for (const { batch, indices, realCount } of stream.epoch(0)) {
      expect(batch.x.shape).toEqual([8, 32, 32, 3]);
      expect(batch.x.dtype).toBe('float32');
      expect(batch.y.shape).toEqual([8]);
      expect(batch.y.dtype).toBe('int32');
      expect(realCount).toBe(8);
      const x = await batch.x.data(), y = await batch.y.data();
      indices.forEach((src, k) => {
        expect(y[k]).toBe(ds.train.labels[src]);
        // Independent reference: (v / 255 - mean[c]) / std[c] per byte, rounded to float32.
        const ref = Float32Array.from(ds.train.images.subarray(src * 3072, (src + 1) * 3072), (v, i) => (v / 255 - norm.mean[i % 3]) / norm.std[i % 3]);
        expect(x.subarray(k * 3072, (k + 1) * 3072)).toEqual(ref);
      });
      tf.dispose([batch.x, batch.y]);
    }
  });

  it('augmentation keeps shapes and label alignment', async () => {
    const set = indexCodedSet(40);
    const lut = normalizationLut(norm);
    const stream = new BatchStream(set, { batchSize: 16, seed: 1, normalization: norm, augment: true, lastBatch: 'pad' });
    let shifted = 0;
    for (const { batch, indices } of stream.epoch(0)) {
      expect(batch.x.shape).toEqual([16, 32, 32, 3]);
      const x = await batch.x.data(), y = await batch.y.data();
      for (let k = 0; k < 16; k++) {
        // The centre pixel always comes from the image (shift <= 4): it names the source image.
        const centre = x[k * 3072 + (16 * 32 + 16) * 3];
        const src = Math.round(((centre * norm.std[0] + norm.mean[0]) * 255));
        expect(src).toBe(indices[k]);
        expect(y[k]).toBe(set.labels[src]);
        // Corners show the padding (normalised black) whenever the crop was shifted that way.
        if (x[k * 3072] === lut[0] || x[k * 3072 + 3071 - 2] === lut[0]) shifted++;
      }
      tf.dispose([batch.x, batch.y]);
    }
    expect(shifted).toBeGreaterThan(10);
  });

  it('seeded shuffles are reproducible and differ across seeds and epochs; augmentation is reproducible', async () => {
    const set = indexCodedSet(100);
    const mk = (seed: number) => new BatchStream(set, { batchSize: 10, seed, normalization: norm, augment: true });
    const a = mk(5), b = mk(5), c = mk(6);
    const o = a.epochOrder(0);
    expect(Array.from(o).sort((p, q) => p - q)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(b.epochOrder(0)).toEqual(o);
    expect(a.epochOrder(1)).not.toEqual(o);
    expect(c.epochOrder(0)).not.toEqual(o);
    const first = (s: BatchStream) => { const it = s.epoch(2).next(); if (it.done) throw new Error('no batch'); return it.value.batch; };
    const ba = first(a), bb = first(b), bc = first(c);
    expect(await ba.x.data()).toEqual(await bb.x.data());
    expect(await ba.y.data()).toEqual(await bb.y.data());
    expect(await ba.y.data()).not.toEqual(await bc.y.data());
    tf.dispose([ba.x, ba.y, bb.x, bb.y, bc.x, bc.y]);
    // No shuffle: identity order.
    const plain = new BatchStream(set, { batchSize: 10, seed: 5, normalization: norm, shuffle: false });
    expect(Array.from(plain.epochOrder(3))).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it("resuming from a batch (epoch(e, fromBatch)) reproduces the same batches", async () => {
    const set = indexCodedSet(50);
    const s = new BatchStream(set, { batchSize: 10, seed: 8, normalization: norm, augment: true });
    const all = [...s.epoch(1)];
    const tail = [...s.epoch(1, 3)];
    expect(tail).toHaveLength(2);
    for (let k = 0; k < 2; k++) {
      expect(tail[k].indices).toEqual(all[3 + k].indices);
      expect(await tail[k].batch.x.data()).toEqual(await all[3 + k].batch.x.data());
    }
    for (const { batch } of [...all, ...tail]) tf.dispose([batch.x, batch.y]);
  });

  it("'drop' and 'pad' keep every batch the same shape; 'pad' reports the real count", () => {
    const set = indexCodedSet(10);
    const drop = new BatchStream(set, { batchSize: 4, seed: 1, normalization: norm, lastBatch: 'drop' });
    const pad = new BatchStream(set, { batchSize: 4, seed: 1, normalization: norm, lastBatch: 'pad' });
    expect(drop.batchesPerEpoch).toBe(2);
    expect(pad.batchesPerEpoch).toBe(3);
    const d = [...drop.epoch(0)];
    expect(d.map((b) => b.batch.x.shape[0])).toEqual([4, 4]);
    expect(d.map((b) => b.realCount)).toEqual([4, 4]);
    const p = [...pad.epoch(0)];
    expect(p.map((b) => b.batch.x.shape)).toEqual([[4, 32, 32, 3], [4, 32, 32, 3], [4, 32, 32, 3]]);
    expect(p.map((b) => b.realCount)).toEqual([4, 4, 2]);
    const order = pad.epochOrder(0);
    // The last batch: 2 real samples, then the first 2 of the epoch's order.
    expect(Array.from(p[2].indices)).toEqual([order[8], order[9], order[0], order[1]]);
    const seen = new Set(p.flatMap((b) => Array.from(b.indices.subarray(0, b.realCount))));
    expect(seen.size).toBe(10);
    for (const { batch } of [...d, ...p]) tf.dispose([batch.x, batch.y]);
    expect(() => new BatchStream(indexCodedSet(3), { batchSize: 4, seed: 1, normalization: norm })).toThrow(/no full batch/);
  });

  it('evalBatches covers every image once, in order, with fixed shapes', async () => {
    const set = indexCodedSet(23);
    const items = [...evalBatches(set, 8, norm)];
    expect(items.map((i) => i.realCount)).toEqual([8, 8, 7]);
    expect(items.every((i) => i.batch.x.shape[0] === 8)).toBe(true);
    const real = items.flatMap((i) => Array.from(i.indices.subarray(0, i.realCount)));
    expect(real).toEqual(Array.from({ length: 23 }, (_, i) => i));
    const y = await items[2].batch.y.data();
    expect(Array.from(y.subarray(0, 7))).toEqual(Array.from(set.labels.subarray(16, 23)));
    for (const { batch } of items) tf.dispose([batch.x, batch.y]);
  });

  it('does not grow the tensor count across many batches; reports batch build time', () => {
    const ds = generateSynthetic({ seed: 3, trainCount: 512, testCount: 0 });
    const stream = new BatchStream(ds.train, { batchSize: 128, seed: 1, normalization: norm, augment: true });
    const before = tf.memory().numTensors;
    let n = 0;
    const t0 = performance.now();
    for (let e = 0; e < 5; e++) {
      for (const { batch } of stream.epoch(e)) { n++; tf.dispose([batch.x, batch.y]); }
    }
    const ms = (performance.now() - t0) / n;
    console.log(`[batches] ${n} augmented batches of 128: ${ms.toFixed(1)} ms per batch (wall, shared machine)`);
    expect(n).toBe(20);
    expect(tf.memory().numTensors).toBe(before);
  });
});
