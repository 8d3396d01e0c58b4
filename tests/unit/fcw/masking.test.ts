import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createWeightMasker } from '../../../src/engine/fcw/weightMasking';
import { createModel } from '../../../src/engine/models';
import type { Model } from '../../../src/engine/models/types';
import { Rng } from '../../../src/engine/random/rng';
import { arrayBatchSource, train } from '../../../src/engine/train';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const tinyCnn = (seed: number) => createModel('cnn', { seed, inputShape: [8, 8, 3], numClasses: 4, options: { width: 4, hidden: 8 } });
// conv kernels: 3·3·3·4 + 3·3·4·4 + 3·3·4·8 + 3·3·8·8 = 108 + 144 + 288 + 576 = 1116
const CONV_SIZE = 1116;

async function zeroPositions(model: Model): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (const p of model.paramInfo) {
    if (p.role !== 'conv-kernel') continue;
    const v = await model.params.get(p.name)!.data();
    const z: number[] = [];
    v.forEach((x, i) => {
      if (x === 0) z.push(i);
    });
    if (z.length) out.set(p.name, z);
  }
  return out;
}

async function snapshot(model: Model): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [n, v] of model.params) out.set(n, (await v.data()) as Float32Array);
  return out;
}

describe('FCW random weight masking', () => {
  it('zeroes exactly round(fraction x conv size) distinct conv weights, nothing else, seeded', async () => {
    const model = tinyCnn(1);
    const masker = createWeightMasker(model, { seed: 9, fraction: 0.01 });
    expect(masker.pooledSize).toBe(CONV_SIZE);
    expect(masker.countPerEvent).toBe(11); // round(11.16)
    const before = await snapshot(model);
    expect((await zeroPositions(model)).size).toBe(0);
    const n0 = tf.memory().numTensors;
    const ev = masker.maskNow(10);
    expect(tf.memory().numTensors).toBe(n0);
    const zeros = await zeroPositions(model);
    const expected = new Map([...ev.positions].map(([k, v]) => [k, Array.from(v)]));
    expect(zeros).toEqual(expected);
    expect([...zeros.values()].reduce((s, z) => s + z.length, 0)).toBe(11);
    // every other value is untouched (bitwise), including non-conv tensors
    const after = await snapshot(model);
    for (const [name, old] of before) {
      const zs = new Set(zeros.get(name) ?? []);
      const now = after.get(name)!;
      for (let i = 0; i < old.length; i++) if (!zs.has(i)) expect(now[i]).toBe(old[i]);
    }
    // same seed + step -> same positions; another step -> others
    const again = createWeightMasker(model, { seed: 9, fraction: 0.01 });
    expect(again.positionsAt(10)).toEqual(ev.positions);
    expect(again.positionsAt(20)).not.toEqual(ev.positions);
    expect(createWeightMasker(model, { seed: 9 }).countPerEvent).toBe(2); // default 0.2 % of 1116 = 2.23
    model.dispose();
  });

  it('masks at the right steps during training (period 3, 8 steps: before steps 3 and 6), without leaks', async () => {
    const model = tinyCnn(2);
    const rng = new Rng(4);
    const n = 32;
    const x = rng.fillNormal(new Float32Array(n * 8 * 8 * 3));
    const y = Int32Array.from({ length: n }, () => rng.int(4));
    const source = arrayBatchSource(x, y, [8, 8, 3], 4); // 8 batches
    const masker = createWeightMasker(model, { seed: 5, fraction: 0.005, period: 3 });
    expect(masker.countPerEvent).toBe(6);
    const seen: number[] = [];
    // lr 0, no decay: the only change to the weights is the masking.
    const n0 = tf.memory().numTensors;
    const res = await train(model, source, { epochs: 1, lr: 0, optimizer: 'sgd', momentum: 0.9, weightDecay: 0 }, {
      beforeStep: (ctx) => {
        masker.beforeStep(ctx);
        seen.push(ctx.step);
      },
    });
    expect(res.steps).toBe(8);
    expect(tf.memory().numTensors).toBe(n0);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(masker.events.map((e) => e.step)).toEqual([3, 6]);
    const union = new Map<string, Set<number>>();
    for (const e of masker.events) {
      expect([...e.positions.values()].reduce((s, v) => s + v.length, 0)).toBe(6);
      for (const [k, v] of e.positions) {
        const s = union.get(k) ?? new Set<number>();
        v.forEach((i) => s.add(i));
        union.set(k, s);
      }
    }
    const zeros = await zeroPositions(model);
    expect(new Map([...zeros].map(([k, v]) => [k, new Set(v)]))).toEqual(union);
    model.dispose();
  });

  it('rejects bad settings', () => {
    const model = tinyCnn(3);
    expect(() => createWeightMasker(model, { seed: 1, fraction: 2 })).toThrow(/fraction/);
    expect(() => createWeightMasker(model, { seed: 1, period: 0 })).toThrow(/period/);
    model.dispose();
  });
});
