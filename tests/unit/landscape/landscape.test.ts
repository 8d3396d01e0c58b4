import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import {
  complementDirection,
  computeGrid2D,
  computeSharpness,
  computeSlices,
  crossEntropy,
  disposeDirection,
  filterNorms,
  keyDirection,
  refinementLevels,
} from '../../../src/engine/landscape';
import { createModel } from '../../../src/engine/models';
import type { Model } from '../../../src/engine/models/types';
import { createTinyModel, randomBatch, snapshot } from '../../fixtures/tinyModel';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const POSITIONS = [
  { tensor: 'conv1/kernel', indices: [1, 7, 50, 99] },
  { tensor: 'conv2/kernel', indices: [0, 5, 17, 40, 99, 150, 301] },
  { tensor: 'head/dense/kernel', indices: [3, 30, 300] },
];

async function ownLoss(model: Model, x: tf.Tensor4D, y: tf.Tensor1D): Promise<number> {
  const l = tf.tidy(() => crossEntropy(model.forward(x, { training: false }), y));
  const v = (await l.data())[0];
  l.dispose();
  return v;
}

describe('landscape directions', () => {
  it('d_K lives on the key positions only, scaled to the mark magnitudes', async () => {
    const model = createTinyModel(1);
    const d = await keyDirection(model, POSITIONS, 2);
    expect([...d.keys()].sort()).toEqual(['conv1/kernel', 'conv2/kernel', 'head/dense/kernel']);
    const ratios: number[] = [];
    for (const k of POSITIONS) {
      const dv = await d.get(k.tensor)!.data();
      const th = await model.params.get(k.tensor)!.data();
      const keyset = new Set(k.indices);
      for (let i = 0; i < dv.length; i++) if (!keyset.has(i)) expect(dv[i]).toBe(0);
      for (const i of k.indices) ratios.push(dv[i] / Math.abs(th[i]));
    }
    // ratios are N(0,1) draws: not all equal, moderate size
    expect(new Set(ratios).size).toBe(ratios.length);
    expect(Math.max(...ratios.map(Math.abs))).toBeLessThan(5);
    const again = await keyDirection(model, POSITIONS, 2);
    expect(Array.from(await again.get('conv2/kernel')!.data())).toEqual(Array.from(await d.get('conv2/kernel')!.data()));
    disposeDirection(d);
    disposeDirection(again);
    model.dispose();
  });

  it('d_¬K is filter-normalised (per-filter norms = the weights\' filter norms), 0 on keys, biases and BN', async () => {
    const model = createTinyModel(3);
    const d = await complementDirection(model, POSITIONS, 4);
    expect([...d.keys()].sort()).toEqual(['conv1/kernel', 'conv2/kernel', 'head/dense/kernel']);
    for (const name of d.keys()) {
      const shape = model.params.get(name)!.shape;
      const units = shape[shape.length - 1];
      const dv = await d.get(name)!.data();
      const th = await model.params.get(name)!.data();
      const nd = filterNorms(dv, units), nt = filterNorms(th, units);
      for (let u = 0; u < units; u++) expect(nd[u] / nt[u]).toBeCloseTo(1, 5);
      const keys = POSITIONS.find((p) => p.tensor === name)!.indices;
      for (const i of keys) expect(dv[i]).toBe(0);
    }
    // independent check of the layout: a conv filter is the slice [:, :, :, o]
    const k2 = tf.tidy(() => tf.sqrt(tf.sum(tf.square(d.get('conv2/kernel')!), [0, 1, 2])));
    const w2 = tf.tidy(() => tf.sqrt(tf.sum(tf.square(model.params.get('conv2/kernel')!), [0, 1, 2])));
    const [a, b] = [await k2.data(), await w2.data()];
    for (let o = 0; o < a.length; o++) expect(a[o]).toBeCloseTo(b[o], 4);
    tf.dispose([k2, w2]);
    disposeDirection(d);
    model.dispose();
  });
});

