import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { embedWatermark } from '../../../src/engine/watermark/embed';
import { seedFromHex } from '../../../src/engine/watermark/seed/seed';
import { subspaceSensitivity } from '../../../src/engine/watermark/sensitivity';
import { createTinyModel, GAP_TINY, randomBatch } from '../../fixtures/tinyModel';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('key-subspace sensitivity', () => {
  it('measures loss rises without writing the model, reproducibly, without leaks', async () => {
    const model = createTinyModel(2, { ...GAP_TINY, c1: 6 });
    const { key } = await embedWatermark(model, { seed: seedFromHex('01'.repeat(32)), payload: { kind: 'random-bits', count: 30 } });
    const batch = randomBatch(4, 16, GAP_TINY.size, GAP_TINY.classes);
    const before = await Promise.all([...model.params.values(), ...model.state.values()].map(async (v) => new Float32Array(await v.data())));
    const n0 = tf.memory().numTensors;
    const zero = await subspaceSensitivity(model, key.positions, batch, { relative: 0, draws: 3 });
    expect(zero.keyRise.values).toEqual([0, 0, 0]);
    expect(zero.randomRise.values).toEqual([0, 0, 0]);
    const a = await subspaceSensitivity(model, key.positions, batch, { relative: 1, draws: 4, seed: 7 });
    const b = await subspaceSensitivity(model, key.positions, batch, { relative: 1, draws: 4, seed: 7 });
    expect(b).toEqual(a);
    expect(a.keyRise.values.some((v) => v !== 0)).toBe(true);
    expect(a.randomRise.values.some((v) => v !== 0)).toBe(true);
    expect(Number.isFinite(a.baseLoss)).toBe(true);
    expect(tf.memory().numTensors).toBe(n0);
    const after = await Promise.all([...model.params.values(), ...model.state.values()].map(async (v) => new Float32Array(await v.data())));
    expect(after).toEqual(before);
    model.dispose();
    batch.x.dispose();
    batch.y.dispose();
  });
});
