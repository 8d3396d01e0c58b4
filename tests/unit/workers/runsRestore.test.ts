/**
 * The full training outcome kept with a run (RunRecord.trainOutcome), which restores the panels
 * after a page reload: stored JSON-safe, persisted, exported and imported; a malformed one in an
 * imported file is dropped without refusing the run.
 */
import 'fake-indexeddb/auto';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { strToU8, zipSync } from 'fflate';
import { createModel } from '../../../src/engine/models';
import type { TrainOutcome, TrainSettings } from '../../../src/protocol/api';
import { decodeRunFile, RUN_FILE_FORMAT } from '../../../src/workers/runs/runFile';
import { storedOutcomeOf } from '../../../src/workers/runs/runRecord';
import { indexedDbRunStore } from '../../../src/workers/runs/runStore';
import { RunsService } from '../../../src/workers/runs/runsService';
import { restoredRunView } from '../../../src/ui/runs/restoredRun';
import { fakeRunsHost } from './fakeHost';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SETTINGS: TrainSettings = {
  arch: 'cnn', epochs: 1, batchSize: 16, learningRate: 0.01, optimizer: 'sgd', momentum: 0.9, weightDecay: 0,
  schedule: 'constant', seed: 5, trainLimit: 32, testLimit: 16, augment: false,
};

const OUTCOME: TrainOutcome = {
  cancelled: false, steps: 2, seconds: 1.5, imagesPerSecond: 21.3, trainImages: 32, testImages: 16, testAccuracy: 0.1875, testLoss: 2.2871, backend: 'cpu',
  runId: 'not-kept',
  watermark: {
    method: 'watermas', payloadKind: 'image', bits: 4, errors: 1, erasures: 0, ber: 0.25, pValue: 0.3125, log10PValue: -0.505, threshold: 1e-6, detected: false,
    frozenUnchanged: true, perTensor: [{ tensor: 'conv1/kernel', n: 4, errors: 1, erasures: 0 }], keyTensors: 1, seedSource: 'random',
    image: { width: 2, height: 2, channels: 1, pixels: Uint8Array.from([0, 255, 128, 7]), correlation: 0.5 },
  },
  diverged: { step: 2, loss: 'NaN', checkpointStep: 1, message: 'The loss diverged at step 2 (NaN).' },
};

const host = fakeRunsHost;

const tinyModel = () => createModel('cnn', { seed: 4, options: { width: 4, hidden: 8 } });

describe('runs: the view outcome kept with a run', () => {
  it('is stored JSON-safe (no runId, image pixels as an array) and survives a "reload" of the store', async () => {
    const stored = storedOutcomeOf({ ...OUTCOME, testLoss: NaN });
    expect(stored).not.toHaveProperty('runId');
    expect(stored.testLoss).toBeNull();
    expect(stored.watermark?.image?.pixels).toEqual([0, 255, 128, 7]);
    expect(JSON.parse(JSON.stringify(stored))).toEqual(stored);

    const model = tinyModel();
    const a = new RunsService(host().h, indexedDbRunStore);
    const rec = await a.addRun({ settings: SETTINGS, outcome: OUTCOME, keyJson: null }, model, { current: true });
    model.dispose();
    await a.listRuns(); // waits for the IndexedDB write
    const b = host();
    const reloaded = new RunsService(b.h, indexedDbRunStore);
    const listed = (await reloaded.listRuns()).find((r) => r.id === rec.id)!;
    expect(listed.trainOutcome).toEqual(storedOutcomeOf(OUTCOME));
    // What the panels get back after selectRun: the outcome as it was, with the record's id.
    const selected = await reloaded.selectRun(rec.id);
    const view = restoredRunView(selected);
    const { runId: _r, ...expected } = OUTCOME;
    expect(view.outcome).toEqual({ ...expected, runId: rec.id });
    expect(view.info.complete).toBe(true);
    b.slot.model?.dispose();
    await reloaded.deleteRun(rec.id);
  });

  it('round-trips through export / import; a malformed one in a file is dropped, the run still imports', async () => {
    const model = tinyModel();
    const src = new RunsService(host().h, null);
    const rec = await src.addRun({ settings: SETTINGS, outcome: OUTCOME, keyJson: null, name: 'restore me' }, model);
    model.dispose();
    const good = new Uint8Array((await src.exportRun(rec.id)).bytes);
    const dst = new RunsService(host().h, null);
    const imported = await dst.importRun(good.slice().buffer);
    expect(imported.trainOutcome).toEqual(rec.trainOutcome);

    const d = decodeRunFile(good);
    const { keyJson: _k, ...record } = d.record;
    const withOutcome = (trainOutcome: unknown) =>
      zipSync({
        'run.json': strToU8(JSON.stringify({ format: RUN_FILE_FORMAT, version: 1, record: { ...record, trainOutcome } })),
        'model.json': strToU8(d.files.modelJson),
        'weights.bin': new Uint8Array(d.files.weights),
      });
    const badImage = { ...rec.trainOutcome, watermark: { ...rec.trainOutcome!.watermark, image: { width: 2, height: 2, channels: 1, pixels: [1, 2, 3], correlation: 0 } } };
    for (const bad of [{ cancelled: 'no' }, badImage, { ...rec.trainOutcome, watermark: { ...rec.trainOutcome!.watermark, perTensor: 'x' } }, 42]) {
      const r = await dst.importRun(withOutcome(bad).slice().buffer);
      expect(r.name).toBe('restore me');
      expect(r).not.toHaveProperty('trainOutcome');
      expect(restoredRunView(r).info.complete).toBe(false);
    }
    // Unknown (newer) fields inside a valid one are kept.
    const newer = await dst.importRun(withOutcome({ ...rec.trainOutcome, fromTheFuture: 1 }).slice().buffer);
    expect(newer.trainOutcome).toEqual({ ...rec.trainOutcome, fromTheFuture: 1 });
  });
});
