import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createModel, type Model } from '../../../src/engine/models';
import { createOptimizer, crossEntropyObjective, type OptimizerConfig } from '../../../src/engine/train';
import { bits, makeSet } from './synthetic';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const tinyCnn = () => createModel('cnn', { seed: 11, numClasses: 4, inputShape: [8, 8, 3], options: { width: 4, hidden: 16 } });

async function valuesOf(model: Model): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [name, v] of model.params) out.set(name, Float32Array.from(await v.data()));
  return out;
}

const configs: [string, OptimizerConfig][] = [
  ['sgd + momentum + L2 weight decay', { optimizer: 'sgd', momentum: 0.9, weightDecay: 5e-2 }],
  ['sgd + nesterov', { optimizer: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 5e-2 }],
  ['adamw', { optimizer: 'adam', weightDecay: 5e-2 }],
];

describe('optimizers keep frozen entries bitwise unchanged', () => {
  for (const [label, cfg] of configs) {
    it(label, async () => {
      const model = tinyCnn();
      const frozen = new Map([
        ['conv1/kernel', Int32Array.from([0, 3, 50, 107])],
        ['fc1/kernel', Int32Array.from([1, 2, 500])],
        ['bn2/gamma', Int32Array.from([1])],
      ]);
      const opt = createOptimizer(model, cfg, frozen);
      const before = await valuesOf(model);
      const { images, labels } = makeSet(8, 4, 8);
      const x = tf.tensor4d(images, [8, 8, 8, 3]);
      const y = tf.tensor1d(labels, 'int32');
      const ce = crossEntropyObjective();
      for (let step = 0; step < 4; step++) {
        const r = ce.computeGradients(model, { x, y }, { step, epoch: 0 });
        // a NaN gradient at a frozen position must not leak into it
        const g = r.grads.get('conv1/kernel')!;
        const poisoned = tf.tidy(() => {
          const flat = tf.reshape(g, [-1]);
          const mask = tf.scatterND([[0]], tf.tensor1d([1], 'float32'), [flat.size]);
          return tf.reshape(tf.where(tf.cast(mask, 'bool'), tf.fill([flat.size], NaN), flat), g.shape);
        });
        g.dispose();
        r.grads.set('conv1/kernel', poisoned);
        opt.apply(r.grads, 0.05);
        tf.dispose([r.loss, r.logits!, ...r.grads.values()]);
      }
      const after = await valuesOf(model);
      for (const [name, idx] of frozen) {
        const b = bits(before.get(name)!);
        const a = bits(after.get(name)!);
        for (const i of idx) expect(a[i]).toBe(b[i]);
        // the non-frozen entries of the same tensor moved
        let moved = 0;
        for (let i = 0; i < a.length; i++) if (!idx.includes(i) && a[i] !== b[i]) moved++;
        expect(moved).toBeGreaterThan(0);
      }
      for (const name of ['conv3/kernel', 'head/dense/bias']) {
        expect(Array.from(after.get(name)!)).not.toEqual(Array.from(before.get(name)!));
      }
      const all = await valuesOf(model);
      for (const v of all.values()) expect(v.every(Number.isFinite)).toBe(true);
      opt.dispose();
      tf.dispose([x, y]);
      model.dispose();
    });
  }
});

describe('optimizer arithmetic on a hand-checked case', () => {
  async function oneParamModel(): Promise<Model> {
    const m = createModel('cnn', { seed: 1, numClasses: 2, inputShape: [4, 4, 1], options: { width: 1, hidden: 1, batchNorm: false } });
    for (const v of m.params.values()) v.assign(tf.onesLike(v));
    return m;
  }

  it('sgd momentum with L2 decay on kernels only, two steps', async () => {
    const m = await oneParamModel();
    const opt = createOptimizer(m, { optimizer: 'sgd', momentum: 0.5, weightDecay: 0.1 });
    const g = new Map(m.paramInfo.map((p) => [p.name, tf.fill(p.shape as number[], 2)]));
    opt.apply(g, 0.1);
    opt.apply(g, 0.1);
    // kernel: g1 = 2 + 0.1*1 = 2.1; v1 = 2.1; w1 = 1 - 0.21 = 0.79
    //         g2 = 2 + 0.079 = 2.079; v2 = 1.05 + 2.079 = 3.129; w2 = 0.79 - 0.3129 = 0.4771
    expect((await m.params.get('conv1/kernel')!.data())[0]).toBeCloseTo(0.4771, 5);
    // bias: no decay: v1 = 2, w1 = 0.8; v2 = 1 + 2 = 3, w2 = 0.5
    expect((await m.params.get('conv1/bias')!.data())[0]).toBeCloseTo(0.5, 5);
    expect(opt.iterations).toBe(2);
    tf.dispose([...g.values()]);
    opt.dispose();
    m.dispose();
  });

  it('adamw: first step moves every entry by lr (+ decoupled decay on kernels)', async () => {
    const m = await oneParamModel();
    const opt = createOptimizer(m, { optimizer: 'adam', weightDecay: 0.1 });
    const g = new Map(m.paramInfo.map((p) => [p.name, tf.fill(p.shape as number[], -3)]));
    opt.apply(g, 0.01);
    // mhat/sqrt(vhat) = -1 -> w = 1 + 0.01 - 0.01*0.1*1
    expect((await m.params.get('fc1/kernel')!.data())[0]).toBeCloseTo(1.009, 6);
    expect((await m.params.get('fc1/bias')!.data())[0]).toBeCloseTo(1.01, 6);
    tf.dispose([...g.values()]);
    opt.dispose();
    m.dispose();
  });

  it('rejects unknown parameters, bad frozen indices and bad settings', () => {
    const m = tinyCnn();
    expect(() => createOptimizer(m, { optimizer: 'sgd' }, new Map([['nope', Int32Array.from([0])]]))).toThrow(/unknown parameter/);
    expect(() => createOptimizer(m, { optimizer: 'sgd' }, new Map([['conv1/kernel', Int32Array.from([108])]]))).toThrow(/out of range/);
    expect(() => createOptimizer(m, { optimizer: 'sgd', momentum: 1.5 })).toThrow(/momentum/);
    const opt = createOptimizer(m, { optimizer: 'adam' });
    const g = new Map([['nope', tf.scalar(1)]]);
    expect(() => opt.apply(g, 0.1)).toThrow(/unknown parameter/);
    tf.dispose([...g.values()]);
    opt.dispose();
    m.dispose();
  });
});
