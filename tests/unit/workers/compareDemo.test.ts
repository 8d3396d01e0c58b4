/**
 * Compare mode from the shipped demo models (issue 15): the trained pair measured as it is
 * ('demo-pair') and both runs fine-tuning the unmarked model ('demo-unmarked'), served by a
 * stand-in for the app's server (fetch answered from memory) with an index.json like the one
 * `scripts/demo-models.mjs publish` writes.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { generateSynthetic } from '../../../src/engine/data/synthetic';
import { normalizationFor } from '../../../src/engine/data/normalize';
import type { Dataset } from '../../../src/engine/data/types';
import { sha256Hex } from '../../../src/engine/io/modelSha256';
import { saveModel } from '../../../src/engine/io/modelFile';
import { createModel } from '../../../src/engine/models';
import type { Model } from '../../../src/engine/models/types';
import { RunControl } from '../../../src/engine/train';
import { embedWatermark, seedFromHex, serializeKey } from '../../../src/engine/watermark';
import type { TrainSettings } from '../../../src/protocol/api';
import type { CompareEvent, CompareRequest } from '../../../src/protocol/compareMode';
import { runCompare } from '../../../src/workers/compare-mode/compareRun';
import { demoPairInfo } from '../../../src/workers/demo/demoModels';

const ORIGIN = 'http://demo.test';
const OPTIONS = { width: 4, hidden: 8 };

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => vi.unstubAllGlobals());

/** The synthetic images under CIFAR-10's name: the demo models refuse any other data set. */
const synthetic = generateSynthetic({ seed: 3, trainCount: 16, testCount: 8 });
const cifarLike: Dataset = { ...synthetic, name: 'cifar10', label: 'CIFAR-10 (test stand-in)' };
const normalization = normalizationFor(cifarLike);

const BASE: TrainSettings = {
  arch: 'cnn', epochs: 1, batchSize: 8, learningRate: 1e-7, optimizer: 'sgd', momentum: 0, weightDecay: 0,
  schedule: 'constant', seed: 1, trainLimit: 16, testLimit: 8, augment: false,
  watermark: {
    method: 'watermas', payload: { kind: 'random', bits: 32 }, strength: 0.5, key: { kind: 'passphrase', passphrase: 'demo' },
    replicas: 1, sigma: 0.01, lambda: 0.5, mode: 'gaussian', rho: 0.05, margin: 0.5,
  },
};

async function filesOf(model: Model): Promise<{ json: Uint8Array; weights: Uint8Array }> {
  const { modelJson, weightData } = await saveModel(model);
  return { json: new TextEncoder().encode(JSON.stringify(modelJson)), weights: new Uint8Array(weightData) };
}

