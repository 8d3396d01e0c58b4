import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createModel } from '../../../src/engine/models';
import { train } from '../../../src/engine/train';
import { BatchStream } from '../../../src/engine/data/batches';
import type { ImageSet } from '../../../src/engine/data/types';
import { Rng } from '../../../src/engine/random/rng';
import { fcwTriggersFromKey } from '../../../src/engine/fcw';
import { parseMethodKeyFile, keyEvidence, startWatermarkSession, validateWatermarkConfig } from '../../../src/engine/methods';
import type { FcwMarkConfig, WatermarkProgress } from '../../../src/protocol/api';
import { FCW_DEFAULTS, fcwConfigOf } from '../../../src/engine/methods/fcw/session';
import { modelGallery, previewGallery } from '../../../src/workers/watermark/fcwGallery';
import { exportKeyText } from '../../../src/workers/watermark/watermarkExport';

const CFG: FcwMarkConfig = {
  method: 'fcw',
  fcw: { triggers: 8, mode: 'direct', ratio: 0.5, perBatch: 8, maskFraction: 0.05, maskPeriod: 2 },
};

const NORM = { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] } as const;

/** 64 random 8x8 RGB images of 4 classes (uint8, as a training set is held). */
function trainSet(): ImageSet {
  const rng = new Rng(11);
  const n = 64;
  return {
    images: Uint8Array.from({ length: n * 8 * 8 * 3 }, () => rng.int(256)),
    labels: Uint8Array.from({ length: n }, (_, i) => i % 4),
    count: n, height: 8, width: 8, channels: 3,
  };
}

