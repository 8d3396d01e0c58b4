import 'fake-indexeddb/auto';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { strToU8, zipSync } from 'fflate';
import { createModel } from '../../../src/engine/models';
import { embedWatermark, serializeKey } from '../../../src/engine/watermark';
import type { TrainOutcome, TrainSettings } from '../../../src/protocol/api';
import { decodeRunFile, RUN_FILE_FORMAT } from '../../../src/workers/runs/runFile';
import { filesFromModel } from '../../../src/workers/runs/runModel';
import { RunHistoryRecorder, autoRunName } from '../../../src/workers/runs/runRecord';
import { indexedDbRunStore, type RunStore } from '../../../src/workers/runs/runStore';
import { RunsService, newTrainingCheckpoints, runFileName } from '../../../src/workers/runs/runsService';
import type { RunRecord } from '../../../src/protocol/runs';
import { fakeRunsHost } from './fakeHost';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SETTINGS: TrainSettings = {
  arch: 'cnn', epochs: 1, batchSize: 4, learningRate: 0.01, optimizer: 'sgd', momentum: 0.9, weightDecay: 0,
  schedule: 'constant', seed: 3, trainLimit: 8, testLimit: 8, augment: false,
};

const OUTCOME: TrainOutcome = {
  cancelled: false, steps: 4, seconds: 2, imagesPerSecond: 16, trainImages: 8, testImages: 8, testAccuracy: 0.25, testLoss: 2.2, backend: 'cpu',
  watermark: {
    payloadKind: 'bits', bits: 64, errors: 0, erasures: 0, ber: 0, pValue: 5e-20, log10PValue: -19.3, threshold: 1e-6, detected: true,
    frozenUnchanged: true, perTensor: [], keyTensors: 2, seedSource: 'random',
  },
};

const host = fakeRunsHost;

async function keyedModel(seed: number) {
  const model = createModel('cnn', { seed, options: { width: 4, hidden: 8 } });
  const keySeed = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + seed) & 255);
  const { key } = await embedWatermark(model, { seed: keySeed, payload: { kind: 'random-bits', count: 64 }, createdAt: '2026-01-01T00:00:00Z' });
  return { model, key };
}

function history(): RunHistoryRecorder {
  const r = new RunHistoryRecorder();
  const base = { totalSteps: 4, epochs: 1, epoch: 1, learningRate: 0.01, imagesPerSecond: 10, etaSeconds: 1, elapsedSeconds: 1 };
  r.add({ ...base, phase: 'preparing', step: 0, loss: null, accuracy: null });
  r.add({ ...base, phase: 'training', step: 2, loss: 2.3, accuracy: 0.1 });
  r.add({ ...base, phase: 'training', step: 4, loss: 2.1, accuracy: 0.2 });
  r.add({ ...base, phase: 'done', step: 4, loss: null, accuracy: null });
  return r;
}

const bytesOf = (b: ArrayBuffer) => new Uint8Array(b);

