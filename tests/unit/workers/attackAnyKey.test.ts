import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { runSweep } from '../../../src/engine/attacks';
import { BatchStream, evalBatches } from '../../../src/engine/data/batches';
import { sliceImageSet } from '../../../src/engine/data/imageset';
import { computeNormalization } from '../../../src/engine/data/normalize';
import { generateSynthetic } from '../../../src/engine/data/synthetic';
import type { Dataset, ImageSet } from '../../../src/engine/data/types';
import { createFcwKey, downsample2x2, generateTriggers, trainFcw, verifyFcwKey } from '../../../src/engine/fcw';
import { createModel } from '../../../src/engine/models';
import type { Model } from '../../../src/engine/models/types';
import { RunControl, evaluate, train } from '../../../src/engine/train';
import { arrayBatchSource } from '../../../src/engine/train/arraySource';
import { Rng } from '../../../src/engine/random/rng';
import { createUchidaKey, embedWatermark, judgeValues, readKeyEvidence, verifyUchida } from '../../../src/engine/watermark';
import { type MethodKey } from '../../../src/engine/methods';
import { UchidaObjective } from '../../../src/engine/watermark/uchidaObjective';
import type { AttackPoint } from '../../../src/protocol/analysis';
import { AnalysisService } from '../../../src/workers/analysis/analysisService';
import { runAttackSweepOn } from '../../../src/workers/attack/attackRun';
import { JobBoard } from '../../../src/workers/jobs';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The synthetic set shrunk to 8x8 (two 2x2 box averages) so that cpu training takes seconds. */
function shrink(set: ImageSet): ImageSet {
  const per = 8 * 8 * 3;
  const images = new Uint8Array(set.count * per);
  for (let i = 0; i < set.count; i++) {
    const half = downsample2x2(set.images.subarray(i * 3072, (i + 1) * 3072), 32, 32, 3);
    images.set(downsample2x2(half, 16, 16, 3), i * per);
  }
  return { ...set, images, height: 8, width: 8 };
}

const synthetic = generateSynthetic({ seed: 21, trainCount: 96, testCount: 16 });
const dataset: Dataset = { ...synthetic, train: shrink(synthetic.train), test: shrink(synthetic.test) };
const normalization = computeNormalization(dataset.train);
const smallCnn = (seed: number) => createModel('cnn', { seed, inputShape: [8, 8, 3], options: { width: 4, hidden: 16 } });

async function snapshot(model: Model) {
  const out = new Map<string, Float32Array>();
  for (const [k, v] of model.params) out.set(k, (await v.data()) as Float32Array);
  return out;
}

/** Runs a sweep on the cpu backend, collecting the streamed points. */
async function sweep(model: Model, key: MethodKey | Parameters<typeof runAttackSweepOn>[0]['key'], attack: string, strengths: number[]) {
  const streamed: AttackPoint[] = [];
  const o = await runAttackSweepOn({
    model, key, dataset, normalization, control: new RunControl(), backend: () => 'cpu',
    settings: { attack, strengths, testLimit: 16, seed: 1 },
    onPoint: (p) => void streamed.push(p),
  });
  expect(o.points).toEqual(streamed);
  return o;
}

