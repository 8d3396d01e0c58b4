import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { runSweep, type SweepPoint } from '../../../src/engine/attacks';
import type { Model } from '../../../src/engine/models/types';
import { createTinyModel, randomBatch, snapshot } from '../../fixtures/tinyModel';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('runSweep', () => {
  it('streams one point per strength, measures through overrides, leaks no tensor, leaves the model untouched', async () => {
    const model = createTinyModel(1);
    const { x, y } = randomBatch(2, 32);
    // Labels = the clean model's own predictions, so clean accuracy is 1.
    const clean = model.forward(x, { training: false });
    const labels = tf.argMax(clean, 1);
    clean.dispose();
    const measure = async (weights: ReadonlyMap<string, tf.Tensor>, m: Model) => {
      const acc = tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(m.forward(x, { training: false, overrides: weights }), 1), labels), 'float32')));
      const accuracy = (await acc.data())[0];
      acc.dispose();
      return { accuracy };
    };
    const before = await snapshot(model);
    const n0 = tf.memory().numTensors;
    const streamed: SweepPoint[] = [];
    for (const attack of ['noise', 'prune', 'quantize', 'shift', 'permute']) {
      const res = await runSweep({ model, attack, attackOptions: { seed: 3 }, measure, onPoint: (p) => streamed.push(p) });
      expect(res.cancelled).toBe(false);
      expect(res.points.length).toBeGreaterThan(3);
      if (attack === 'noise') {
        expect(res.points.map((p) => p.strength)).toEqual([0, 1, 2, 7, 10]);
        expect(res.points[0].metrics.accuracy).toBe(1);
        expect(res.points[4].metrics.accuracy).toBeLessThan(0.9);
      }
      if (attack === 'permute') for (const p of res.points) expect(p.metrics.accuracy).toBe(1);
      expect(tf.memory().numTensors).toBe(n0);
    }
    expect(streamed.length).toBe(5 + 6 + 5 + 6 + 4);
    expect(await snapshot(model)).toEqual(before);
    tf.dispose([x, y, labels]);
    model.dispose();
  });

  it('can be cancelled between points and returns what was done', async () => {
    const model = createTinyModel(2);
    const signal = { aborted: false };
    const n0 = tf.memory().numTensors;
    const res = await runSweep({
      model,
      attack: 'noise',
      strengths: [0, 1, 2, 3],
      attackOptions: { seed: 1 },
      measure: async () => ({ accuracy: 0 }),
      onPoint: (p) => {
        if (p.index === 1) signal.aborted = true;
      },
      signal,
    });
    expect(res.cancelled).toBe(true);
    expect(res.points.map((p) => p.strength)).toEqual([0, 1]);
    expect(tf.memory().numTensors).toBe(n0);
    model.dispose();
  });
});
