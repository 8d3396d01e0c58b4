import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { BatchStream } from '../../../src/engine/data/batches';
import { computeNormalization, normalizePixels } from '../../../src/engine/data/normalize';
import { generateSynthetic } from '../../../src/engine/data/synthetic';
import { triggerIndicesFor, withTriggers } from '../../../src/engine/fcw/triggerBatches';
import { generateTriggers } from '../../../src/engine/fcw/triggers';
import type { LabeledBatch } from '../../../src/engine/train/types';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const data = generateSynthetic({ seed: 2, trainCount: 50, testCount: 0 }).train;
const norm = computeNormalization(data);
const trig = generateTriggers(data, { seed: 3, count: 12 });
const PER = 32 * 32 * 3;

async function collect(it: Iterable<LabeledBatch> | AsyncIterable<LabeledBatch>) {
  const out: { x: Float32Array; y: Int32Array; rows: number; realCount: number }[] = [];
  for await (const { batch, realCount } of it) {
    out.push({ x: (await batch.x.data()) as Float32Array, y: (await batch.y.data()) as Int32Array, rows: batch.x.shape[0], realCount });
    tf.dispose([batch.x, batch.y]);
  }
  return out;
}

describe('FCW trigger batches', () => {
  it('appends k normalised triggers labelled t to every batch (B + k rows), cycling a seeded order', async () => {
    const stream = new BatchStream(data, { batchSize: 8, seed: 1, normalization: norm });
    const wrapped = withTriggers(stream, { triggers: trig.images, target: trig.target, normalization: norm, perBatch: 5, seed: 7 });
    expect(wrapped.batchesPerEpoch).toBe(6);
    const n0 = tf.memory().numTensors;
    const batches = await collect(wrapped.epoch(0));
    expect(tf.memory().numTensors).toBe(n0);
    const plain = await collect(stream.epoch(0));
    const trigX = normalizePixels(trig.images.images, norm);
    const seen = new Array<number>(12).fill(0);
    batches.forEach((b, bi) => {
      expect(b.rows).toBe(13);
      expect(b.realCount).toBe(13);
      expect(b.x.subarray(0, 8 * PER)).toEqual(plain[bi].x);
      expect(Array.from(b.y.subarray(0, 8))).toEqual(Array.from(plain[bi].y));
      expect(Array.from(b.y.subarray(8))).toEqual(new Array(5).fill(trig.target));
      const idx = triggerIndicesFor(12, 5, 7, 0, bi);
      idx.forEach((t, m) => {
        seen[t]++;
        expect(b.x.subarray((8 + m) * PER, (9 + m) * PER)).toEqual(trigX.subarray(t * PER, (t + 1) * PER));
      });
    });
    // 6 batches x 5 = 30 draws cycling through 12 triggers: each seen 2 or 3 times
    expect(seen.every((s) => s === 2 || s === 3)).toBe(true);
    expect(triggerIndicesFor(12, 5, 7, 1, 0)).not.toEqual(triggerIndicesFor(12, 5, 7, 0, 0));
  });

  it('keeps padding rows last: triggers go right after the real rows', async () => {
    const stream = new BatchStream(data, { batchSize: 8, seed: 1, normalization: norm, shuffle: false, lastBatch: 'pad' });
    const wrapped = withTriggers(stream, { triggers: trig.images, target: trig.target, normalization: norm, perBatch: 3, seed: 7 });
    const batches = await collect(wrapped.epoch(0));
    const last = batches[batches.length - 1]; // 50 = 6·8 + 2 real rows
    expect(last.rows).toBe(11);
    expect(last.realCount).toBe(5);
    expect(Array.from(last.y.subarray(0, 2))).toEqual([data.labels[48], data.labels[49]]);
    expect(Array.from(last.y.subarray(2, 5))).toEqual([trig.target, trig.target, trig.target]);
    expect(Array.from(last.y.subarray(5))).toEqual(Array.from(data.labels.subarray(0, 6)));
  });

  it('rejects k outside 1..triggers', () => {
    const stream = new BatchStream(data, { batchSize: 8, seed: 1, normalization: norm });
    expect(() => withTriggers(stream, { triggers: trig.images, target: 0, normalization: norm, perBatch: 13, seed: 1 })).toThrow(/per batch/);
  });
});