describe('attack sweeps on keys of any method', () => {
  it('Uchida: strength 0 gives the clean verification (BER, p-value, verdict) and the clean accuracy; noise raises the BER; nothing leaks', async () => {
    const model = smallCnn(2);
    const key = createUchidaKey(model, { seed: new Uint8Array(32).fill(7), payload: { kind: 'text', text: 'UCHIDA' } });
    const rng = new Rng(3);
    const images = rng.fillNormal(new Float32Array(32 * 8 * 8 * 3));
    const labels = Int32Array.from({ length: 32 }, () => rng.int(10));
    const objective = new UchidaObjective(key, { lambda: 0.5 });
    await train(model, arrayBatchSource(images, labels, [8, 8, 3], 16), { optimizer: 'sgd', momentum: 0.9, lr: 0.05, epochs: 15, logEvery: 10 }, { objective });
    objective.dispose();
    const clean = await verifyUchida(model, key);
    expect(clean.ber).toBe(0);
    const before = await snapshot(model);
    const n0 = tf.memory().numTensors;

    const o = await sweep(model, { method: 'uchida', key }, 'noise', [0, 10]);
    expect(o.method).toBe('uchida');
    expect(o.cancelled).toBe(false);
    const [zero, strong] = o.points;
    expect(zero).toMatchObject({ method: 'uchida', strength: 0, ber: clean.ber, triggerAccuracy: null, pValue: clean.pValue, log10PValue: clean.log10PValue, detected: clean.detected });
    expect(zero.detected).toBe(true);
    expect(zero.accuracy).toBe(o.baseAccuracy);
    expect(strong.ber).toBeGreaterThan(0.1);
    expect(strong.detected).toBe(false);
    // another attack at strength 0 changes nothing either
    const p = await sweep(model, { method: 'uchida', key }, 'prune', [0]);
    expect(p.points[0]).toMatchObject({ ber: clean.ber, pValue: clean.pValue, accuracy: p.baseAccuracy });
    // key interception needs WaterMAS positions
    await expect(sweep(model, { method: 'uchida', key }, 'intercept', [0.5])).rejects.toThrow(/needs the key positions of a WaterMAS key; this run has a uchida key/);

    expect(tf.memory().numTensors).toBe(n0);
    expect(await snapshot(model)).toEqual(before);
    model.dispose();
  }, 60_000);

  it('FCW: strength 0 gives the clean trigger accuracy (100 % right after embedding) and p-value; noise changes the model; nothing leaks', async () => {
    const model = smallCnn(1);
    const triggers = generateTriggers(dataset.train, { seed: 8, count: 30 });
    const stream = new BatchStream(dataset.train, { batchSize: 16, seed: 2, normalization });
    await trainFcw(model, stream, { epochs: 4, lr: 0.05, optimizer: 'sgd', momentum: 0.9, weightDecay: 5e-4, logEvery: 6 }, { triggers, normalization, seed: 3, perBatch: 10 });
    const key = createFcwKey(triggers, { numClasses: 10, normalization });
    const clean = await verifyFcwKey(model, key);
    expect(clean.accuracy).toBe(1);
    const before = await snapshot(model);
    const n0 = tf.memory().numTensors;

    const o = await sweep(model, { method: 'fcw', key }, 'noise', [0, 10]);
    expect(o.method).toBe('fcw');
    const [zero, strong] = o.points;
    expect(zero).toMatchObject({ method: 'fcw', strength: 0, ber: null, triggerAccuracy: 1, pValue: clean.pValue, log10PValue: clean.log10PValue, detected: clean.detected });
    expect(zero.detected).toBe(true);
    expect(zero.accuracy).toBe(o.baseAccuracy);
    expect(strong.triggerAccuracy).toBeGreaterThanOrEqual(0);
    expect(strong.triggerAccuracy).toBeLessThanOrEqual(1);
    expect(strong.ber).toBeNull();
    // Ω = 10 standard deviations of noise per tensor: the attacked copy is another function
    expect([strong.accuracy, strong.triggerAccuracy]).not.toEqual([zero.accuracy, zero.triggerAccuracy]);

    expect(tf.memory().numTensors).toBe(n0);
    expect(await snapshot(model)).toEqual(before);
    model.dispose();
  }, 90_000);

  it('WaterMAS: the same points as reading the key straight from the attacked weights, for a bare Key and an MethodKey', async () => {
    const model = smallCnn(5);
    const { key } = await embedWatermark(model, { seed: new Uint8Array(32).fill(9), payload: { kind: 'random-bits', count: 64 }, createdAt: '2026-01-01T00:00:00Z' });
    const n0 = tf.memory().numTensors;
    const strengths = [0, 1, 10];
    const bare = await sweep(model, key, 'noise', strengths);
    const wrapped = await sweep(model, { method: 'watermas', key }, 'noise', strengths);
    // the reference: the engine's runSweep measured as the Attack panel did before it took any key
    const test = sliceImageSet(dataset.test, 0, 16);
    const ref = await runSweep({
      model, attack: 'noise', strengths, attackOptions: { seed: 1, positions: key.positions, interceptMode: 'flip' },
      measure: async (weights) => {
        const acc = await evaluate(model, evalBatches(test, 16, normalization), { overrides: weights });
        const { values, signRates } = await readKeyEvidence({ params: weights as ReadonlyMap<string, tf.Variable> }, key);
        const v = judgeValues(values, key, undefined, signRates);
        return { accuracy: acc.accuracy, ber: v.ber, pValue: v.pValue, log10PValue: v.log10PValue, detected: v.detected };
      },
    });
    const strip = (ps: readonly AttackPoint[]) => ps.map(({ ms: _ms, ...p }) => p);
    expect(strip(wrapped.points)).toEqual(strip(bare.points));
    expect(bare.points.map((p) => ({ method: p.method, triggerAccuracy: p.triggerAccuracy, strength: p.strength, accuracy: p.accuracy, ber: p.ber, pValue: p.pValue, log10PValue: p.log10PValue, detected: p.detected }))).toEqual(
      ref.points.map((p) => ({ method: 'watermas', triggerAccuracy: null, strength: p.strength, ...p.metrics })),
    );
    expect(bare.points[0].ber).toBe(0);
    expect(bare.points[2].ber).toBeGreaterThan(0.1);
    expect(tf.memory().numTensors).toBe(n0);
    model.dispose();
  }, 60_000);

  it('the worker service attacks the current model with its key of any method; the landscape still asks for a WaterMAS key', async () => {
    const model = smallCnn(4);
    const key: MethodKey = { method: 'uchida', key: createUchidaKey(model, { seed: new Uint8Array(32).fill(3), payload: { kind: 'random-bits', count: 16 } }) };
    const service = new AnalysisService({
      currentModel: () => model,
      currentKey: () => null,
      currentAnyKey: () => key,
      currentMethod: () => 'uchida',
      currentData: () => ({ dataset, normalization }),
      backendName: () => 'cpu',
      jobs: new JobBoard(),
      exclusive: (_context, fn) => fn(),
    });
    expect(await service.attackTarget()).toEqual({ arch: 'cnn', method: 'uchida', replicas: null });
    expect(await service.keyedModel()).toBeNull();
    const clean = await verifyUchida(model, key.key as Parameters<typeof verifyUchida>[1]);
    const points: AttackPoint[] = [];
    const o = await service.runAttackSweep({ attack: 'noise', strengths: [0], testLimit: 8, seed: 0 }, (p) => void points.push(p));
    expect(o.method).toBe('uchida');
    expect(points).toHaveLength(1);
    expect(points[0]).toMatchObject({ method: 'uchida', ber: clean.ber, pValue: clean.pValue });
    expect(service.busy).toBe(false);
    await expect(service.runLandscape({ radius: 0.5, grid: 3, dims: 1, evalSize: 4, seed: 0, eigenIters: 0 }, () => undefined)).rejects.toThrow(/needs a WaterMAS key; this run has an Uchida key/);
    model.dispose();
  }, 30_000);
});
