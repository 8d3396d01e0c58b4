import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { disposeWeights, inferSequentialGroups, runAttack, unitPermutation, weightParams } from '../../../src/engine/attacks';
import type { AttackedWeights, KeyPositions } from '../../../src/engine/attacks';
import { createModel } from '../../../src/engine/models';
import type { Model } from '../../../src/engine/models/types';
import { Rng } from '../../../src/engine/random/rng';
import { createTinyModel, randomBatch, snapshot } from '../../fixtures/tinyModel';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A sign key: n random distinct positions over the weight tensors, expected sign = current sign. */
async function signKey(model: Model, n: number, seed: number): Promise<{ positions: KeyPositions[]; signs: Map<string, number[]> }> {
  const rng = new Rng(seed);
  const ws = weightParams(model);
  const total = ws.reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
  const chosen = [...rng.permutation(total).subarray(0, n)].sort((a, b) => a - b);
  const positions: KeyPositions[] = [];
  const signs = new Map<string, number[]>();
  let start = 0;
  for (const p of ws) {
    const size = p.shape.reduce((a, b) => a * b, 1);
    const idx = chosen.filter((g) => g >= start && g < start + size).map((g) => g - start);
    const data = await model.params.get(p.name)!.data();
    positions.push({ tensor: p.name, indices: idx });
    signs.set(p.name, idx.map((i) => (data[i] > 0 ? 1 : 0)));
    start += size;
  }
  return { positions, signs };
}

async function ber(weights: AttackedWeights, key: Awaited<ReturnType<typeof signKey>>): Promise<number> {
  let errors = 0, n = 0;
  for (const k of key.positions) {
    const data = await weights.get(k.tensor)!.data();
    const expected = key.signs.get(k.tensor)!;
    Array.from(k.indices).forEach((i, j) => {
      n++;
      if ((data[i] > 0 ? 1 : 0) !== expected[j]) errors++;
    });
  }
  return errors / n;
}

async function maxOutputDiff(model: Model, weights: AttackedWeights, x: tf.Tensor4D): Promise<number> {
  const a = model.forward(x, { training: false });
  const b = model.forward(x, { training: false, overrides: weights });
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const v = (await d.data())[0];
  tf.dispose([a, b, d]);
  return v;
}

