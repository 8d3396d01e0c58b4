import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createModel } from '../../../src/engine/models';
import { train } from '../../../src/engine/train';
import { arrayBatchSource } from '../../../src/engine/train/arraySource';
import { Rng } from '../../../src/engine/random/rng';
import { parseMethodKeyFile, keyEvidence, startWatermarkSession, validateWatermarkConfig } from '../../../src/engine/methods';
import { parseModelJson } from '../../../src/engine/io/modelFile';
import type { UchidaMarkConfig, WatermarkProgress } from '../../../src/protocol/api';
import { uchidaLayersOf } from '../../../src/engine/methods/uchida/session';
import { exportKeyText, exportModelFiles } from '../../../src/workers/watermark/watermarkExport';

const BASE: UchidaMarkConfig = {
  method: 'uchida',
  payload: { kind: 'random', bits: 32 },
  key: { kind: 'random' },
  uchida: { layer: '', lambda: 10 },
};

/** A tiny cnn on 8x8 inputs and 32 random images (4 classes): seconds on the cpu backend. */
function tinySetup(seed = 2) {
  const model = createModel('cnn', { seed, numClasses: 4, inputShape: [8, 8, 3], options: { width: 4, hidden: 16 } });
  const rng = new Rng(7);
  const images = Float32Array.from({ length: 32 * 8 * 8 * 3 }, () => rng.normal());
  const labels = Int32Array.from({ length: 32 }, (_, i) => i % 4);
  return { model, source: arrayBatchSource(images, labels, [8, 8, 3], 16) };
}

