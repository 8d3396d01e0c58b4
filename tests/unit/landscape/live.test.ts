import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { LiveLandscape, LiveLandscapeDriver, crossEntropy, type LiveLandscapePoint } from '../../../src/engine/landscape';
import { createModel } from '../../../src/engine/models';
import type { Model } from '../../../src/engine/models/types';
import { Rng } from '../../../src/engine/random/rng';
import { arrayBatchSource, train } from '../../../src/engine/train';
import { createWaterMASObjective, embedWatermark, type WatermasKey } from '../../../src/engine/watermark';
import { bits, randomBatch, snapshot } from '../../fixtures/tinyModel';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SHAPE = [8, 8, 3] as const;

/** A tiny real cnn (8x8 inputs, width 4) with a 24-bit WaterMAS mark embedded. */
async function markedCnn(seed: number): Promise<{ model: Model; key: WatermasKey; frozen: Awaited<ReturnType<typeof embedWatermark>>['frozen'] }> {
  const model = createModel('cnn', { seed, inputShape: SHAPE, numClasses: 5, options: { width: 4, hidden: 8 } });
  const { key, frozen } = await embedWatermark(model, { seed: new Uint8Array(32).fill(seed), payload: { kind: 'random-bits', count: 24 } });
  return { model, key, frozen };
}

const positionsOf = (key: WatermasKey) => key.positions.map((g) => ({ tensor: g.tensor, indices: g.indices }));

async function ownLoss(model: Model, x: tf.Tensor4D, y: tf.Tensor1D): Promise<number> {
  const l = tf.tidy(() => crossEntropy(model.forward(x, { training: false }), y));
  const v = (await l.data())[0];
  l.dispose();
  return v;
}

/** The live landscape gets its own copy of the batch (it takes ownership). */
function copyBatch(b: { x: tf.Tensor4D; y: tf.Tensor1D }) {
  return { x: tf.clone(b.x), y: tf.clone(b.y) };
}

