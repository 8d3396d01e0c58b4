import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { BatchStream } from '../../../src/engine/data/batches';
import { computeNormalization } from '../../../src/engine/data/normalize';
import { generateSynthetic } from '../../../src/engine/data/synthetic';
import type { ImageSet } from '../../../src/engine/data/types';
import { downsample2x2 } from '../../../src/engine/fcw/fusion';
import { trainFcw } from '../../../src/engine/fcw/embed';
import { generateTriggers } from '../../../src/engine/fcw/triggers';
import { measureNullRate, triggerAccuracy, verifyFcw } from '../../../src/engine/fcw/verify';
import { decoyImages, logFisherUpperTail } from '../../../src/engine/fcw/decoys';
import { createFcwKey } from '../../../src/engine/fcw/keyFile';
import { verifyFcwKey } from '../../../src/engine/fcw/verifyKey';
import { logChoose } from '../../../src/engine/watermark/stats/binomial';
import { createModel } from '../../../src/engine/models';
import { train, type TrainConfig } from '../../../src/engine/train';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The synthetic set shrunk to 8x8 (two 2x2 box averages) so that cpu training takes seconds. */
function shrink(set: ImageSet): ImageSet {
  const per = 8 * 8 * 3;
  const images = new Uint8Array(set.count * per);
  for (let i = 0; i < set.count; i++) {
    const half = downsample2x2(set.images.subarray(i * 3072, (i + 1) * 3072), 32, 32, 3);
    images.set(downsample2x2(half, 16, 16, 3), i * per);
  }
  return { ...set, images, height: 8, width: 8 };
}

const data = shrink(generateSynthetic({ seed: 21, trainCount: 96, testCount: 0 }).train);
const norm = computeNormalization(data);
const trig = generateTriggers(data, { seed: 8, count: 30 });
const smallCnn = (seed: number) => createModel('cnn', { seed, inputShape: [8, 8, 3], options: { width: 4, hidden: 16 } });
const config: TrainConfig = { epochs: 4, lr: 0.05, optimizer: 'sgd', momentum: 0.9, weightDecay: 5e-4, logEvery: 6 };
const stream = () => new BatchStream(data, { batchSize: 16, seed: 2, normalization: norm });

describe('FCW embedding and verification', () => {
  it('a freshly embedded model classifies 100 % of its triggers as t; a null model stays near chance', async () => {
    const marked = smallCnn(1);
    const n0 = tf.memory().numTensors;
    const res = await trainFcw(marked, stream(), config, { triggers: trig, normalization: norm, seed: 3, perBatch: 10 });
    expect(tf.memory().numTensors).toBe(n0);
    expect(res.status).toBe('completed');
    expect(res.steps).toBe(24);
    expect(res.maskEvents.map((e) => e.step)).toEqual([10, 20]);

    const v = await verifyFcw(marked, trig.images, trig.target, { normalization: norm });
    expect(v.accuracy).toBe(1);
    expect(v.hits).toBe(30);
    expect(v.chanceRate).toBeCloseTo(0.1, 12);
    expect(v.log10PValue).toBeCloseTo(-30, 6); // 0.1^30
    expect(v.detected).toBe(true);

    const nullModel = smallCnn(2);
    await train(nullModel, stream(), config);
    const nullAcc = await triggerAccuracy(nullModel, trig.images, trig.target, { normalization: norm });
    expect(nullAcc.accuracy).toBeLessThan(0.4);
    const rate = await measureNullRate([nullModel, smallCnn(5)], trig.images, trig.target, { normalization: norm });
    expect(rate.trials).toBe(60);
    expect(rate.rate).toBeCloseTo((rate.hits + 1) / 62, 12);
    const vNull = await verifyFcw(nullModel, trig.images, trig.target, { normalization: norm, chanceRate: rate.rate });
    expect(vNull.detected).toBe(false);
    const vMarked = await verifyFcw(marked, trig.images, trig.target, { normalization: norm, chanceRate: rate.rate });
    expect(rate.rate).toBeLessThan(0.3);
    expect(vMarked.detected).toBe(true);
    marked.dispose();
    nullModel.dispose();
  }, 120_000);

  it('decoys made by the key\'s recipe: an FCW model sends every fused image to t, so its triggers are no key-specific evidence', async () => {
    const key = createFcwKey(trig, { numClasses: 10, normalization: norm, createdAt: '2026-12-06T00:00:00Z' });
    const decoys = decoyImages(key, { set: data, count: 60 });
    expect(decoys.count).toBe(60);
    expect(Array.from(decoys.labels).every((l) => l === trig.target)).toBe(true);
    const per = 8 * 8 * 3;
    for (let k = 0; k < trig.images.count; k++) {
      // no decoy is one of the key's triggers
      const t = trig.images.images.subarray(k * per, (k + 1) * per);
      for (let d = 0; d < decoys.count; d++) expect(decoys.images.subarray(d * per, (d + 1) * per).every((v, i) => v === t[i])).toBe(false);
    }
    const marked = smallCnn(1);
    await trainFcw(marked, stream(), config, { triggers: trig, normalization: norm, seed: 3, perBatch: 10 });
    const plain = await verifyFcwKey(marked, key);
    const m = await verifyFcwKey(marked, key, { decoys: { set: data, count: 60 } });
    // the plain test (chance 1/10) calls it marked; but the model learnt "fused image -> t", not these
    // 30 images: decoys of the same recipe hit as often, so the evidence does not single out this key
    expect(plain.detected).toBe(true);
    expect(m.hits).toBe(30);
    expect(m.decoys!.hits / m.decoys!.n).toBeGreaterThan(0.8);
    expect(m.detected).toBe(false);
    expect(m.chanceRate).toBeCloseTo((m.decoys!.hits + 1) / (m.decoys!.n + 2), 12);
    const unmarked = smallCnn(2);
    await train(unmarked, stream(), config);
    expect((await verifyFcwKey(unmarked, key, { decoys: { set: data, count: 60 } })).detected).toBe(false);
    marked.dispose();
    unmarked.dispose();
  }, 120_000);

  it('the Fisher tail matches the hypergeometric sum', () => {
    // 5 of 6 triggers and 1 of 6 decoys hit: P[X >= 5], X ~ Hypergeom(12, 6, 6)
    const exact = [5, 6].reduce((s, x) => s + Math.exp(logChoose(6, x) + logChoose(6, 6 - x) - logChoose(12, 6)), 0);
    expect(Math.exp(logFisherUpperTail(5, 6, 1, 6))).toBeCloseTo(exact, 12);
    expect(logFisherUpperTail(0, 6, 3, 6)).toBe(0);
  });
});