describe('runs registry', () => {
  it('records a training run, persists it, restores it after a "reload" and selects it bitwise', async () => {
    const { model, key } = await keyedModel(5);
    const original = await filesFromModel(model);
    const a = host();
    const service = new RunsService(a.h, indexedDbRunStore);
    const out = await service.recordTraining(SETTINGS, OUTCOME, history(), model, key);
    expect(out.runId).toBeTruthy();
    const listed = await service.listRuns();
    const mine = listed.find((r) => r.id === out.runId)!;
    expect(mine.stored).toBe(true);
    expect(mine.method).toBe('watermas');
    expect(mine.history).toEqual([{ step: 2, loss: 2.3, accuracy: 0.1 }, { step: 4, loss: 2.1, accuracy: 0.2 }]);
    expect(mine.outcome.secondsPerEpoch).toBe(2);
    expect(mine.outcome.ber).toBe(0);
    expect(mine.outcome.testAccuracy).toBe(0.25);
    expect(mine.name).toMatch(/^cnn · WaterMAS · \d\d:\d\d$/);
    expect(mine.keyJson).toBe(serializeKey(key));
    expect(mine.weightBytes).toBe(original.weights.byteLength);
    model.dispose();

    // A new service over the same database = a page reload: the list comes back, weights on select.
    const b = host();
    const reloaded = new RunsService(b.h, indexedDbRunStore);
    const again = (await reloaded.listRuns()).find((r) => r.id === out.runId)!;
    expect(again.name).toBe(mine.name);
    expect(again.current).toBe(false);
    await reloaded.renameRun(out.runId!, '  my run  ');
    const rec = await reloaded.selectRun(out.runId!);
    expect(rec.name).toBe('my run');
    expect(b.slot.key?.method).toBe('watermas');
    expect(b.slot.settings).toEqual(SETTINGS);
    expect(bytesOf((await filesFromModel(b.slot.model!)).weights)).toEqual(bytesOf(original.weights));
    expect((await reloaded.listRuns()).find((r) => r.id === out.runId)!.current).toBe(true);
    // The rename was stored too.
    const c = new RunsService(host().h, indexedDbRunStore);
    expect((await c.listRuns()).find((r) => r.id === out.runId)!.name).toBe('my run');
    await expect(c.renameRun(out.runId!, '   ')).rejects.toThrow(/cannot be empty/);
    await c.deleteRun(out.runId!);
    expect((await new RunsService(host().h, indexedDbRunStore).listRuns()).some((r) => r.id === out.runId)).toBe(false);
    await expect(c.selectRun(out.runId!)).rejects.toThrow(/no run with id/);
    b.slot.model?.dispose();
  });

  it('a run round-trips through export / import bitwise (weights, key, record)', async () => {
    const { model, key } = await keyedModel(7);
    const original = await filesFromModel(model);
    const src = new RunsService(host().h, null);
    const rec = await src.addRun({ settings: SETTINGS, outcome: OUTCOME, keyJson: serializeKey(key), name: 'export me', lane: 'B' }, model);
    expect(rec.lane).toBe('B'); // a compare-mode twin keeps its lane (and its colour) through export / import
    model.dispose();
    const n0 = tf.memory().numTensors;
    const file = await src.exportRun(rec.id);
    expect(file.filename).toBe('export-me.wmrun.zip');
    const dstHost = host();
    const dst = new RunsService(dstHost.h, null);
    const imported = await dst.importRun(file.bytes);
    expect(imported).toEqual(rec);
    expect(tf.memory().numTensors).toBe(n0);
    await dst.selectRun(imported.id);
    expect(bytesOf((await filesFromModel(dstHost.slot.model!)).weights)).toEqual(bytesOf(original.weights));
    expect(dstHost.slot.key?.method === 'watermas' && serializeKey(dstHost.slot.key.key)).toBe(serializeKey(key));
    // Importing the same file again gives a second run with a new id.
    const twice = await dst.importRun((await src.exportRun(rec.id)).bytes);
    expect(twice.id).not.toBe(rec.id);
    expect((await dst.listRuns()).length).toBe(2);
    dstHost.slot.model?.dispose();
    expect(runFileName('cnn · WaterMAS R=4 · 14:32')).toBe('cnn-WaterMAS-R-4-14-32.wmrun.zip');
    expect(autoRunName(SETTINGS, 'none', new Date(2026, 0, 1, 9, 5))).toBe('cnn · plain · 09:05');
  });

  it('a corrupt or foreign file is refused with a clear reason, and the service keeps working', async () => {
    const model = createModel('cnn', { seed: 2, options: { width: 4, hidden: 8 } });
    const src = new RunsService(host().h, null);
    const rec = await src.addRun({ settings: SETTINGS, outcome: { ...OUTCOME, watermark: undefined }, keyJson: null }, model);
    const good = new Uint8Array((await src.exportRun(rec.id)).bytes);
    const dst = new RunsService(host().h, null);
    const n0 = tf.memory().numTensors;
    const refuse = (bytes: Uint8Array, re: RegExp) => expect(dst.importRun(bytes.slice().buffer)).rejects.toThrow(re);
    await refuse(strToU8('{"hello": 1}'), /not a zip/);
    await refuse(good.slice(0, good.length >> 1), /damaged|missing/);
    await refuse(zipSync({ 'readme.txt': strToU8('hi') }), /unexpected entry "readme.txt"/);
    const entries = (over: Record<string, Uint8Array>) => {
      const d = decodeRunFile(good);
      const { keyJson: _k, ...record } = d.record;
      return zipSync({
        'run.json': strToU8(JSON.stringify({ format: RUN_FILE_FORMAT, version: 1, record })),
        'model.json': strToU8(d.files.modelJson),
        'weights.bin': new Uint8Array(d.files.weights),
        ...over,
      });
    };
    await refuse(entries({ 'run.json': strToU8(JSON.stringify({ format: 'something-else' })) }), /format "something-else"/);
    await refuse(entries({ 'run.json': strToU8(JSON.stringify({ format: RUN_FILE_FORMAT, version: 99 })) }), /version 99 is not supported/);
    await refuse(entries({ 'run.json': strToU8(JSON.stringify({ format: RUN_FILE_FORMAT, version: 1, record: { id: 'x' } })) }), /run\.json at record\./);
    await refuse(entries({ 'weights.bin': new Uint8Array(12) }), /weights\.bin: has 12 bytes/);
    await refuse(entries({ 'key.json': strToU8('{"format":"watermas-lab-key"') }), /key|JSON/i);
    // A key for another architecture than the model is refused too.
    const other = await keyedModel(1);
    const vgg = createModel('cnn', { seed: 1, options: { width: 8, hidden: 8 } });
    const mismatched = new RunsService(host().h, null);
    const bad = await mismatched.addRun({ settings: SETTINGS, outcome: OUTCOME, keyJson: serializeKey(other.key) }, vgg);
    await expect(dst.importRun((await mismatched.exportRun(bad.id)).bytes)).rejects.toThrow(/architecture|fingerprint|shape/i);
    other.model.dispose();
    vgg.dispose();
    expect(tf.memory().numTensors).toBe(n0);
    // Still alive: the good file imports.
    expect((await dst.importRun(good.slice().buffer)).id).toBe(rec.id);
    model.dispose();
  });

  it('a quota error keeps the run in memory with a clear message', async () => {
    const failing: RunStore = {
      ...indexedDbRunStore,
      records: async () => [],
      put: async () => {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      },
    };
    const a = host();
    const service = new RunsService(a.h, failing);
    const model = createModel('cnn', { seed: 4, options: { width: 4, hidden: 8 } });
    const original = await filesFromModel(model);
    const rec = await service.addRun({ settings: SETTINGS, outcome: OUTCOME, keyJson: null }, model);
    model.dispose();
    const item = (await service.listRuns()).find((r) => r.id === rec.id)!;
    expect(item.stored).toBe(false);
    expect(item.storageError).toMatch(/quota is full/);
    await service.selectRun(rec.id);
    expect(bytesOf((await filesFromModel(a.slot.model!)).weights)).toEqual(bytesOf(original.weights));
    a.slot.model?.dispose();
  });

  it('a run in progress is saved under one id, listed as in progress, replaced by its final record, and after a "crash" listed as interrupted with the saved weights', async () => {
    const rows = new Map<string, { record: RunRecord; files: { modelJson: string; weights: ArrayBuffer } }>();
    const memory: RunStore = {
      put: async (record, files) => void rows.set(record.id, { record, files: { modelJson: files.modelJson, weights: files.weights.slice(0) } }),
      putRecord: async (record) => void rows.set(record.id, { ...rows.get(record.id)!, record }),
      remove: async (id) => void rows.delete(id),
      records: async () => [...rows.values()].map((r) => r.record),
      modelFiles: async (id) => rows.get(id)?.files ?? null,
    };
    const { model, key } = await keyedModel(11);
    const page1 = new RunsService(host().h, memory);
    const saved = newTrainingCheckpoints();
    const info = { settings: SETTINGS, outcome: { ...OUTCOME, steps: 3 }, keyJson: serializeKey(key) };
    await page1.checkpointTraining(saved, info, model, 3, 10);
    const atStep3 = await filesFromModel(model);
    let list = await page1.listRuns();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: saved.id, inProgress: { step: 3, totalSteps: 10 }, stored: true });
    expect(list[0].interrupted).toBeUndefined();
    // A later save replaces it (same id, same creation time).
    const w = model.params.get(model.paramInfo[0].name)!;
    tf.tidy(() => w.assign(tf.add(w, 1)));
    await page1.checkpointTraining(saved, { ...info, outcome: { ...OUTCOME, steps: 6 } }, model, 6, 10);
    const atStep6 = await filesFromModel(model);
    list = await page1.listRuns();
    expect(list).toHaveLength(1);
    expect(list[0].inProgress?.step).toBe(6);
    expect(list[0].createdAt).toBe(saved.createdAt.toISOString());
    expect(bytesOf(rows.get(saved.id)!.files.weights)).toEqual(bytesOf(atStep6.weights));
    expect(bytesOf(atStep6.weights)).not.toEqual(bytesOf(atStep3.weights));

    // The page "crashes": a new service over the same store lists the run as interrupted at step 6, selectable.
    const reloaded = host();
    const page2 = new RunsService(reloaded.h, memory);
    const after = await page2.listRuns();
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: saved.id, interrupted: true, inProgress: { step: 6 } });
    await page2.selectRun(saved.id);
    expect(bytesOf((await filesFromModel(reloaded.slot.model!)).weights)).toEqual(bytesOf(atStep6.weights));
    expect(reloaded.slot.key?.method).toBe('watermas');
    reloaded.slot.model?.dispose();

    // On the first page the run ends: its final record replaces the in-progress one.
    const history = new RunHistoryRecorder();
    const done = await page1.recordTraining(SETTINGS, OUTCOME, history, model, key, [], saved);
    expect(done.runId).toBe(saved.id);
    const final = await page1.listRuns();
    expect(final).toHaveLength(1);
    expect(final[0].inProgress).toBeUndefined();
    expect(final[0].interrupted).toBeUndefined();
    expect(rows.get(saved.id)!.record.inProgress).toBeUndefined();
    // A save that finishes reading after the run ended (current() false) is dropped: the final record stays.
    await page1.checkpointTraining(saved, { ...info, outcome: { ...OUTCOME, steps: 9 } }, model, 9, 10, () => false);
    expect(rows.get(saved.id)!.record.inProgress).toBeUndefined();
    expect((await page1.listRuns())[0].inProgress).toBeUndefined();
    model.dispose();
  });
});