describe('LiveLandscape', () => {
  it('the centre of each slice is the model\'s own loss; sharpness = two-sided rise at the slice ends', async () => {
    const { model, key } = await markedCnn(3);
    const b = randomBatch(5, 12);
    const live = await LiveLandscape.create(model, copyBatch(b), { positions: positionsOf(key), seed: 7, radius: 0.5, points: 5 });
    const p = await live.measure(model, 4);
    const own = await ownLoss(model, b.x, b.y);
    expect(p.step).toBe(4);
    expect(p.alphas).toEqual([-0.5, -0.25, 0, 0.25, 0.5]);
    expect(p.lossKey[2]).toBeCloseTo(own, 6);
    expect(p.lossComplement[2]).toBeCloseTo(own, 6);
    expect(p.baseLoss).toBeCloseTo(own, 6);
    expect([...p.lossKey, ...p.lossComplement].every(Number.isFinite)).toBe(true);
    // the slices are not flat: the directions really move the weights
    expect(Math.abs(p.lossKey[0] - own)).toBeGreaterThan(1e-6);
    expect(Math.abs(p.lossComplement[4] - own)).toBeGreaterThan(1e-6);
    expect(p.sharpness.key).toBeCloseTo((p.lossKey[0] + p.lossKey[4]) / 2 - own, 6);
    expect(p.sharpness.complement).toBeCloseTo((p.lossComplement[0] + p.lossComplement[4]) / 2 - own, 6);
    if (p.sharpness.complement > 0) expect(p.sharpness.ratio).toBeCloseTo(p.sharpness.key / p.sharpness.complement, 6);
    expect(p.sharpness.radius).toBe(0.5);
    expect(live.evalSize).toBe(12);
    live.dispose();
    tf.dispose([b.x, b.y]);
    model.dispose();
  });

  it('keeps the same directions across refreshes while the weights change, and the same seed gives the same directions', async () => {
    const { model, key } = await markedCnn(4);
    const b = randomBatch(6, 8);
    const live = await LiveLandscape.create(model, copyBatch(b), { positions: positionsOf(key), seed: 11, points: 3 });
    const before = new Map<string, Uint32Array>();
    for (const [n, t] of live.directions.key) before.set(`K ${n}`, await bits(t));
    for (const [n, t] of live.directions.complement) before.set(`C ${n}`, await bits(t));
    expect(before.size).toBeGreaterThan(4);
    const p1 = await live.measure(model, 0);
    // change the unmarked weights of fc1 (as a training step would: marks stay frozen), then measure again
    const fc = model.params.get('fc1/kernel') as tf.Variable;
    const marks = new Set(key.positions.find((g) => g.tensor === 'fc1/kernel')?.indices ?? []);
    const w = Float32Array.from(await fc.data()).map((v, i) => (marks.has(i) ? v : 1.5 * v));
    const scaled = tf.tensor(w, fc.shape);
    fc.assign(scaled);
    scaled.dispose();
    const p2 = await live.measure(model, 1);
    expect(p2.baseLoss).not.toBeCloseTo(p1.baseLoss, 6);
    for (const [n, t] of live.directions.key) expect(await bits(t)).toEqual(before.get(`K ${n}`));
    for (const [n, t] of live.directions.complement) expect(await bits(t)).toEqual(before.get(`C ${n}`));
    // a second instance with the same seed on the same (changed) model: the same d_K (marks are
    // what it scales with); its d_¬K is normalised to today's filter norms, so it differs on fc1
    const again = await LiveLandscape.create(model, copyBatch(b), { positions: positionsOf(key), seed: 11, points: 3 });
    for (const [n, t] of again.directions.key) expect(await bits(t)).toEqual(before.get(`K ${n}`));
    expect(await bits(again.directions.complement.get('conv1/kernel')!)).toEqual(before.get('C conv1/kernel'));
    expect(await bits(again.directions.complement.get('fc1/kernel')!)).not.toEqual(before.get('C fc1/kernel'));
    // same seed, same model state -> the same measurement
    const q = await again.measure(model, 1);
    expect(q.lossKey).toEqual(p2.lossKey);
    again.dispose();
    live.dispose();
    tf.dispose([b.x, b.y]);
    model.dispose();
  });

  it('never writes the weights (bitwise) and does not grow numTensors over several measures', async () => {
    const { model, key } = await markedCnn(5);
    const b = randomBatch(7, 8);
    const before = await snapshot(model);
    const live = await LiveLandscape.create(model, copyBatch(b), { positions: positionsOf(key), seed: 1, points: 3 });
    await live.measure(model, 0);
    const n0 = tf.memory().numTensors;
    for (let i = 1; i <= 4; i++) await live.measure(model, i);
    expect(tf.memory().numTensors).toBe(n0);
    expect(await snapshot(model)).toEqual(before);
    const held = tf.memory().numTensors;
    live.dispose();
    live.dispose(); // idempotent
    expect(tf.memory().numTensors).toBeLessThan(held);
    await expect(live.measure(model)).rejects.toThrow(/after dispose/);
    tf.dispose([b.x, b.y]);
    model.dispose();
  });

  it('stops at the signal: a cancelled measurement says so and the driver reports nothing', async () => {
    const { model, key } = await markedCnn(7);
    const b = randomBatch(9, 8);
    const live = await LiveLandscape.create(model, copyBatch(b), { positions: positionsOf(key), seed: 1, points: 3 });
    const full = await live.measure(model, 0);
    expect(full.cancelled).toBe(false);
    let evaluations = 0;
    const signal = { get aborted() { return ++evaluations > 2; } };
    const p = await live.measure(model, 1, signal);
    expect(p.cancelled).toBe(true);
    expect(p.lossKey.some(Number.isNaN)).toBe(true);
    const points: number[] = [];
    const cancel = { aborted: false };
    const driver = new LiveLandscapeDriver(model, { every: () => 1, create: async () => live, onPoint: (q) => void points.push(q.step), signal: cancel });
    await driver.maybeMeasure(0);
    cancel.aborted = true;
    await driver.maybeMeasure(1);
    await driver.finish(2);
    expect(points).toEqual([0]);
    driver.dispose(); // disposes `live`
    tf.dispose([b.x, b.y]);
    model.dispose();
  });

  it('rejects bad settings and releases the batch it was given', async () => {
    const { model, key } = await markedCnn(6);
    const n0 = tf.memory().numTensors;
    const b = randomBatch(8, 4);
    await expect(LiveLandscape.create(model, b, { positions: positionsOf(key), seed: 1, points: 4 })).rejects.toThrow(/odd/);
    expect(tf.memory().numTensors).toBe(n0);
    const c = randomBatch(8, 4);
    await expect(LiveLandscape.create(model, c, { positions: [], seed: 1 })).rejects.toThrow(/no positions/);
    expect(tf.memory().numTensors).toBe(n0);
    model.dispose();
  });
});

