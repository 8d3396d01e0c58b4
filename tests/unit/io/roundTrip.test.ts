import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkUpload, type CheckUploadError, type CheckUploadResult } from '../../../src/engine/io/checkUpload';
import { exportSafetensors } from '../../../src/engine/io/exportSafetensors';
import { importWeights } from '../../../src/engine/io/importWeights';
import { saveModel } from '../../../src/engine/io/modelFile';
import { verifyTensors } from '../../../src/engine/io/verifyTensors';
import { createModel } from '../../../src/engine/models';
import type { Model } from '../../../src/engine/models/types';
import { embedWatermark } from '../../../src/engine/watermark/embed';
import { KeyModelMismatchError, serializeKey } from '../../../src/engine/watermark/keyFile';
import { seedFromHex } from '../../../src/engine/watermark/seed/seed';
import { createUchidaKey, serializeUchidaKey, verifyUchida } from '../../../src/engine/watermark/uchida';
import { verifyWatermark } from '../../../src/engine/watermark/verify';

const seed = seedFromHex('5afe7e25'.padEnd(64, '0'));
const tinyCnn = (s: number): Model => createModel('cnn', { seed: s, inputShape: [8, 8, 3], numClasses: 3, options: { width: 4, hidden: 16 } });

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('lab model → safetensors → import → verify', () => {
  it('gives BER 0 and a detection; the fingerprint is the file SHA-256; tensors equal the variables', async () => {
    const model = tinyCnn(3);
    const { key } = await embedWatermark(model, { seed, payload: { kind: 'random-bits', count: 64 } });
    const n0 = tf.memory().numTensors;
    const bytes = await exportSafetensors(model);
    expect(tf.memory().numTensors).toBe(n0);
    const imported = await importWeights([{ name: 'model.safetensors', bytes }]);
    expect(imported.format).toBe('safetensors');
    expect(imported.runnable).toBeUndefined();
    expect(imported.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(JSON.parse(imported.metadata!.config)).toEqual(JSON.parse(JSON.stringify(model.config)));
    // params and BN state, same names, shapes and values
    expect(imported.tensors.size).toBe(model.params.size + model.state.size);
    for (const [name, v] of [...model.params, ...model.state]) {
      const t = imported.tensors.get(name)!;
      expect(t.shape).toEqual(v.shape);
      expect(t.values).toEqual(await v.data());
    }
    const r = verifyTensors(imported.tensors, key);
    expect(r.ber).toBe(0);
    expect(r.errors).toBe(0);
    expect(r.n).toBe(64);
    expect(r.detected).toBe(true);
    expect(r.decodedBits).toBe((await verifyWatermark(model, key)).decodedBits);
    // and through the worker entry point with the key file
    const c = (await checkUpload([
      { name: 'model.safetensors', bytes },
      { name: 'watermark.key.json', bytes: new TextEncoder().encode(serializeKey(key)) },
    ])) as CheckUploadResult;
    expect(c.verification?.method).toBe('watermas');
    expect(berOf(c)).toBe(0);
    model.dispose();
  });

  it('an unmarked model of the same architecture is not detected; a flipped mark counts as an error', async () => {
    const marked = tinyCnn(4);
    const { key } = await embedWatermark(marked, { seed, payload: { kind: 'random-bits', count: 64 } });
    const other = tinyCnn(5);
    const imported = await importWeights([{ name: 'other.safetensors', bytes: await exportSafetensors(other) }]);
    const r = verifyTensors(imported.tensors, key);
    expect(r.detected).toBe(false);
    expect(r.ber).toBeGreaterThan(0.2);
    const mine = await importWeights([{ name: 'm.safetensors', bytes: await exportSafetensors(marked) }]);
    const g = key.positions[0];
    const t = mine.tensors.get(g.tensor)!;
    t.values[g.indices[0]] = -t.values[g.indices[0]];
    t.values[g.indices[1]] = 0;
    const r2 = verifyTensors(mine.tensors, key);
    expect(r2.errors).toBe(2);
    expect(r2.erasures).toBe(1);
    // a missing tensor / wrong shape is a named mismatch
    const shapeless = new Map(mine.tensors);
    shapeless.set(g.tensor, { shape: [t.values.length], values: t.values });
    expect(() => verifyTensors(shapeless, key, { file: 'm.safetensors' })).toThrow(KeyModelMismatchError);
    expect(() => verifyTensors(shapeless, key, { file: 'm.safetensors' })).toThrow(`tensor '${g.tensor}' has shape`);
    shapeless.delete(g.tensor);
    expect(() => verifyTensors(shapeless, key, { file: 'm.safetensors' })).toThrow(`tensor '${g.tensor}' is missing in m.safetensors`);
    marked.dispose();
    other.dispose();
  });
});

describe("the lab's model.json + weights.bin", () => {
  it('imports as a runnable model with identical weights, and verifies either way', async () => {
    const model = tinyCnn(6);
    const { key } = await embedWatermark(model, { seed, payload: { kind: 'text', text: 'lab ✓' } });
    const { modelJson, weightData } = await saveModel(model);
    const files = [
      { name: 'model.json', bytes: new TextEncoder().encode(JSON.stringify(modelJson)) },
      { name: 'weights.bin', bytes: new Uint8Array(weightData) },
    ];
    const imported = await importWeights(files);
    expect(imported.format).toBe('watermas-lab');
    const runnable = imported.runnable!;
    expect(runnable.config).toEqual(model.config);
    for (const [name, v] of model.params) expect(await runnable.params.get(name)!.data()).toEqual(await v.data());
    for (const [name, v] of model.state) expect(await runnable.state.get(name)!.data()).toEqual(await v.data());
    const a = verifyTensors(imported.tensors, key);
    expect(a.ber).toBe(0);
    expect(a.message).toBe('lab ✓');
    expect((await verifyWatermark(runnable, key)).ber).toBe(0);
    // same logits
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const y1 = model.forward(x, { training: false }), y2 = runnable.forward(x, { training: false });
    expect(await y2.data()).toEqual(await y1.data());
    tf.dispose([x, y1, y2]);
    // the worker entry point does not keep a model around
    const n0 = tf.memory().numTensors;
    const c = (await checkUpload([...files, { name: 'key.json', bytes: new TextEncoder().encode(serializeKey(key)) }])) as CheckUploadResult;
    expect(c.runnable).toBe(true);
    expect(berOf(c)).toBe(0);
    expect(tf.memory().numTensors).toBe(n0);
    // fingerprint of several files: independent of their order
    expect((await importWeights([...files].reverse(), { buildModel: false })).sha256).toBe(imported.sha256);
    runnable.dispose();
    model.dispose();
  });

  it('reads a TensorFlow.js manifest with two shards, float16 quantisation and a skipped int32 weight', async () => {
    const w = new Float32Array([0.5, -1, 2, -0.25]);
    const shard = new Uint8Array(4 * 4 + 2 * 3 + 4);
    const v = new DataView(shard.buffer);
    w.forEach((x, i) => v.setFloat32(4 * i, x, true));
    [0x3c00, 0xc000, 0x3800].forEach((h, i) => v.setUint16(16 + 2 * i, h, true));
    v.setInt32(22, 9, true);
    const modelJson = {
      format: 'graph-model',
      modelTopology: { node: [] },
      weightsManifest: [
        {
          paths: ['./group1-shard1of2.bin', './group1-shard2of2.bin'],
          weights: [
            { name: 'dense/kernel', shape: [2, 2], dtype: 'float32' },
            { name: 'dense/bias', shape: [3], dtype: 'float32', quantization: { dtype: 'float16' } },
            { name: 'step', shape: [], dtype: 'int32' },
          ],
        },
      ],
    };
    const imported = await importWeights([
      { name: 'model.json', bytes: new TextEncoder().encode(JSON.stringify(modelJson)) },
      { name: 'group1-shard2of2.bin', bytes: shard.slice(10) },
      { name: 'group1-shard1of2.bin', bytes: shard.slice(0, 10) },
    ]);
    expect(imported.format).toBe('tfjs-graph');
    expect([...imported.tensors.get('dense/kernel')!.values]).toEqual([0.5, -1, 2, -0.25]);
    expect([...imported.tensors.get('dense/bias')!.values]).toEqual([1, -2, 0.5]);
    expect(imported.tensors.has('step')).toBe(false);
    expect(imported.skipped).toEqual([{ name: 'step', dtype: 'int32' }]);
  });

  it('a time budget that is already spent fails with a clear message instead of hanging', async () => {
    const bytes = await exportSafetensors(tinyCnn(7));
    await expect(importWeights([{ name: 'slow.safetensors', bytes }], { limits: { timeoutMs: -1 } })).rejects.toThrow('slow.safetensors: import timed out');
  });
});

describe('Uchida keys through checkUpload', () => {
  it('verify on the lab format (runnable) and are refused, by name, on a bare tensor file', async () => {
    const model = tinyCnn(8);
    const key = createUchidaKey(model, { seed, payload: { kind: 'random-bits', count: 16 }, createdAt: 'now' });
    const direct = await verifyUchida(model, key);
    const { modelJson, weightData } = await saveModel(model);
    const keyFile = { name: 'uchida-key.json', bytes: new TextEncoder().encode(serializeUchidaKey(key)) };
    const n0 = tf.memory().numTensors;
    const c = (await checkUpload([
      { name: 'model.json', bytes: new TextEncoder().encode(JSON.stringify(modelJson)) },
      { name: 'weights.bin', bytes: new Uint8Array(weightData) },
      keyFile,
    ])) as CheckUploadResult;
    expect(tf.memory().numTensors).toBe(n0);
    expect(c.verification?.method).toBe('uchida');
    expect(c.verification?.result).toEqual(direct);
    const e = await checkUpload([{ name: 'm.safetensors', bytes: await exportSafetensors(model) }, keyFile]);
    expect((e as CheckUploadError).error).toContain('uchida-key.json: an Uchida key needs a runnable model');
    model.dispose();
  });
});

/** BER of a WaterMAS or Uchida verification (FCW reports trigger accuracy instead). */
function berOf(c: CheckUploadResult): number | undefined {
  const r = c.verification?.result;
  return r && 'ber' in r ? r.ber : undefined;
}
