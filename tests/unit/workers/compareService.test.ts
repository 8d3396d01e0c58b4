import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { generateSynthetic } from '../../../src/engine/data/synthetic';
import { normalizationFor } from '../../../src/engine/data/normalize';
import type { CompareEvent, TrainSettings } from '../../../src/protocol/api';
import { CompareService } from '../../../src/workers/compare-mode/compareService';
import { JobBoard } from '../../../src/workers/jobs';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SETTINGS: TrainSettings = {
  arch: 'cnn', epochs: 1, batchSize: 8, learningRate: 0.01, optimizer: 'sgd', momentum: 0.9, weightDecay: 5e-4,
  schedule: 'constant', seed: 1, trainLimit: 16, testLimit: 8, augment: false,
};

describe('compare service (worker side of compare mode)', () => {
  it('refuses while the host is busy and while a comparison runs; pause / cancel act on both runs', async () => {
    const dataset = generateSynthetic({ seed: 3, trainCount: 16, testCount: 8 });
    const jobs = new JobBoard();
    let backend = false;
    const service = new CompareService({
      currentData: () => ({ dataset, normalization: normalizationFor(dataset) }),
      requireBackend: (what) => {
        if (!backend) throw new Error(`${what}: no backend initialised yet`);
      },
      backendName: () => 'cpu',
      origin: () => 'http://127.0.0.1:9',
      jobs,
      exclusive: (_context, fn) => fn(),
    });
    await expect(service.startCompare({ base: SETTINGS }, () => {})).rejects.toThrow(/no backend initialised/);
    backend = true;
    const endTraining = jobs.begin('training', 'train');
    await expect(service.startCompare({ base: SETTINGS }, () => {})).rejects.toThrow(/compare: a training run is in progress/);
    endTraining();
    await expect(service.pauseCompare()).rejects.toThrow(/no comparison in progress/);
    await expect(service.startCompare({ base: SETTINGS }, 'nope' as unknown as () => void)).rejects.toThrow(/onEvent must be/);

    const events: CompareEvent[] = [];
    const n0 = tf.memory().numTensors;
    const running = service.startCompare({ base: SETTINGS, variants: [{ replicas: 0 }, { replicas: 1 }] }, (e) => void events.push(e));
    expect(service.busy).toBe(true);
    await expect(service.startCompare({ base: SETTINGS }, () => {})).rejects.toThrow(/compare: a compare run \(A vs B\) is already in progress/);
    // Paused before any step, then cancelled: neither run takes a step, no analysis.
    await service.pauseCompare();
    await service.resumeCompare();
    await service.pauseCompare();
    await service.cancelCompare();
    const outcome = await running;
    expect(service.busy).toBe(false);
    expect(outcome.cancelled).toBe(true);
    expect(outcome.lanes.map((l) => l.train?.steps)).toEqual([0, 0]);
    expect(outcome.lanes.every((l) => l.landscape === null && l.attack === null)).toBe(true);
    expect(events.filter((e) => e.kind === 'train' && e.progress.phase === 'cancelled').map((e) => e.lane).sort()).toEqual(['A', 'B']);
    expect(tf.memory().numTensors).toBe(n0);
  });
});