const ctxFor = () => ({
  seed: 3,
  trainSet: { images: new Uint8Array(0), labels: new Uint8Array(0), count: 0, height: 8, width: 8, channels: 3 },
  normalization: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] } as const,
  live: null,
});

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('Uchida training run (worker)', () => {
  it('reaches BER 0 on a tiny cnn with a large λ, reports live BER, verifies and exports an Uchida key', async () => {
    const before = tf.memory().numTensors;
    const { model, source } = tinySetup();
    const session = await startWatermarkSession(model, BASE, ctxFor());
    expect(session?.method).toBe('uchida');
    if (!session) return;
    const reports: WatermarkProgress[] = [];
    try {
      expect(session.source(source)).toBe(source); // Uchida leaves the batches alone
      const result = await train(
        model,
        session.source(source),
        { epochs: 4, lr: 0.05, optimizer: 'sgd', momentum: 0.9, weightDecay: 0, logEvery: 1 },
        { ...session.trainHooks(), onProgress: async (p) => void reports.push(await session.progress(p.metrics)) },
      );
      expect(result.status).toBe('completed');
      expect(reports).toHaveLength(8);
      for (const r of reports) {
        expect(r.method).toBe('uchida');
        expect(r.bits).toBe(32);
        expect(r.errors).toBe(Math.round(r.ber * 32));
        expect(r.metrics.uchidaLoss).toBeTypeOf('number');
      }
      // the regulariser (a BCE sum) falls as the bits settle
      expect(reports[7].metrics.uchidaLoss).toBeLessThan(reports[0].metrics.uchidaLoss);
      expect(reports[7].ber).toBe(0);

      const w = await session.report(model, true);
      // default layer: the first conv kernel with M >= 32 (the stem's 3x3x3 = 27 is too short)
      const layers = uchidaLayersOf(model, 32);
      expect(layers.layers[0].projected).toBe(27);
      expect(w).toMatchObject({ method: 'uchida', payloadKind: 'bits', bits: 32, errors: 0, ber: 0, detected: true, keyTensors: 1, seedSource: 'random' });
      expect(w.uchida).toMatchObject({ layer: layers.defaultLayer, lambda: 10, rows: 32 });
      expect(w.uchida?.layer).not.toBe(layers.layers[0].name);
      expect(w.log10PValue).toBeCloseTo(-32 * Math.log10(2), 6);

      // key.json is an Uchida key file; its evidence on the model's own weights is the report's
      const { methodKey } = session;
      expect(methodKey.method).toBe('uchida');
      const parsed = parseMethodKeyFile(exportKeyText(methodKey));
      expect(parsed.method).toBe('uchida');
      const ev = await keyEvidence(model, parsed, model.params);
      expect(ev).toMatchObject({ method: 'uchida', ber: 0, detected: true });
      // a sign flip of the marked kernel (as attacked weights) flips every bit
      if (parsed.method !== 'uchida') return;
      const flipped = tf.neg(model.params.get(parsed.key.layer)!);
      try {
        const ev2 = await keyEvidence(model, parsed, new Map([[parsed.key.layer, flipped]]));
        expect(ev2).toMatchObject({ method: 'uchida', ber: 1, detected: false });
      } finally {
        flipped.dispose();
      }
      const files = await exportModelFiles(model, methodKey);
      const meta = parseModelJson(files.modelJson, 'model.json').userDefinedMetadata as { watermark?: Record<string, unknown> } | undefined;
      expect(meta?.watermark).toMatchObject({ method: 'uchida' });
    } finally {
      session.dispose();
      model.dispose();
    }
    // the objective's matrix and bits are released with the session, the model's variables with it
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('a text payload is decoded back; a named layer is used; the same passphrase gives the same key', async () => {
    const { model, source } = tinySetup(5);
    const layer = uchidaLayersOf(model, 16).layers[1].name;
    const cfg: UchidaMarkConfig = { ...BASE, payload: { kind: 'text', text: 'Hi' }, key: { kind: 'passphrase', passphrase: 'open sesame' }, uchida: { layer, lambda: 10 } };
    const a = await startWatermarkSession(model, cfg, ctxFor());
    const b = await startWatermarkSession(model, cfg, ctxFor());
    if (!a || !b) throw new Error('no session');
    try {
      const ka = a.methodKey, kb = b.methodKey;
      if (ka.method !== 'uchida' || kb.method !== 'uchida') throw new Error('not uchida');
      expect(ka.key.layer).toBe(layer);
      expect(ka.key.matrix.seed).toBe(kb.key.matrix.seed);
      await train(model, a.source(source), { epochs: 4, lr: 0.05, optimizer: 'sgd', momentum: 0.9, weightDecay: 0, logEvery: 4 }, a.trainHooks());
      const w = await a.report(model, true);
      expect(w).toMatchObject({ payloadKind: 'text', bits: 16, ber: 0, message: 'Hi', seedSource: 'passphrase' });
    } finally {
      a.dispose();
      b.dispose();
      model.dispose();
    }
  }, 60_000);

  it('rejects an image payload, a bad λ and a layer that is not a conv kernel, with clear messages', async () => {
    expect(() => validateWatermarkConfig({ ...BASE, payload: { kind: 'image', width: 2, height: 2, channels: 1, pixels: [0, 1, 2, 3] } })).toThrow(/random bits or a text, not an image/);
    expect(() => validateWatermarkConfig({ ...BASE, uchida: { layer: '', lambda: -1 } })).toThrow(/λ must be finite and >= 0/);
    const { model } = tinySetup();
    try {
      await expect(startWatermarkSession(model, { ...BASE, uchida: { layer: 'head/dense/kernel', lambda: 1 } }, ctxFor())).rejects.toThrow(/must be a conv kernel of this cnn/);
    } finally {
      model.dispose();
    }
    // absent uchida settings = engine defaults (λ 0.01)
    const m2 = tinySetup().model;
    const s = await startWatermarkSession(m2, { ...BASE, uchida: undefined }, ctxFor());
    try {
      expect(s?.methodKey.method === 'uchida' && s.methodKey.key.objective.lambda).toBe(0.01);
    } finally {
      s?.dispose();
      m2.dispose();
    }
  });
});
