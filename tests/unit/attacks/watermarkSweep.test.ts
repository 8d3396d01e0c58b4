import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { disposeWeights, runAttack, runSweep, type SweepMetrics } from '../../../src/engine/attacks';
import { createModel } from '../../../src/engine/models';
import type { Model } from '../../../src/engine/models/types';
import { embedWatermark, judgeValues, readKeyValues } from '../../../src/engine/watermark';
import { keyEvidence } from '../../../src/engine/methods';
import { randomBatch } from '../../fixtures/tinyModel';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * End to end with the watermark engine (test-only dependency): a sweep's `measure` reads the
 * key values from the attacked weights map and judges them; accuracy comes from a forward pass
 * with the attacked weights as overrides.
 */
describe('attack sweeps against a real WaterMAS key', () => {
  it('interception flips exactly round(f·n) bits; permutation keeps accuracy and breaks the key', async () => {
    const model = createModel('cnn', { seed: 5, inputShape: [8, 8, 3], options: { width: 8, hidden: 16 } });
    const seed = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 255);
    const { key } = await embedWatermark(model, { seed, payload: { kind: 'random-bits', count: 256 }, createdAt: '2026-01-01T00:00:00Z' });
    const { x } = randomBatch(6, 32);
    const clean = model.forward(x, { training: false });
    const labels = tf.argMax(clean, 1);
    clean.dispose();
    const measure = async (weights: ReadonlyMap<string, tf.Tensor>, m: Model): Promise<SweepMetrics> => {
      const v = judgeValues(await readKeyValues({ params: weights as ReadonlyMap<string, tf.Variable> }, key), key);
      const acc = tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(m.forward(x, { training: false, overrides: weights }), 1), labels), 'float32')));
      const accuracy = (await acc.data())[0];
      acc.dispose();
      return { accuracy, ber: v.ber, errors: v.errors, detected: v.detected };
    };
    const n0 = tf.memory().numTensors;
    const inter = await runSweep({ model, attack: 'intercept', attackOptions: { seed: 1, positions: key.positions }, measure });
    for (const p of inter.points) expect(p.metrics.errors).toBe(Math.round(p.strength * 256));
    expect(inter.points[0].metrics.detected).toBe(true);
    const perm = await runSweep({ model, attack: 'permute', strengths: [0, 1], attackOptions: { seed: 2 }, measure });
    expect(perm.points[0].metrics.ber).toBe(0);
    expect(perm.points[1].metrics.accuracy).toBe(1);
    expect(perm.points[1].metrics.ber).toBeGreaterThan(0.4);
    expect(perm.points[1].metrics.ber).toBeLessThan(0.6);
    expect(perm.points[1].metrics.detected).toBe(false);
    expect(tf.memory().numTensors).toBe(n0);
    tf.dispose([x, labels]);
    model.dispose();
  });

  it('the evidence splits the erasures of pruning out of the BER', async () => {
    const model = createModel('cnn', { seed: 6, inputShape: [8, 8, 3], options: { width: 8, hidden: 16 } });
    const seed = Uint8Array.from({ length: 32 }, (_, i) => (i * 53 + 7) & 255);
    const { key } = await embedWatermark(model, { seed, payload: { kind: 'random-bits', count: 256 }, createdAt: '2026-01-01T00:00:00Z' });
    const n0 = tf.memory().numTensors;
    const evidenceAt = async (strength: number) => {
      const w = await runAttack('prune', model, strength, { seed: 0 });
      const e = await keyEvidence(model, { method: 'watermas', key }, w);
      const v = judgeValues(await readKeyValues({ params: w as ReadonlyMap<string, tf.Tensor> as ReadonlyMap<string, tf.Variable> }, key), key);
      disposeWeights(w);
      if (e.method !== 'watermas') throw new Error('expected WaterMAS evidence');
      return { e, v };
    };
    const clean = await evidenceAt(0);
    expect(clean.e).toMatchObject({ ber: 0, erasureRate: 0, detected: true });
    const pruned = await evidenceAt(0.98);
    expect(pruned.e.erasureRate).toBe(pruned.v.erasures / pruned.v.n);
    expect(pruned.e.erasureRate).toBeGreaterThan(0.5);
    // erasures are counted as errors: the BER is at least their share
    expect(pruned.e.ber).toBeGreaterThanOrEqual(pruned.e.erasureRate);
    expect(tf.memory().numTensors).toBe(n0);
    model.dispose();
  });
});
