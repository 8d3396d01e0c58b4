import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { Dataset, ImageSet } from '../../../src/engine/data/types';
import { Rng } from '../../../src/engine/random/rng';
import type { ScheduleConfig, TrainConfig } from '../../../src/engine/train';
import { train } from '../../../src/engine/train/trainer';
import { trainCommand } from '../../../src/cli/commands/train';
import { runTraining } from '../../../src/workers/training/trainRun';

/**
 * Issue 18: `--schedule step` once put its milestones at other epochs in the browser than in
 * `wmlab train`. Both now train through the engine's run (engine/run runTraining, scheduleFor);
 * this test records the schedule each path hands the trainer and pins its milestones, so a path
 * that computed its own would fail here.
 */
vi.mock('../../../src/engine/train/trainer', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../src/engine/train/trainer')>();
  // The trainer is replaced by a recorder that trains nothing: the schedule handed to it is what
  // this test is about (trainer.test.ts and schedules.test.ts cover what the trainer does with it).
  const recorder: typeof original.train = async (_model, source, config) => ({
    status: 'completed', steps: config.epochs * source.batchesPerEpoch, seconds: 0, imagesPerSecond: 0, finalLoss: NaN, finalAccuracy: NaN,
  });
  return { ...original, train: vi.fn(recorder) };
});

/** ceil(E/2) and ceil(3E/4), repeats and milestones outside 1..E-1 dropped (engine/train/schedules.ts namedSchedule). */
const PINNED: ReadonlyArray<readonly [epochs: number, milestones: readonly number[]]> = [
  [1, []],
  [2, [1]],
  [3, [2]],
  [4, [2, 3]],
  [10, [5, 8]],
];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The schedule of the trainer call that `run` makes (exactly one). */
async function scheduleOf(run: () => Promise<unknown>): Promise<ScheduleConfig | undefined> {
  const spy = vi.mocked(train);
  spy.mockClear();
  await run();
  expect(spy).toHaveBeenCalledTimes(1);
  return (spy.mock.calls[0][2] as TrainConfig).schedule;
}

function imageSet(seed: number, count: number): ImageSet {
  const rng = new Rng(seed);
  return { images: Uint8Array.from({ length: count * 8 * 8 * 3 }, () => rng.int(256)), labels: Uint8Array.from({ length: count }, (_, i) => i % 4), count, height: 8, width: 8, channels: 3 };
}

/** 8 training images of 8x8 at batch 8: one step per epoch. */
const DATASET: Dataset = { name: 'synthetic', label: 'tiny', classNames: ['a', 'b', 'c', 'd'], train: imageSet(1, 8), test: imageSet(2, 4) };

/** The worker's path: a training request of `epochs` epochs with the step schedule. */
async function workerSchedule(epochs: number) {
  return scheduleOf(async () => {
    const out = await runTraining({
      settings: { arch: 'cnn', epochs, batchSize: 8, learningRate: 0.01, optimizer: 'sgd', momentum: 0.9, weightDecay: 0, schedule: 'step', seed: 1, trainLimit: 0, testLimit: 0, augment: false },
      modelOptions: { width: 4, hidden: 16 },
      dataset: DATASET,
      normalization: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
      backend: () => 'cpu',
      onProgress: () => undefined,
    });
    out.model.dispose();
  });
}

const dir = mkdtempSync(join(tmpdir(), 'wmlab-milestones-'));

/** The CLI's path: `wmlab train --schedule step --epochs E` (in-process, 16 images at batch 16: one step per epoch). */
async function cliSchedule(epochs: number) {
  return scheduleOf(async () => {
    const report = await trainCommand(
      ['--data', 'synthetic', '--model', 'cnn', '--model-options', 'width=4,hidden=16', '--train-limit', '16', '--test-limit', '16', '--batch', '16',
        '--epochs', String(epochs), '--schedule', 'step', '--backend', 'cpu', '--out', join(dir, `e${epochs}`)],
      () => undefined,
    );
    expect(report).toMatchObject({ schedule: 'step', steps: epochs, status: 'completed' });
  });
}

describe('step schedule milestones: the CLI and the worker train with the same ones', () => {
  for (const [epochs, milestones] of PINNED) {
    it(`${epochs} epoch${epochs === 1 ? '' : 's'}: milestones [${milestones.join(', ')}] on both paths`, async () => {
      const worker = await workerSchedule(epochs);
      const cli = await cliSchedule(epochs);
      expect(worker).toMatchObject({ kind: 'step', gamma: 0.1, milestones });
      expect(cli).toMatchObject({ kind: 'step', gamma: 0.1, milestones });
      // the whole schedule, the default 'auto' warm-up included, is the same
      expect(cli).toEqual(worker);
    }, 60_000);
  }
});