describe('LiveLandscapeDriver with the real trainer', () => {
  /** `pauseShare` Infinity (default here): each refresh completes at its first pause, as the step counts below expect. */
  async function run(steps: number, every: number | (() => number), pauseShare = Infinity) {
    const { model, key, frozen } = await markedCnn(9);
    const rng = new Rng(3);
    const n = 4 * steps;
    const source = arrayBatchSource(rng.fillNormal(new Float32Array(n * 8 * 8 * 3)), Int32Array.from({ length: n }, () => rng.int(5)), SHAPE, 4);
    const objective = createWaterMASObjective(model, frozen, { seed: 1, settings: { replicas: 0 } });
    const evalB = randomBatch(10, 8);
    const points: LiveLandscapePoint[] = [];
    let created = 0;
    const innerSteps: number[] = [];
    const driver = new LiveLandscapeDriver(model, {
      totalSteps: steps,
      pauseShare,
      every: typeof every === 'number' ? () => every : every,
      create: async () => {
        created++;
        return LiveLandscape.create(model, copyBatch(evalB), { positions: positionsOf(key), seed: 2, points: 3 });
      },
      onPoint: (p) => {
        points.push(p);
      },
    });
    const result = await train(model, source, { epochs: 1, lr: 0.05, optimizer: 'sgd', momentum: 0.9, weightDecay: 0, logEvery: 1 }, {
      objective,
      frozen,
      beforeStep: driver.beforeStep((ctx) => {
        innerSteps.push(ctx.step);
      }),
    });
    await driver.finish(result.steps);
    const own = await ownLoss(model, evalB.x, evalB.y);
    driver.dispose();
    objective.dispose();
    tf.dispose([evalB.x, evalB.y]);
    model.dispose();
    return { result, points, created, innerSteps, own };
  }

  it('measures before steps 0, N, 2N… and once more after the last step', async () => {
    const n0 = tf.memory().numTensors;
    const r = await run(5, 2);
    expect(r.result.status).toBe('completed');
    expect(r.result.frozenUnchanged).toBe(true);
    expect(r.innerSteps).toEqual([0, 1, 2, 3, 4]); // the chained hook still runs every step
    expect(r.points.map((p) => p.step)).toEqual([0, 2, 4, 5]);
    expect(r.created).toBe(1);
    // the final point is the trained model's own loss on the eval batch
    expect(r.points[3].baseLoss).toBeCloseTo(r.own, 5);
    // training moved the model between refreshes
    expect(r.points[0].baseLoss).not.toBeCloseTo(r.points[3].baseLoss, 6);
    expect(tf.memory().numTensors).toBe(n0);
  });

  it('a refresh spread over pauses measures the weights of the step it started at, one point per pause at share 0', async () => {
    const n0 = tf.memory().numTensors;
    // share 0: after the first refresh (at once, before any step), one evaluation per pause.
    const r = await run(16, 8, 0);
    expect(r.result.status).toBe('completed');
    // 3 points per slice, 2 slices: the refresh begun before step 8 needs 6 pauses (steps 8..13).
    expect(r.points.map((p) => p.step)).toEqual([0, 8, 16]);
    expect(r.points.map((p) => p.pauses)).toEqual([1, 6, 1]);
    expect(r.innerSteps).toHaveLength(16);
    expect(tf.memory().numTensors).toBe(n0);
  });

  it('a measurement of a snapshot is not moved by training in between, and equals the one-shot measure bitwise', async () => {
    const { model, key } = await markedCnn(13);
    const b = randomBatch(11, 8);
    const live = await LiveLandscape.create(model, copyBatch(b), { positions: positionsOf(key), seed: 1, points: 5 });
    const once = await live.measure(model, 4);
    const spread = live.begin(model, 4);
    expect(await spread.advance(0)).toBeNull(); // one point
    // "training" moves every weight meanwhile
    for (const v of model.params.values()) tf.tidy(() => v.assign(tf.add(v, 0.05)));
    let p = null;
    while (p === null) p = await spread.advance(0);
    expect(spread.progress).toEqual({ done: 10, total: 10 });
    expect(p.pauses).toBe(10);
    expect(p.lossKey).toEqual(once.lossKey);
    expect(p.lossComplement).toEqual(once.lossComplement);
    expect(p.step).toBe(4);
    spread.dispose();
    expect((await live.measure(model, 5)).lossKey).not.toEqual(once.lossKey);
    live.dispose();
    tf.dispose([b.x, b.y]);
    model.dispose();
  });

  it('every = 1 gives a point before each step and one for the trained model; 0 = off builds nothing; every may change live', async () => {
    const r1 = await run(3, 1);
    expect(r1.points.map((p) => p.step)).toEqual([0, 1, 2, 3]);
    const r0 = await run(3, 0);
    expect(r0.points).toEqual([]);
    expect(r0.created).toBe(0);
    // off for the first two steps, then every 1
    let calls = 0;
    const r2 = await run(4, () => (calls++ < 2 ? 0 : 1));
    expect(r2.points.map((p) => p.step)).toEqual([2, 3, 4]);
    // a run shorter than N steps gets no live view (tiny demo / test runs stay free)
    const short = await run(3, 5);
    expect(short.points).toEqual([]);
    expect(short.created).toBe(0);
  });

  it('a failing measurement is reported once and stops the live view, not the training', async () => {
    const { model } = await markedCnn(12);
    const errors: string[] = [];
    const driver = new LiveLandscapeDriver(model, {
      every: () => 1,
      create: async () => {
        throw new Error('no memory');
      },
      onPoint: () => undefined,
      onError: (e) => errors.push(e.message),
    });
    await driver.maybeMeasure(0);
    await driver.maybeMeasure(1);
    await driver.finish(2);
    expect(errors).toEqual(['no memory']);
    expect(driver.count).toBe(0);
    driver.dispose();
    model.dispose();
  });
});
