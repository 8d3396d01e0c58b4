/**
 * The demo models shipped in public/models/demo/ (issue 15): every file matches the SHA-256 of
 * index.json, each model loads, the twin and the WaterMAS model carry the same key and read it
 * back with BER 0, and (where this machine has CIFAR-10) each model's accuracy on the first 300
 * test images agrees with the accuracy index.json states for all 10,000.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { evalBatches } from '../../../src/engine/data/batches';
import { normalizationFor } from '../../../src/engine/data/normalize';
import { loadCifar10 } from '../../../src/engine/data/sources';
import { DEMO_MODEL_NAMES, checkDemoFile, demoModel, parseDemoIndex } from '../../../src/engine/io/demoIndex';
import { loadModel } from '../../../src/engine/io/loadModel';
import { parseModelJson } from '../../../src/engine/io/modelFile';
import { evaluate } from '../../../src/engine/train';
import { verifyWatermark } from '../../../src/engine/watermark';
import { parseMethodKeyFile } from '../../../src/engine/methods';
import { nodeDataFs } from '../../../src/cli/nodeFs';
import { REAL_CIFAR_DIR, hasRealCifar } from '../data/helpers';

const DIR = resolve(fileURLToPath(import.meta.url), '../../../../public/models/demo');
const index = parseDemoIndex(readFileSync(join(DIR, 'index.json'), 'utf8'));
const bytes = (name: string, file: string) => new Uint8Array(readFileSync(join(DIR, name, file)));
const modelOf = (name: (typeof DEMO_MODEL_NAMES)[number]) => {
  const w = bytes(name, 'weights.bin');
  return loadModel(parseModelJson(new TextDecoder().decode(bytes(name, 'model.json'))), w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength) as ArrayBuffer);
};
/** 300 images: the standard error of an accuracy near 80 % is ~2.3 points, so 7 points is 3 of them. */
const IMAGES = 300;
const TOLERANCE = 0.07;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('the shipped demo models', () => {
  it('lists the unmarked model, the R = 0 twin and the WaterMAS model, each file matching its SHA-256', () => {
    expect(index.models.map((m) => m.name).sort()).toEqual([...DEMO_MODEL_NAMES].sort());
    for (const m of index.models) {
      expect(Object.keys(m.files).sort()).toEqual(m.method === 'watermas' ? ['key.json', 'model.json', 'weights.bin'] : ['model.json', 'weights.bin']);
      for (const file of Object.keys(m.files)) checkDemoFile(m, file, bytes(m.name, file));
    }
    // the lecture presets' model is useful: ≥ 75 % on the 10,000 test images
    expect(demoModel(index, 'unmarked').testImages).toBe(10_000);
    expect(demoModel(index, 'unmarked').testAccuracy).toBeGreaterThanOrEqual(0.75);
  });

  it('the twin and the WaterMAS model share one key (same positions and payload) and read it back with BER 0', async () => {
    const keys = (['twin', 'watermas'] as const).map((n) => parseMethodKeyFile(new TextDecoder().decode(bytes(n, 'key.json'))));
    const [twin, marked] = keys.map((k) => (k.method === 'watermas' ? k.key : null));
    expect(twin && marked).toBeTruthy();
    expect(JSON.stringify(marked!.positions)).toBe(JSON.stringify(twin!.positions));
    expect(JSON.stringify(marked!.payload)).toBe(JSON.stringify(twin!.payload));
    expect(marked!.objective.replicas).toBeGreaterThan(0);
    expect(twin!.objective.replicas).toBe(0);
    for (const [name, key] of [['twin', twin!], ['watermas', marked!]] as const) {
      const model = modelOf(name);
      try {
        const r = await verifyWatermark(model, key);
        expect(r.ber, name).toBe(0);
        expect(r.detected, name).toBe(true);
      } finally {
        model.dispose();
      }
    }
  });

  it.skipIf(!hasRealCifar)(`each model's accuracy on the first ${IMAGES} CIFAR-10 test images is within ${Math.round(100 * TOLERANCE)} points of index.json's`, async () => {
    const dataset = await loadCifar10(nodeDataFs, REAL_CIFAR_DIR, { trainLimit: 1, testLimit: IMAGES });
    for (const name of DEMO_MODEL_NAMES) {
      const model = modelOf(name);
      try {
        const r = await evaluate(model, evalBatches(dataset.test, 100, normalizationFor(dataset)));
        expect(Math.abs(r.accuracy - demoModel(index, name).testAccuracy), `${name}: ${r.accuracy} on ${IMAGES} images`).toBeLessThanOrEqual(TOLERANCE);
      } finally {
        model.dispose();
      }
    }
  }, 300_000);
});
