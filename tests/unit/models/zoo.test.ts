import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ARCHITECTURES, ARCH_NAMES, createModel } from '../../../src/engine/models';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('model zoo', () => {
  const x = () => tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 7) as tf.Tensor4D;

  for (const arch of ARCH_NAMES) {
    it(`${arch}: logits [2, 10] in both modes, unique names, shapes as declared`, () => {
      const model = createModel(arch, { seed: 1 });
      try {
        expect(ARCHITECTURES[arch].displayName.length).toBeGreaterThan(0);
        const input = x();
        const before = tf.memory().numTensors;
        const train = model.forward(input, { training: true });
        const infer = model.forward(input, { training: false });
        expect(train.shape).toEqual([2, 10]);
        expect(infer.shape).toEqual([2, 10]);
        // forward leaks nothing but its output
        expect(tf.memory().numTensors).toBe(before + 2);
        const values = infer.dataSync();
        expect(Array.from(values).every(Number.isFinite)).toBe(true);
        tf.dispose([train, infer, input]);

        const names = model.paramInfo.map((p) => p.name);
        expect(new Set(names).size).toBe(names.length);
        expect([...model.params.keys()]).toEqual(names);
        let count = 0;
        for (const p of model.paramInfo) {
          expect(model.params.get(p.name)!.shape).toEqual(p.shape);
          expect(model.params.get(p.name)!.trainable).toBe(true);
          count += p.shape.reduce((a, b) => a * b, 1);
        }
        expect(model.parameterCount).toBe(count);
        const stateNames = model.stateInfo.map((s) => s.name);
        expect(new Set([...stateNames, ...names]).size).toBe(stateNames.length + names.length);
        for (const s of model.stateInfo) expect(model.state.get(s.name)!.shape).toEqual(s.shape);
      } finally {
        model.dispose();
      }
    });
  }

  it('resnet20 has the ResNet-20 structure and ~0.27M parameters', () => {
    const model = createModel('resnet20', { seed: 1 });
    const convs = model.paramInfo.filter((p) => p.role === 'conv-kernel' && !p.name.includes('shortcut'));
    expect(convs.length).toBe(19); // 1 stem + 3 stages x 3 blocks x 2 convs; + dense = 20 layers
    expect(model.paramInfo.filter((p) => p.name.includes('shortcut/conv')).length).toBe(2);
    expect(model.parameterCount).toBeGreaterThan(268_000);
    expect(model.parameterCount).toBeLessThan(276_000);
    expect(model.params.get('stage3/block2/conv2/kernel')!.shape).toEqual([3, 3, 64, 64]);
    model.dispose();
  });

  it('vit-tiny uses the documented roles; mobilenetv3s has depthwise kernels', () => {
    const vit = createModel('vit-tiny', { seed: 1 });
    const roles = new Map(vit.paramInfo.map((p) => [p.name, p.role]));
    expect(roles.get('block0/attn/qkv/kernel')).toBe('dense-kernel');
    expect(roles.get('block0/ln1/gamma')).toBe('ln-gamma');
    expect(roles.get('block0/ln1/beta')).toBe('ln-beta');
    expect(roles.get('pos_embed')).toBe('embedding');
    expect(vit.stateInfo.length).toBe(0);
    vit.dispose();
    const mb = createModel('mobilenetv3s', { seed: 1 });
    expect(mb.paramInfo.some((p) => p.role === 'depthwise-kernel' && p.shape.length === 4 && p.shape[3] === 1)).toBe(true);
    mb.dispose();
  });

  it('same seed gives identical weights, another seed different ones; recorded options', async () => {
    const a = createModel('cnn', { seed: 5, options: { width: 8 } });
    const b = createModel('cnn', { seed: 5, options: { width: 8 } });
    const c = createModel('cnn', { seed: 6, options: { width: 8 } });
    expect(a.config.options).toEqual({ width: 8, hidden: 128, batchNorm: true });
    const name = 'conv2/kernel';
    const va = await a.params.get(name)!.data();
    const vb = await b.params.get(name)!.data();
    const vc = await c.params.get(name)!.data();
    expect(Array.from(va)).toEqual(Array.from(vb));
    expect(Array.from(va)).not.toEqual(Array.from(vc));
    [a, b, c].forEach((m) => m.dispose());
  });

  it('rejects a wrong input shape and unknown options values', () => {
    const m = createModel('cnn', { seed: 1, options: { width: 4 } });
    const bad = tf.zeros([1, 16, 16, 3]) as tf.Tensor4D;
    expect(() => m.forward(bad, { training: false })).toThrow(/input shape/);
    bad.dispose();
    m.dispose();
    expect(() => createModel('cnn', { seed: 1, options: { width: 'x' } })).toThrow(/width/);
    expect(() => createModel('vit-tiny', { seed: 1, options: { pooling: 'max' } })).toThrow(/pooling/);
  });
});

afterAll(() => {
  expect(tf.memory().numTensors).toBe(0);
});