describe('landscape evaluation', () => {
  it('1-D slices: centre = the model\'s own loss, streamed coarse first, no tensor growth, weights bitwise unchanged', async () => {
    const model = createTinyModel(5);
    const { x, y } = randomBatch(6, 24);
    const dK = await keyDirection(model, POSITIONS, 7);
    const dC = await complementDirection(model, POSITIONS, 8);
    const before = await snapshot(model);
    const n0 = tf.memory().numTensors;
    const order: number[] = [];
    const r = await computeSlices({ model, batch: { x, y }, keyDirection: dK, complementDirection: dC, radius: 1, points: 9, onPoint: (p) => order.push(p.index) });
    const own = await ownLoss(model, x, y);
    expect(r.alphas[4]).toBe(0);
    expect(r.lossKey[4]).toBeCloseTo(own, 6);
    expect(r.lossComplement[4]).toBeCloseTo(own, 6);
    expect(r.lossKey.every(Number.isFinite) && r.lossComplement.every(Number.isFinite)).toBe(true);
    expect(order.length).toBe(18);
    const lv = refinementLevels(9);
    for (let k = 1; k < order.length; k++) expect(lv[order[k]]).toBeGreaterThanOrEqual(lv[order[k - 1]]);
    // moving along d_¬K by a whole filter norm changes the loss
    expect(Math.abs(r.lossComplement[8] - own)).toBeGreaterThan(1e-3);
    expect(tf.memory().numTensors).toBe(n0);
    expect(await snapshot(model)).toEqual(before);
    // cancellation
    const signal = { aborted: false };
    const c = await computeSlices({ model, batch: { x, y }, keyDirection: dK, complementDirection: dC, radius: 1, points: 9, signal, onPoint: () => (signal.aborted = true) });
    expect(c.cancelled).toBe(true);
    expect(c.lossKey.filter(Number.isFinite).length).toBe(1);
    expect(tf.memory().numTensors).toBe(n0);
    disposeDirection(dK);
    disposeDirection(dC);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('2-D grid on the zoo cnn: centre = own loss, coarse cells first, cancellable, no growth, weights unchanged', async () => {
    const model = createModel('cnn', { seed: 1, inputShape: [8, 8, 3], options: { width: 4, hidden: 8 } });
    const positions = [{ tensor: 'conv2/kernel', indices: [1, 2, 3, 50, 100] }, { tensor: 'fc1/kernel', indices: [0, 9, 77] }];
    const { x, y } = randomBatch(9, 16, 8, 10);
    const dK = await keyDirection(model, positions, 1);
    const dC = await complementDirection(model, positions, 2);
    const before = await snapshot(model);
    const n0 = tf.memory().numTensors;
    const seen: [number, number][] = [];
    const g = await computeGrid2D({ model, batch: { x, y }, xDirection: dK, yDirection: dC, radius: 1, size: 7, onCell: (c) => seen.push([c.i, c.j]) });
    expect(g.done).toBe(49);
    expect(g.loss[3 * 7 + 3]).toBeCloseTo(await ownLoss(model, x, y), 6);
    const lv = refinementLevels(7);
    const level = ([i, j]: [number, number]) => Math.max(lv[i], lv[j]);
    for (let k = 1; k < seen.length; k++) expect(level(seen[k])).toBeGreaterThanOrEqual(level(seen[k - 1]));
    expect(level(seen[0])).toBe(0);
    expect(tf.memory().numTensors).toBe(n0);
    const signal = { aborted: false };
    const c = await computeGrid2D({ model, batch: { x, y }, xDirection: dK, yDirection: dC, radius: 1, size: 7, signal, onCell: (p) => (signal.aborted = p.done >= 5) });
    expect(c.cancelled).toBe(true);
    expect(c.done).toBe(5);
    expect([...c.loss].filter(Number.isFinite).length).toBe(5);
    expect(tf.memory().numTensors).toBe(n0);
    expect(await snapshot(model)).toEqual(before);
    disposeDirection(dK);
    disposeDirection(dC);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('sharpness: loss rises per subspace, their ratio, eigenvalues; no growth, weights unchanged', async () => {
    const model = createTinyModel(10, { c1: 4, c2: 6 });
    const { x, y } = randomBatch(11, 16);
    const before = await snapshot(model);
    const n0 = tf.memory().numTensors;
    const s = await computeSharpness({ model, batch: { x, y }, positions: [{ tensor: 'conv2/kernel', indices: [0, 5, 17, 40, 99, 150] }, { tensor: 'head/dense/kernel', indices: [3, 30] }], radius: 0.5, directions: 2, seed: 3, eigen: { iters: 8 } });
    expect(s.key.perDirection.length).toBe(2);
    expect(s.complement.perDirection.length).toBe(2);
    expect(s.baseLoss).toBeCloseTo(await ownLoss(model, x, y), 6);
    expect(Number.isFinite(s.key.rise) && Number.isFinite(s.complement.rise)).toBe(true);
    if (s.complement.rise > 0) expect(s.ratio).toBeCloseTo(s.key.rise / s.complement.rise, 10);
    expect(Number.isFinite(s.eigen!.key) && Number.isFinite(s.eigen!.complement)).toBe(true);
    // two-sided rises are symmetric in ±d: recomputing with the same seed gives the same numbers
    const again = await computeSharpness({ model, batch: { x, y }, positions: [{ tensor: 'conv2/kernel', indices: [0, 5, 17, 40, 99, 150] }, { tensor: 'head/dense/kernel', indices: [3, 30] }], radius: 0.5, directions: 2, seed: 3 });
    expect(again.key.perDirection).toEqual(s.key.perDirection);
    expect(again.eigen).toBeUndefined();
    expect(tf.memory().numTensors).toBe(n0);
    expect(await snapshot(model)).toEqual(before);
    tf.dispose([x, y]);
    model.dispose();
  });
});
