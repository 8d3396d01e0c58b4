import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createModel } from '../../../src/engine/models';
import { ModelCheckpoint, train } from '../../../src/engine/train';
import { createWaterMASObjective, RECIPE_2020_SETTINGS } from '../../../src/engine/watermark';
import { makeSource } from './synthetic';

// Issue 16: on a GPU every read-back drains the pipeline. The training loop reads the progress
// scalars once per report and nothing else; the device-loss checkpoint ('host' storage) copies
// its weights to the host in the background on a time budget, not every few steps.

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * Counts the backend's async reads (`tensor.data()`) while installed. Its sync reads are not
 * counted: the cpu backend's own kernels read their inputs with readSync (and the engine has no
 * dataSync in the training path).
 */
function countReads() {
  const backend = tf.backend() as unknown as { read: (...a: unknown[]) => unknown };
  const read = backend.read;
  const counter = { reads: 0, restore: () => Object.assign(backend, { read }) };
  backend.read = (...a: unknown[]) => {
    counter.reads += 1;
    return read.apply(backend, a);
  };
  return counter;
}

let restore: (() => void) | null = null;
afterEach(() => {
  restore?.();
  restore = null;
});

const tinyCnn = () => createModel('cnn', { seed: 3, numClasses: 4, inputShape: [8, 8, 3], options: { width: 4, hidden: 16 } });

describe('host reads of a training run (issue 16)', () => {
  for (const objective of ['cross-entropy', 'WaterMAS R = 2'] as const) {
    it(`${objective}: 50 steps with a host checkpoint read exactly one packed tensor per report; the start weights are mirrored once, before the first step`, async () => {
      const model = tinyCnn();
      const variables = model.params.size + model.state.size;
      const src = makeSource(40, 4, 8, 4); // 10 batches per epoch
      const checkpoint = new ModelCheckpoint('host'); // the worker's WebGPU checkpoint: mirrored at most every 30 s
      const frozen = new Map([['conv2/kernel', Int32Array.from([0, 3, 5, 9])]]);
      const wm = objective === 'cross-entropy' ? null : createWaterMASObjective(model, frozen, { seed: 1, settings: { ...RECIPE_2020_SETTINGS, replicas: 2 } });
      const counter = countReads();
      restore = counter.restore;
      let beforeLoop = -1;
      let reports = 0;
      let atLastReport = -1;
      const n0 = tf.memory().numTensors;
      const res = await train(model, src, { epochs: 5, optimizer: 'sgd', lr: 0.01, momentum: 0.9, logEvery: 10, checkpointEvery: 5 }, {
        checkpoint,
        ...(wm ? { objective: wm, frozen } : {}),
        beforeStep: (ctx) => {
          if (ctx.step === 0) beforeLoop = counter.reads;
        },
        onProgress: () => {
          reports += 1;
          atLastReport = counter.reads;
        },
      });
      const inLoop = atLastReport - beforeLoop; // (after the loop, the frozen positions are read once more for the check)
      restore();
      restore = null;
      expect(res.status).toBe('completed');
      expect(res.steps).toBe(50);
      expect(reports).toBe(5);
      expect(inLoop).toBe(reports);
      // before the loop: the start weights' finiteness probe, their host mirror (one read per
      // variable), and with frozen positions their snapshot
      expect(beforeLoop).toBe(1 + variables + (wm ? 1 : 0));
      expect(checkpoint.hostStep).toBe(0);
      expect(checkpoint.step).toBe(40); // the device copy taken at the report of step 40, adopted at the one of step 50
      // one device copy (the adopted one) stays; nothing else grew
      expect(tf.memory().numTensors).toBe(n0 + variables);
      checkpoint.dispose();
      wm?.dispose();
      model.dispose();
    });
  }

  it('with a budget of 0 the host mirror follows the adopted copy; a rebuilt model restores from it bitwise', async () => {
    const model = tinyCnn();
    const src = makeSource(40, 4, 8, 4);
    const checkpoint = new ModelCheckpoint('host', { hostEveryMs: 0 });
    await train(model, src, { epochs: 2, optimizer: 'sgd', lr: 0.01, logEvery: 5, checkpointEvery: 5 }, { checkpoint });
    await checkpoint.flushHost();
    expect(checkpoint.step).toBe(15);
    expect(checkpoint.hostStep).toBe(15);
    const saved = await Promise.all([...model.params.values()].map(async (v) => Array.from(await v.data())));
    checkpoint.restore(model); // the device copy of step 15
    const atCheckpoint = await Promise.all([...model.params.values()].map(async (v) => Array.from(await v.data())));
    expect(atCheckpoint).not.toEqual(saved); // the run moved on after step 15
    const rebuilt = createModel('cnn', { seed: 99, numClasses: 4, inputShape: [8, 8, 3], options: { width: 4, hidden: 16 } });
    expect(checkpoint.restoreHost(rebuilt)).toBe(15);
    expect(await Promise.all([...rebuilt.params.values()].map(async (v) => Array.from(await v.data())))).toEqual(atCheckpoint);
    expect(checkpoint.step).toBe(15); // now the host copy's
    checkpoint.dispose();
    rebuilt.dispose();
    model.dispose();
  });
});
