import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createModel, type ArchName, type ArchOptions } from '../../../src/engine/models';
import { crossEntropyObjective } from '../../../src/engine/train';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Narrow variants (the cpu backend's conv filter gradient is slow), same structure as the defaults. */
const SMALL: [ArchName, [number, number, number], ArchOptions][] = [
  ['cnn', [16, 16, 3], { width: 4, hidden: 8 }],
  ['resnet20', [16, 16, 3], { width: 4 }],
  ['vgg11', [32, 32, 3], { widthMultiplier: 0.0625, hidden: 8 }],
  ['mobilenetv3s', [16, 16, 3], { widthMultiplier: 0.25, headWidth: 16 }],
  ['vit-tiny', [16, 16, 3], { dim: 16, depth: 2, heads: 2 }],
  ['vit-tiny', [16, 16, 3], { dim: 16, depth: 1, heads: 4, pooling: 'mean' }],
];

describe('gradients reach every parameter of every architecture', () => {
  for (const [arch, inputShape, options] of SMALL) {
    it(`${arch} ${JSON.stringify(options)}`, async () => {
      const model = createModel(arch, { seed: 2, inputShape, options });
      const x = tf.randomNormal([4, ...inputShape], 0, 1, 'float32', 3) as tf.Tensor4D;
      const y = tf.tensor1d([1, 2, 3, 4], 'int32');
      const state0 = new Map<string, number[]>();
      for (const [k, v] of model.state) state0.set(k, Array.from(await v.data()));
      const n0 = tf.memory().numTensors;
      const r = crossEntropyObjective().computeGradients(model, { x, y }, { step: 0, epoch: 0 });
      expect([...r.grads.keys()].sort()).toEqual(model.paramInfo.map((p) => p.name).sort());
      let sq = 0;
      for (const p of model.paramInfo) {
        const g = r.grads.get(p.name)!;
        expect(g.shape).toEqual(p.shape);
        const d = await g.data();
        for (const v of d) {
          expect(Number.isFinite(v)).toBe(true);
          sq += v * v;
        }
      }
      expect(sq).toBeGreaterThan(0);
      expect(r.logits!.shape).toEqual([4, 10]);
      // the objective updated every BN running statistic once
      for (const [k, v] of model.state) expect(Array.from(await v.data())).not.toEqual(state0.get(k));
      tf.dispose([r.loss, r.logits!, ...r.grads.values()]);
      expect(tf.memory().numTensors).toBe(n0);
      tf.dispose([x, y]);
      model.dispose();
    });
  }
});
