import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { Dataset, ImageSet } from '../../../src/engine/data/types';
import { createModel } from '../../../src/engine/models';
import { Rng } from '../../../src/engine/random/rng';
import { arrayBatchSource, train } from '../../../src/engine/train';
import { createWaterMASObjective, embedWatermark } from '../../../src/engine/watermark';
import type { LiveLandscapeEvent, LiveLandscapeSettings } from '../../../src/protocol/api';
import { DEFAULT_LIVE_LANDSCAPE, LiveLandscapeHub, liveEveryFor, validateLiveLandscapeSettings } from '../../../src/workers/landscape/liveLandscapeRun';
import { snapshot } from '../../fixtures/tinyModel';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function imageSet(seed: number, count: number): ImageSet {
  const rng = new Rng(seed);
  return {
    images: Uint8Array.from({ length: count * 8 * 8 * 3 }, () => rng.int(256)),
    labels: Uint8Array.from({ length: count }, (_, i) => i % 4),
    count, height: 8, width: 8, channels: 3,
  };
}

const DATASET: Dataset = { name: 'synthetic', label: 'tiny', classNames: ['a', 'b', 'c', 'd'], train: imageSet(1, 16), test: imageSet(2, 20) };
const NORM = { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] } as const;

describe('LiveLandscapeHub (worker)', () => {
  it('validates settings with one-line reasons', () => {
    expect(() => validateLiveLandscapeSettings(DEFAULT_LIVE_LANDSCAPE)).not.toThrow();
    const bad = (p: Partial<LiveLandscapeSettings>) => () => validateLiveLandscapeSettings({ ...DEFAULT_LIVE_LANDSCAPE, ...p });
    expect(bad({ every: -1 })).toThrow(/refresh interval/);
    expect(bad({ every: 'auto' })).not.toThrow();
    expect(bad({ every: 'often' as never })).toThrow(/refresh interval/);
    expect(bad({ every: 1.5 })).toThrow(/refresh interval/);
    expect(bad({ grid: 8 })).toThrow(/odd/);
    expect(bad({ radius: 0 })).toThrow(/radius/);
    expect(bad({ evalSize: 0 })).toThrow(/evaluation images/);
    expect(bad({ seed: -2 })).toThrow(/seed/);
    const hub = new LiveLandscapeHub();
    expect(() => hub.set({ ...DEFAULT_LIVE_LANDSCAPE, grid: 2 })).toThrow(/odd/);
    expect(() => hub.watch('nope' as unknown as null)).toThrow(/function/);
  });

  it('streams start + one point per refresh of a watermarked run to the receiver, only while one is registered', async () => {
    const model = createModel('cnn', { seed: 3, numClasses: 4, inputShape: [8, 8, 3], options: { width: 4, hidden: 8 } });
    const { key, frozen } = await embedWatermark(model, { seed: new Uint8Array(32).fill(3), payload: { kind: 'random-bits', count: 16 } });
    const hub = new LiveLandscapeHub();
    hub.set({ every: 1, grid: 3, radius: 0.5, evalSize: 8, seed: 4 });
    const runOnce = async () => {
      const objective = createWaterMASObjective(model, frozen, { seed: 1, settings: { replicas: 0 } });
      const rng = new Rng(5);
      const source = arrayBatchSource(rng.fillNormal(new Float32Array(8 * 8 * 8 * 3)), Int32Array.from({ length: 8 }, (_, i) => i % 4), [8, 8, 3], 4);
      const driver = hub.startRun({ model, key, dataset: DATASET, normalization: NORM, totalSteps: 2 });
      try {
        const r = await train(model, source, { epochs: 1, lr: 0.05, optimizer: 'sgd', momentum: 0, weightDecay: 0 }, { objective, frozen, beforeStep: driver.beforeStep() });
        await driver.finish(r.steps);
      } finally {
        driver.dispose();
        objective.dispose();
      }
    };
    const events: LiveLandscapeEvent[] = [];
    hub.watch((e) => events.push(e));
    const n0 = tf.memory().numTensors;
    await runOnce();
    expect(tf.memory().numTensors).toBe(n0);
    expect(events.map((e) => e.kind)).toEqual(['start', 'point', 'point', 'point']);
    expect(events[0]).toMatchObject({ kind: 'start', run: 1, totalSteps: 2, evalSize: 8, settings: { every: 1, grid: 3, radius: 0.5, evalSize: 8, seed: 4 } });
    const points = events.flatMap((e) => (e.kind === 'point' ? [e.point] : []));
    expect(points.map((p) => p.step)).toEqual([0, 1, 2]);
    expect(points.every((p) => p.alphas.length === 3 && p.lossKey.every(Number.isFinite) && Number.isFinite(p.sharpness.key))).toBe(true);

    // no receiver: nothing is measured, the model untouched by the hub
    hub.watch(null);
    const before = await snapshot(model);
    const count = events.length;
    const driver = hub.startRun({ model, key, dataset: DATASET, normalization: NORM, totalSteps: 1 });
    await driver.beforeStep()({ step: 0, epoch: 0 });
    await driver.finish(1);
    expect(driver.count).toBe(0);
    driver.dispose();
    expect(events.length).toBe(count);
    expect(await snapshot(model)).toEqual(before);

    // a receiver that throws never breaks the run; the next run has a new id
    const second: LiveLandscapeEvent[] = [];
    hub.watch((e) => {
      second.push(e);
      throw new Error('page gone');
    });
    await runOnce();
    expect(second[0]).toMatchObject({ kind: 'start', run: 3 });
    expect(second.filter((e) => e.kind === 'point')).toHaveLength(3);
    model.dispose();
  });
});

describe('live landscape: refresh sized to the run', () => {
  it("'auto' gives at least 8 snapshots whatever the run's length; a number is kept", () => {
    expect(DEFAULT_LIVE_LANDSCAPE.every).toBe('auto');
    expect([2, 8, 20, 62, 1000].map((t) => liveEveryFor('auto', t))).toEqual([1, 1, 2, 7, 125]);
    for (const t of [2, 8, 20, 62, 1000]) expect(Math.floor((t - 1) / liveEveryFor('auto', t)) + 1).toBeGreaterThanOrEqual(Math.min(t, 8));
    expect(liveEveryFor(20, 62)).toBe(20);
    expect(liveEveryFor(0, 62)).toBe(0);
  });
});
