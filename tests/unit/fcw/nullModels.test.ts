import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createModel } from '../../../src/engine/models';
import { Rng } from '../../../src/engine/random/rng';
import { nullModelRate, triggerAccuracy } from '../../../src/engine/fcw';
import type { ImageSet } from '../../../src/engine/data/types';

const NORM = { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] } as const;

function randomTriggers(n: number): ImageSet {
  const rng = new Rng(3);
  return { images: Uint8Array.from({ length: n * 8 * 8 * 3 }, () => rng.int(256)), labels: new Uint8Array(n), count: n, height: 8, width: 8, channels: 3 };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('nullModelRate', () => {
  it('pools N fresh models of the architecture with the rule of succession, reproducibly, without leaking', async () => {
    const probe = createModel('cnn', { seed: 1, numClasses: 4, inputShape: [8, 8, 3], options: { width: 4, hidden: 16 } });
    const config = probe.config;
    probe.dispose();
    const triggers = randomTriggers(10);
    const before = tf.memory().numTensors;
    const r = await nullModelRate(config, triggers, 2, { count: 3, seed: 9, normalization: NORM });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.seeds).toHaveLength(3);
    expect(new Set(r.seeds).size).toBe(3);
    expect(r.trials).toBe(30);
    expect(r.perModel).toHaveLength(3);
    expect(r.hits).toBe(Math.round(r.perModel.reduce((s, a) => s + 10 * a, 0)));
    expect(r.rate).toBeCloseTo((r.hits + 1) / 32, 12);
    expect(r.rawRate).toBeCloseTo(r.hits / 30, 12);
    // each null model is the architecture at that seed: its trigger accuracy is reproduced by building it again
    const m = createModel('cnn', { seed: r.seeds[1], numClasses: 4, inputShape: [8, 8, 3], options: config.options as never });
    try {
      expect((await triggerAccuracy(m, triggers, 2, { normalization: NORM })).accuracy).toBe(r.perModel[1]);
    } finally {
      m.dispose();
    }
    expect(await nullModelRate(config, triggers, 2, { count: 3, seed: 9, normalization: NORM })).toEqual(r);
    await expect(nullModelRate(config, triggers, 2, { count: 0, normalization: NORM })).rejects.toThrow(/positive integer/);
  });
});