describe('neuron permutation', () => {
  it('moves exactly round(p·units) units, none of them fixed', () => {
    const rng = new Rng(1);
    for (const [units, p] of [[16, 1], [16, 0.5], [24, 0.25], [10, 0.05]] as const) {
      const perm = unitPermutation(units, p, rng);
      expect([...perm].sort((a, b) => a - b)).toEqual(Array.from({ length: units }, (_, i) => i));
      const moved = [...perm].filter((v, i) => v !== i).length;
      const m = Math.round(p * units);
      expect(moved).toBe(m < 2 ? 0 : m);
    }
  });

  it('infers the sequential groups of the test model (conv1 -> conv2 -> dense)', () => {
    const model = createTinyModel(1);
    const groups = inferSequentialGroups(model);
    expect(groups.map((g) => [g.units, g.producers.map((p) => p.name), g.consumers.map((c) => `${c.name}@${c.axis}`)])).toEqual([
      [16, ['conv1/kernel', 'bn1/gamma', 'bn1/moving_mean', 'bn1/moving_variance', 'bn1/beta'], ['conv2/kernel@2']],
      [24, ['conv2/kernel', 'conv2/bias'], ['head/dense/kernel@0']],
    ]);
    model.dispose();
  });

  it('keeps the outputs (1e-5) and breaks a position sign key (BER ~ 0.5); the model is untouched', async () => {
    const model = createTinyModel(2);
    const { x } = randomBatch(3, 16);
    const key = await signKey(model, 600, 4);
    const before = await snapshot(model);
    const n0 = tf.memory().numTensors;
    const w = await runAttack('permute', model, 1, { seed: 5 });
    expect(await maxOutputDiff(model, w, x)).toBeLessThan(1e-5);
    const b = await ber(w, key);
    expect(b).toBeGreaterThan(0.4);
    expect(b).toBeLessThan(0.6);
    // the BN moving statistics were permuted too (they are non-trivial in this model)
    expect(w.has('bn1/moving_mean')).toBe(true);
    disposeWeights(w);
    const half = await runAttack('permute', model, 0.5, { seed: 5 });
    expect(await maxOutputDiff(model, half, x)).toBeLessThan(1e-5);
    const bh = await ber(half, key);
    expect(bh).toBeGreaterThan(0.1);
    expect(bh).toBeLessThan(b);
    disposeWeights(half);
    expect(tf.memory().numTensors).toBe(n0);
    expect(await snapshot(model)).toEqual(before);
    x.dispose();
    model.dispose();
  });

  it("keeps the outputs of the zoo's 'cnn' (flatten into a dense layer)", async () => {
    const model = createModel('cnn', { seed: 7, inputShape: [8, 8, 3], options: { width: 8, hidden: 16 } });
    const { x } = randomBatch(8, 8);
    const key = await signKey(model, 800, 9);
    const w = await runAttack('permute', model, 1, { seed: 10 });
    expect(await maxOutputDiff(model, w, x)).toBeLessThan(1e-5);
    const b = await ber(w, key);
    expect(b).toBeGreaterThan(0.4);
    expect(b).toBeLessThan(0.6);
    disposeWeights(w);
    x.dispose();
    model.dispose();
  });

  it("keeps the outputs of the zoo's 'cnn' with trained (non-trivial) BatchNorm statistics", async () => {
    const model = createModel('cnn', { seed: 11, inputShape: [8, 8, 3], options: { width: 8, hidden: 16 } });
    const rng = new Rng(12);
    for (const s of model.stateInfo) {
      const size = s.shape[0];
      const v = Float32Array.from({ length: size }, () => (s.role === 'bn-moving-variance' ? 0.5 + rng.float() : 0.3 * rng.normal()));
      tf.tidy(() => model.state.get(s.name)!.assign(tf.tensor1d(v)));
    }
    const { x } = randomBatch(13, 8);
    // forward() reads BatchNorm statistics from `overrides` (permutation and fine-tuning need it).
    const probe = new Map([['bn1/moving_mean', tf.add(model.state.get('bn1/moving_mean')!, 1)]]);
    const a = model.forward(x, { training: false });
    const b = model.forward(x, { training: false, overrides: probe });
    const m = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
    const readsState = (await m.data())[0] > 0;
    tf.dispose([a, b, m, ...probe.values()]);
    const w = await runAttack('permute', model, 1, { seed: 14 });
    const diff = await maxOutputDiff(model, w, x);
    expect(readsState).toBe(true);
    expect(diff).toBeLessThan(1e-5);
    disposeWeights(w);
    x.dispose();
    model.dispose();
  });

  it('permutes the inner channels of every ResNet block, function-preserving', async () => {
    const model = createModel('resnet20', { seed: 21, inputShape: [8, 8, 3], options: { width: 4, blocksPerStage: 1 } });
    const { x } = randomBatch(22, 8);
    const w = await runAttack('permute', model, 1, { seed: 23 });
    expect(await maxOutputDiff(model, w, x)).toBeLessThan(1e-5);
    // inner kernels moved, the residual-tied stem did not
    const changed = async (name: string) => {
      const a = await w.get(name)!.data(), b = await model.params.get(name)!.data();
      return a.some((v, i) => v !== b[i]);
    };
    expect(await changed('stage1/block0/conv1/kernel')).toBe(true);
    expect(await changed('stage3/block0/conv2/kernel')).toBe(true);
    expect(await changed('stem/conv/kernel')).toBe(false);
    disposeWeights(w);
    x.dispose();
    model.dispose();
  });
});