const tinyModel = (seed = 2) => createModel('cnn', { seed, numClasses: 4, inputShape: [8, 8, 3], options: { width: 4, hidden: 16 } });

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('FCW training run (worker)', () => {
  it('appends triggers, masks on schedule, reports live trigger accuracy and a final verdict; the gallery matches the key', async () => {
    const set = trainSet();
    const before = tf.memory().numTensors;
    const model = tinyModel();
    const session = await startWatermarkSession(model, CFG, { seed: 5, trainSet: set, normalization: NORM, live: null });
    expect(session?.method).toBe('fcw');
    if (!session) return;
    const stream = new BatchStream(set, { batchSize: 16, seed: 5, normalization: NORM, lastBatch: 'drop' });
    const reports: WatermarkProgress[] = [];
    let realCounts: number[] = [];
    try {
      const wrapped = session.source(stream);
      // every batch carries the 8 triggers after its 16 images
      for await (const b of wrapped.epoch(0)) {
        realCounts.push(b.realCount);
        expect(b.batch.x.shape).toEqual([24, 8, 8, 3]);
        tf.dispose([b.batch.x, b.batch.y]);
      }
      expect(realCounts).toEqual([24, 24, 24, 24]);
      realCounts = [];
      const result = await train(
        model,
        wrapped,
        { epochs: 3, lr: 0.01, optimizer: 'adam', momentum: 0, weightDecay: 0, logEvery: 1 },
        { ...session.trainHooks(), onProgress: async (p) => void reports.push(await session.progress(p.metrics)) },
      );
      expect(result.status).toBe('completed');
      expect(result.steps).toBe(12);
      expect(reports).toHaveLength(12);
      const target = session.methodKey.method === 'fcw' ? session.methodKey.key.target : -1;
      reports.forEach((r, i) => {
        expect(r.method).toBe('fcw');
        expect(r.triggerAccuracy).toMatchObject({ n: 8, target });
        expect(r.triggerAccuracy!.accuracy).toBe(r.triggerAccuracy!.hits / 8);
        // the common scale: errors = triggers not sent to the target
        expect(r.errors).toBe(8 - r.triggerAccuracy!.hits);
        expect(r.ber).toBeCloseTo(1 - r.triggerAccuracy!.accuracy, 12);
        // masking before steps 2, 4, ...: after step i+1 completed, floor(i / 2) events
        expect(r.maskEvents).toBe(Math.floor(i / 2));
      });
      const w = await session.report(model, true);
      expect(w).toMatchObject({ method: 'fcw', payloadKind: 'triggers', bits: 8, seedSource: 'run-seed' });
      expect(w.fcw).toMatchObject({ n: 8, target, mode: 'direct', chanceRate: 0.25, maskEvents: 5, perBatch: 8, maskFraction: 0.05, maskPeriod: 2 });
      expect(w.fcw!.predictions).toHaveLength(8);
      expect(w.fcw!.hits).toBe(w.fcw!.predictions.filter((p) => p === target).length);
      expect(w.fcw!.accuracy).toBe(reports[11].triggerAccuracy!.accuracy);
      // 12 steps with the 8 triggers in every batch: the model sends them all to the target
      expect(w.fcw!.accuracy).toBe(1);
      // p = 0.25^8 ≈ 1.5e-5: not below 1e-6 with only 8 triggers and 4 classes (the verdict is honest about it)
      expect(w.pValue).toBeCloseTo(Math.pow(0.25, 8), 12);
      expect(w.detected).toBe(false);

      // key.json: an FCW key with the trigger pixels; the evidence through the engine matches
      const keyText = exportKeyText(session.methodKey);
      const parsed = parseMethodKeyFile(keyText);
      if (parsed.method !== 'fcw') throw new Error(`key method ${parsed.method}`);
      expect(parsed.key).toMatchObject({ target, mode: 'direct', numClasses: 4, embedding: { seed: 5, perBatch: 8, maskFraction: 0.05, maskPeriod: 2 } });
      const ev = await keyEvidence(model, parsed, model.params);
      expect(ev).toMatchObject({ method: 'fcw', triggerAccuracy: 1 });

      // gallery: the preview from the same images and seed shows exactly the key's triggers, without predictions
      const preview = previewGallery(set, 4, { seed: 5, trainLimit: 0, fcw: fcwConfigOf(CFG) });
      const triggers = fcwTriggersFromKey(parsed.key);
      expect(preview).toMatchObject({ origin: 'preview', count: 8, width: 8, height: 8, target, predictions: null, accuracy: null });
      expect(preview.sources).toEqual(parsed.key.sources.map((s) => ({ classA: s.classA, classB: s.classB })));
      for (const s of preview.sources) {
        expect(s.classA).not.toBe(s.classB);
        expect([s.classA, s.classB]).not.toContain(target);
      }
      const rgba = new Uint8Array(preview.rgba);
      expect(rgba.length).toBe(8 * 8 * 8 * 4);
      for (let p = 0; p < 8 * 8 * 8; p++) {
        for (let c = 0; c < 3; c++) expect(rgba[4 * p + c]).toBe(triggers.images.images[3 * p + c]);
        expect(rgba[4 * p + 3]).toBe(255);
      }
      // direct fusion: the top-right quadrant of each trigger is white
      expect(rgba[4 * 6]).toBe(255);
      const g = await modelGallery(model, parsed.key, triggers);
      expect(g).toMatchObject({ origin: 'model', count: 8, target, accuracy: 1 });
      expect(g.predictions).toEqual(w.fcw!.predictions);
    } finally {
      session.dispose();
      model.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('a preview limited to the first images draws only from them; invisible mode; bad settings fail clearly', () => {
    const set = trainSet();
    const g = previewGallery(set, 4, { seed: 1, trainLimit: 16, fcw: { ...FCW_DEFAULTS, triggers: 6, perBatch: 3, mode: 'invisible', ratio: 0.25 } });
    expect(g).toMatchObject({ count: 6, mode: 'invisible', ratio: 0.25 });
    const again = previewGallery(set, 4, { seed: 1, trainLimit: 16, fcw: { ...FCW_DEFAULTS, triggers: 6, perBatch: 3, mode: 'invisible', ratio: 0.25 } });
    expect(new Uint8Array(again.rgba)).toEqual(new Uint8Array(g.rgba));
    const other = previewGallery(set, 4, { seed: 2, trainLimit: 16, fcw: { ...FCW_DEFAULTS, triggers: 6, perBatch: 3, mode: 'invisible', ratio: 0.25 } });
    expect(new Uint8Array(other.rgba)).not.toEqual(new Uint8Array(g.rgba));
    expect(() => validateWatermarkConfig({ ...CFG, fcw: { ...CFG.fcw!, perBatch: 9 } })).toThrow(/triggers per batch must be a whole number in 1\.\.8/);
    expect(() => validateWatermarkConfig({ ...CFG, fcw: { ...CFG.fcw!, maskFraction: 2 } })).toThrow(/mask fraction must be in \[0, 1\]/);
    expect(() => validateWatermarkConfig({ ...CFG, fcw: { ...CFG.fcw!, triggers: 0 } })).toThrow(/trigger count/);
    // absent settings: the engine defaults (30 direct triggers, 10 per batch, 0.2 % every 10 steps)
    expect(fcwConfigOf({})).toEqual({ triggers: 30, mode: 'direct', ratio: 0.5, perBatch: 10, maskFraction: 0.002, maskPeriod: 10 });
  });
});
