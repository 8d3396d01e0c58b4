import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createModel } from '../../../src/engine/models';
import { train } from '../../../src/engine/train';
import { arrayBatchSource } from '../../../src/engine/train/arraySource';
import { Rng } from '../../../src/engine/random/rng';
import { parseKeyFile } from '../../../src/engine/watermark';
import { parseModelJson } from '../../../src/engine/io/modelFile';
import type { WatermarkConfig, WatermasMarkConfig, WatermarkProgress } from '../../../src/protocol/api';
import { LiveWatermarkSettings, startWatermark } from '../../../src/engine/methods/watermas/session';
import { validateWatermarkConfig } from '../../../src/engine/methods';
import { exportKeyText, exportModelFiles } from '../../../src/workers/watermark/watermarkExport';

const MARK: WatermasMarkConfig = {
  method: 'watermas',
  payload: { kind: 'text', text: '© WM Lab' },
  strength: 0.5,
  key: { kind: 'random' },
  replicas: 1,
  sigma: 0.01,
  lambda: 0.5,
  mode: 'gaussian',
  rho: 0.05,
  margin: 0.5,
};

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('watermarked training run (worker)', () => {
  it('embeds, reports live BER 0 with unchanged marks, applies slider changes at the next step, verifies and exports', async () => {
    // A tiny cnn on 8x8 inputs (runTraining's full-size cnn takes minutes on the shared cpu; the browser test covers it).
    const model = createModel('cnn', { seed: 2, numClasses: 4, inputShape: [8, 8, 3], options: { width: 4, hidden: 16 } });
    const rng = new Rng(7);
    const images = Float32Array.from({ length: 32 * 8 * 8 * 3 }, () => rng.normal());
    const labels = Int32Array.from({ length: 32 }, (_, i) => i % 4);
    const source = arrayBatchSource(images, labels, [8, 8, 3], 16);
    const live = new LiveWatermarkSettings();
    const reports: WatermarkProgress[] = [];
    const before = tf.memory().numTensors;
    const session = await startWatermark(model, MARK, 3, live);
    let result;
    try {
      result = await train(
        model,
        source,
        { epochs: 2, lr: 0.05, optimizer: 'sgd', momentum: 0.9, weightDecay: 5e-4, logEvery: 1 },
        {
          ...session.trainHooks(),
          onProgress: async (p) => {
            reports.push(await session.progress(p.metrics));
            // After the first step, the "slider" moves: R 1 -> 0, λ 0.5 -> 0.25.
            if (p.step === 1) live.set({ replicas: 0, lambda: 0.25 });
          },
        },
      );
      expect(result.status).toBe('completed');
      expect(reports).toHaveLength(4);
      for (const r of reports) {
        expect(r.ber).toBe(0);
        expect(r.frozenUnchanged).toBe(true);
        expect(r.bits).toBe(72);
      }
      expect(reports[0].settings.replicas).toBe(1);
      expect(reports[0].settingsSinceStep).toBe(0);
      expect(reports[0].metrics.gap).toBeTypeOf('number');
      expect(reports[1].settings).toMatchObject({ replicas: 0, lambda: 0.25, sigma: 0.01 });
      expect(reports[1].settingsSinceStep).toBe(1);
      expect(session.objective.getSettings()).toMatchObject({ replicas: 0, lambda: 0.25 });

      const w = await session.report(model, result.frozenUnchanged ?? false);
      expect(w).toMatchObject({ payloadKind: 'text', bits: 72, errors: 0, ber: 0, detected: true, frozenUnchanged: true, message: '© WM Lab', seedSource: 'random' });
      expect(w.log10PValue).toBeLessThan(-15); // 0 errors in 72 bits: 2^-72 under the plain test, of that order calibrated (calibration.test.ts)
      expect(w.perTensor.reduce((s, t) => s + t.n, 0)).toBe(72);

      const key = parseKeyFile(exportKeyText(session.key));
      expect(key.payload).toMatchObject({ kind: 'text', text: '© WM Lab' });
      expect(key.objective.replicas).toBe(1); // the key records the settings at embedding
      const files = await exportModelFiles(model, session.key);
      const json = parseModelJson(files.modelJson);
      const total = json.weightsManifest[0].weights.reduce((s, spec) => s + spec.shape.reduce((a, b) => a * b, 1), 0);
      expect(files.weights.byteLength).toBe(4 * total);
      expect(files.modelJson).toContain(key.architecture.fingerprint);
    } finally {
      session.dispose();
    }
    // The session's tensors are all released: only the model's (allocated before `before`) remain.
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  }, 60_000);

  it('embeds the built-in-style logo and decodes it with correlation 1 before training', async () => {
    const model = createModel('cnn', { seed: 5 });
    const pixels = Array.from({ length: 64 }, (_, i) => ((i * 37) % 251) + 2);
    const session = await startWatermark(model, { ...MARK, payload: { kind: 'image', width: 8, height: 8, channels: 1, pixels } }, 1, null);
    try {
      const p = await session.progress({});
      expect(p.frozenUnchanged).toBe(true);
      const r = await session.report(model, true);
      expect(r.payloadKind).toBe('image');
      expect(r.detected).toBe(true);
      expect(r.image!.correlation).toBeGreaterThan(0.999);
      expect(Array.from(r.image!.pixels)).toEqual(pixels);
      // Writing a marked weight afterwards is seen by the live check.
      const name = session.key.positions[0].tensor;
      const v = model.params.get(name)!;
      const data = new Float32Array(await v.data());
      data[session.key.positions[0].indices[0]] += 1;
      v.assign(tf.tensor(data, v.shape));
      expect((await session.progress({})).frozenUnchanged).toBe(false);
    } finally {
      session.dispose();
      model.dispose();
    }
  });

  it('rejects bad configs and bad live values with a reason', () => {
    expect(() => validateWatermarkConfig({ ...MARK, payload: { kind: 'text', text: '' } })).toThrow(/text is empty/);
    expect(() => validateWatermarkConfig({ ...MARK, strength: 2 })).toThrow(/strength/);
    expect(() => validateWatermarkConfig({ ...MARK, payload: { kind: 'image', width: 2, height: 2, channels: 1, pixels: [1, 2, 3] } })).toThrow(/3 pixel values/);
    expect(() => validateWatermarkConfig({ ...MARK, key: { kind: 'passphrase', passphrase: '' } })).toThrow(/passphrase/);
    expect(() => validateWatermarkConfig({ ...MARK, method: 'none', strength: 99 } as WatermarkConfig)).not.toThrow();
    const live = new LiveWatermarkSettings();
    expect(() => live.set({ margin: 0 })).toThrow(/margin/);
    expect(() => live.set({ replicas: 1.5 })).toThrow(/R must/);
    expect(live.take()).toBeNull();
    live.set({ margin: Infinity });
    live.set({ sigma: 0.02 });
    expect(live.take()).toEqual({ margin: Infinity, sigma: 0.02 });
    expect(live.take()).toBeNull();
  });
});