/** A demo folder: an unmarked tiny cnn, and two marked copies of it with one key (the twin and the "WaterMAS" model). */
async function demoFolder(): Promise<{ files: Map<string, Uint8Array>; unmarked: Float32Array }> {
  const files = new Map<string, Uint8Array>();
  const models: Record<string, unknown>[] = [];
  const unmarked = createModel('cnn', { seed: 11, numClasses: 10, inputShape: [32, 32, 3], options: OPTIONS });
  const unmarkedDense = (await unmarked.params.get(unmarked.paramInfo.at(-2)!.name)!.data()) as Float32Array;
  const entry = async (name: string, method: string, model: Model, keyJson: string | null, replicas: number | null) => {
    const { json, weights } = await filesOf(model);
    const own: Record<string, Uint8Array> = { 'model.json': json, 'weights.bin': weights, ...(keyJson ? { 'key.json': new TextEncoder().encode(keyJson) } : {}) };
    for (const [f, b] of Object.entries(own)) files.set(`models/demo/${name}/${f}`, b);
    models.push({
      name, method, command: `wmlab train ${name}`, settings: replicas === null ? {} : { replicas, sigma: 0.01, lambda: 0.5 },
      testAccuracy: 0.5, testImages: 8, files: Object.fromEntries(Object.entries(own).map(([f, b]) => [f, sha256Hex(b)])),
    });
  };
  await entry('unmarked', 'none', unmarked, null, null);
  for (const [name, replicas] of [['twin', 0], ['watermas', 2]] as const) {
    const m = createModel('cnn', { seed: 11, numClasses: 10, inputShape: [32, 32, 3], options: OPTIONS });
    const { key } = await embedWatermark(m, { seed: seedFromHex('07'.repeat(32)), payload: { kind: 'random-bits', count: 32 }, objective: { replicas } });
    await entry(name, 'watermas', m, serializeKey(key), replicas);
    m.dispose();
  }
  unmarked.dispose();
  const side = { relativeRadius: 0.5, baseLoss: 2.3, baseAccuracy: 0.5, keyRise: 1e-4, keyRiseSpread: 2e-5, controlRise: 1e-4, controlRiseSpread: 2e-5, ratio: 1, controls: 4, draws: 8, flip: { fraction: 0.5, keyAccuracyDrop: 0.01, controlAccuracyDrop: 0 } };
  const index = { generatedBy: 'test', dataset: 'cifar10', models, pair: { measure: '--eval-size 8', evalSize: 8, paired: { keyGain: 1.5, controlGain: 1, flipCostGain: 0 }, marked: { ...side, keyRise: 1.5e-4 }, twin: side } };
  files.set('models/demo/index.json', new TextEncoder().encode(JSON.stringify(index)));
  return { files, unmarked: unmarkedDense.slice() };
}

/** fetch answered from `files` (404 for anything else), like the app's static server. */
function serve(files: Map<string, Uint8Array>) {
  vi.stubGlobal('fetch', async (url: URL | string) => {
    const path = new URL(String(url)).pathname.slice(1);
    const body = files.get(path);
    return body ? new Response(body.slice(), { status: 200, headers: { 'content-type': 'application/octet-stream' } }) : new Response('not found', { status: 404 });
  });
}

async function compare(request: Partial<CompareRequest>, dataset: Dataset = cifarLike) {
  const events: CompareEvent[] = [];
  const outcome = await runCompare({
    request: { base: BASE, landscape: { grid: 3, evalSize: 8 }, attack: { strengths: [0, 10], testLimit: 8 }, ...request },
    dataset, normalization, control: new RunControl(), backend: () => 'cpu', origin: ORIGIN, modelOptions: OPTIONS,
    onEvent: (e) => void events.push(e),
  });
  return { outcome, events };
}

