import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createModel } from '../../../src/engine/models';
import { crossEntropyObjective, softmaxCrossEntropy } from '../../../src/engine/train';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('cross-entropy objective', () => {
  it('loss equals -mean log softmax[label]', async () => {
    const logits = tf.tensor2d([[1, 2, 3], [0, 0, 5]]);
    const y = tf.tensor1d([2, 0], 'int32');
    const l = softmaxCrossEntropy(logits, y);
    const lse = (r: number[]) => Math.log(r.reduce((a, b) => a + Math.exp(b), 0));
    const expected = ((lse([1, 2, 3]) - 3) + (lse([0, 0, 5]) - 0)) / 2;
    expect((await l.data())[0]).toBeCloseTo(expected, 5);
    tf.dispose([logits, y, l]);
  });

  for (const arch of ['cnn', 'vit-tiny'] as const) {
    it(`${arch}: gradients match central finite differences`, async () => {
      const model =
        arch === 'cnn'
          ? createModel('cnn', { seed: 4, numClasses: 3, inputShape: [4, 4, 2], options: { width: 2, hidden: 4 } })
          : createModel('vit-tiny', { seed: 4, numClasses: 3, inputShape: [4, 4, 2], options: { patchSize: 2, dim: 8, depth: 1, heads: 2 } });
      if (arch === 'vit-tiny') {
        // At init the class token is ~0.03 in size, so LayerNorm on it is nearly singular and
        // finite differences need tiny steps; give the embeddings unit scale for a clean check.
        for (const n of ['cls_token', 'pos_embed']) {
          const v = model.params.get(n)!;
          tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 1, 'float32', 2)));
        }
      }
      const x = tf.randomNormal([6, 4, 4, 2], 0, 1, 'float32', 9) as tf.Tensor4D;
      const y = tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32');
      const r = crossEntropyObjective().computeGradients(model, { x, y }, { step: 0, epoch: 0 });
      const lossAt = async (): Promise<number> => {
        const logits = model.forward(x, { training: true });
        const l = softmaxCrossEntropy(logits, y);
        const v = (await l.data())[0];
        tf.dispose([logits, l]);
        return v;
      };
      expect((await r.loss.data())[0]).toBeCloseTo(await lossAt(), 5);
      const eps = 1e-3;
      let checked = 0;
      for (const p of model.paramInfo) {
        const v = model.params.get(p.name)!;
        const g = await r.grads.get(p.name)!.data();
        const orig = Float32Array.from(await v.data());
        for (const i of [0, Math.floor(orig.length / 2), orig.length - 1]) {
          const set = (delta: number) => {
            const copy = Float32Array.from(orig);
            copy[i] += delta;
            tf.tidy(() => v.assign(tf.tensor(copy, v.shape)));
          };
          set(eps);
          const up = await lossAt();
          set(-eps);
          const down = await lossAt();
          tf.tidy(() => v.assign(tf.tensor(orig, v.shape)));
          const fd = (up - down) / (2 * eps);
          expect(Math.abs(fd - g[i])).toBeLessThan(2e-3 + 2e-2 * Math.abs(fd));
          checked++;
        }
      }
      expect(checked).toBe(model.paramInfo.length * 3);
      tf.dispose([x, y, r.loss, r.logits!, ...r.grads.values()]);
      model.dispose();
    });
  }
});
