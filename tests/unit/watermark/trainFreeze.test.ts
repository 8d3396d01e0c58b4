import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../../../src/engine/models';
import type { Model } from '../../../src/engine/models/types';
import { Rng } from '../../../src/engine/random/rng';
import { arrayBatchSource, train } from '../../../src/engine/train';
import { embedWatermark } from '../../../src/engine/watermark/embed';
import { readKeyValues } from '../../../src/engine/watermark/extract';
import { createWaterMASObjective } from '../../../src/engine/watermark/objective';
import { DEFAULT_WATERMAS_SETTINGS } from '../../../src/engine/watermark/settings';
import { seedFromHex } from '../../../src/engine/watermark/seed/seed';
import { verifyWatermark } from '../../../src/engine/watermark/verify';

const keySeed = seedFromHex('77'.repeat(32));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function data(seed: number, n: number): { images: Float32Array; labels: Int32Array } {
  const rng = new Rng(seed);
  return {
    images: rng.fillNormal(new Float32Array(n * 8 * 8 * 3)),
    labels: Int32Array.from({ length: n }, () => rng.int(4)),
  };
}

async function allWeights(model: Model): Promise<Float32Array[]> {
  return Promise.all([...model.params.values()].map(async (v) => new Float32Array(await v.data())));
}

const bitsOf = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

describe('marked weights survive training bitwise', () => {
  const cases = [
    { name: 'SGD + momentum + weight decay, WaterMAS R = 2', optimizer: 'sgd' as const, momentum: 0.9, weightDecay: 5e-3, lr: 0.05, replicas: 2 },
    { name: 'Adam(W) + weight decay, WaterMAS adversarial', optimizer: 'adam' as const, weightDecay: 1e-2, lr: 0.01, replicas: 1, mode: 'adversarial' as const },
    { name: 'SGD + momentum, R = 0 (plain substitution)', optimizer: 'sgd' as const, momentum: 0.9, weightDecay: 5e-3, lr: 0.05, replicas: 0 },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const model = createModel('cnn', { seed: 3, inputShape: [8, 8, 3], numClasses: 4, options: { width: 4, hidden: 8 } });
      const { key, frozen } = await embedWatermark(model, { seed: keySeed, payload: { kind: 'random-bits', count: 120 } });
      const marked0 = await readKeyValues(model, key);
      const before = await allWeights(model);
      const { images, labels } = data(5, 64);
      const n0 = tf.memory().numTensors;
      const objective = createWaterMASObjective(model, frozen, {
        seed: 9,
        settings: { replicas: c.replicas, sigma: 0.05, lambda: 0.5, ...(c.mode ? { mode: c.mode } : {}) },
      });
      let beforeSteps = 0;
      const result = await train(
        model,
        arrayBatchSource(images, labels, [8, 8, 3], 16),
        { optimizer: c.optimizer, momentum: c.momentum, weightDecay: c.weightDecay, lr: c.lr, epochs: 2, logEvery: 4 },
        {
          objective,
          frozen,
          beforeStep: ({ step }) => {
            // settings change live between steps (the UI sliders)
            if (c.replicas > 0 && step === 4) objective.setSettings({ sigma: 0.1, margin: Infinity });
            beforeSteps++;
          },
          onProgress: (p) => {
            if (c.replicas > 0) expect(p.metrics).toHaveProperty('gap');
          },
        },
      );
      expect(result.status).toBe('completed');
      expect(result.steps).toBe(8);
      expect(beforeSteps).toBe(8);
      expect(result.frozenUnchanged).toBe(true);
      // independent bitwise check of θ_K
      expect(bitsOf(await readKeyValues(model, key))).toEqual(bitsOf(marked0));
      // ... while the rest of the weights did train, weight decay included
      const after = await allWeights(model);
      let moved = 0;
      after.forEach((w, t) => w.forEach((v, i) => (moved += v !== before[t][i] ? 1 : 0)));
      expect(moved).toBeGreaterThan(model.parameterCount / 2);
      const r = await verifyWatermark(model, key);
      expect(r.ber).toBe(0);
      expect(r.detected).toBe(true);
      expect(objective.getSettings().margin).toBe(c.replicas > 0 ? Infinity : DEFAULT_WATERMAS_SETTINGS.margin);
      objective.dispose();
      expect(tf.memory().numTensors).toBe(n0); // no growth over the run
      model.dispose();
    });
  }
});