describe('compare mode from the demo models', () => {
  it('demoPairInfo: both models checked, their keys read back with BER 0, the CLI measure passed on', async () => {
    const { files } = await demoFolder();
    serve(files);
    const n0 = tf.memory().numTensors;
    const info = await demoPairInfo(ORIGIN);
    expect(info.twin.ber).toBe(0);
    expect(info.marked.ber).toBe(0);
    expect(info.marked.settings.replicas).toBe(2);
    expect(info.measure?.keyGain).toBe(1.5);
    expect(info.measure?.marked.keyRise).toBe(1.5e-4);
    expect(info.measure?.twin.flipKeyDrop).toBe(0.01);
    expect(info.unmarked?.testAccuracy).toBe(0.5);
    expect(tf.memory().numTensors).toBe(n0);
  });

  it('refuses a file that does not hash to the index, absent files and a broken index, with the reason', async () => {
    const { files } = await demoFolder();
    const w = files.get('models/demo/watermas/weights.bin')!.slice();
    w[100] ^= 1;
    serve(new Map([...files, ['models/demo/watermas/weights.bin', w]]));
    await expect(demoPairInfo(ORIGIN)).rejects.toThrow(/demo model 'watermas': weights\.bin has SHA-256 .* the index says/);
    serve(new Map());
    await expect(demoPairInfo(ORIGIN)).rejects.toThrow(/the demo models are not on this server \(models\/demo\/index\.json: HTTP 404\)/);
    serve(new Map([...files, ['models/demo/index.json', new TextEncoder().encode('{"generatedBy": "x", "dataset": "mnist", "models": []}')]]));
    await expect(demoPairInfo(ORIGIN)).rejects.toThrow(/index\.json is not valid: dataset/);
  });

  it("'demo-pair': no training; A is the twin, B the marked model, each analysed with its key; strength 0 leaves BER 0", async () => {
    const { files } = await demoFolder();
    serve(files);
    const n0 = tf.memory().numTensors;
    const { outcome, events } = await compare({ start: 'demo-pair' });
    expect(tf.memory().numTensors).toBe(n0);
    expect(outcome.start).toBe('demo-pair');
    expect(events.some((e) => e.kind === 'train')).toBe(false);
    expect(events.filter((e) => e.kind === 'loaded').map((e) => (e.kind === 'loaded' ? `${e.lane}:${e.model.name}` : ''))).toEqual(['A:twin', 'B:watermas']);
    for (const lane of outcome.lanes) {
      expect(lane.error).toBeUndefined();
      expect(lane.train).toBeNull();
      expect(lane.loaded?.ber).toBe(0);
      expect(lane.landscape?.lossKey).toHaveLength(3);
      expect(lane.landscape?.keyVsControl).not.toBeNull();
      const clean = lane.attack!.points.find((p) => p.strength === 0)!;
      expect(clean.ber).toBe(0);
    }
  });

  it("'demo-pair' and 'demo-unmarked' refuse a data set the demo models were not trained on", async () => {
    const { files } = await demoFolder();
    serve(files);
    await expect(compare({ start: 'demo-pair' }, synthetic)).rejects.toThrow(/trained on CIFAR-10 and this page has the synthetic/);
    await expect(compare({ start: 'demo-unmarked' }, synthetic)).rejects.toThrow(/trained on CIFAR-10/);
    await expect(compare({ start: 'elsewhere' as CompareRequest['start'] })).rejects.toThrow(/start must be one of scratch, demo-unmarked, demo-pair/);
  });

  it("'demo-unmarked': both runs start from the unmarked model's weights (lr 1e-7: every unmarked weight stays within 1e-5 of it)", async () => {
    const { files, unmarked } = await demoFolder();
    serve(files);
    const kept: Float32Array[] = [];
    const marked: Set<number>[] = [];
    const outcome = await runCompare({
      request: { start: 'demo-unmarked', base: BASE, variants: [{ replicas: 0 }, { replicas: 1 }], landscape: { grid: 3, evalSize: 8 }, attack: { strengths: [0], testLimit: 8 } },
      dataset: cifarLike, normalization, control: new RunControl(), backend: () => 'cpu', origin: ORIGIN,
      onEvent: () => undefined,
      onLaneTrained: async ({ model, key }) => {
        const dense = model.paramInfo.at(-2)!.name;
        kept.push(((await model.params.get(dense)!.data()) as Float32Array).slice());
        marked.push(new Set(key.positions.filter((g) => g.tensor === dense).flatMap((g) => [...g.indices])));
      },
    });
    expect(outcome.lanes.map((l) => l.train?.steps)).toEqual([2, 2]);
    expect(kept).toHaveLength(2);
    for (const [i, values] of kept.entries()) {
      let worst = 0;
      for (let j = 0; j < values.length; j++) if (!marked[i].has(j)) worst = Math.max(worst, Math.abs(values[j] - unmarked[j]));
      expect(worst).toBeLessThan(1e-5);
    }
    // (a seeded start would be far from it: the weights are ~0.1 in size)
    expect(Math.max(...unmarked.map(Math.abs))).toBeGreaterThan(0.05);
    // a model of another architecture is refused before any step
    await expect(compare({ start: 'demo-unmarked', base: { ...BASE, arch: 'resnet20' } })).rejects.toThrow(/the demo model is a 'cnn' model: set the architecture to cnn/);
  });
});
