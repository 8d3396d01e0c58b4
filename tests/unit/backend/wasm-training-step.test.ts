import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../../../src/engine/backend/wasm-kernels/register-training-kernels';
import { maxScaledDiff, onBackend, randn, wasmDistDir } from './helpers';

beforeAll(() => {
  setWasmPaths(wasmDistDir());
  registerWasmTrainingKernels();
});

const SHAPES: Record<string, number[]> = {
  stem: [3, 3, 3, 8],
  bnG: [8],
  bnB: [8],
  dw: [3, 3, 8, 1],
  pw: [1, 1, 8, 16],
  down: [3, 3, 16, 16],
  patch: [2, 2, 16, 16],
  lnG: [16],
  lnB: [16],
  qkv: [16, 48],
  head: [16, 10],
};

function bn(x: tf.Tensor4D, g: tf.Tensor, b: tf.Tensor): tf.Tensor4D {
  const m = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm(x, m.mean, m.variance, b as tf.Tensor1D, g as tf.Tensor1D, 1e-5) as tf.Tensor4D;
}

function hardSwish(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6));
}

/**
 * One stand-in network touching every op family of the zoo: conv 3x3 same, BN, relu,
 * max pool 2x2/2, depthwise 3x3 stride 2, 1x1 conv, hard-swish, squeeze-excite (mean, sigmoid),
 * stride-2 conv, patch-embedding conv 2x2/2 valid, layer norm, attention (batchMatMul,
 * softmax), GELU (erf), global average pool, dense, softmax cross-entropy.
 */
function loss(p: Record<string, tf.Tensor>, x: tf.Tensor4D, labels: tf.Tensor1D): tf.Scalar {
  let h = tf.relu(bn(tf.conv2d(x, p.stem as tf.Tensor4D, 1, 'same'), p.bnG, p.bnB));
  h = tf.maxPool(h, 2, 2, 'valid');
  h = tf.depthwiseConv2d(h, p.dw as tf.Tensor4D, 2, 'same');
  h = hardSwish(tf.conv2d(h, p.pw as tf.Tensor4D, 1, 'same')) as tf.Tensor4D;
  h = tf.mul(h, tf.sigmoid(tf.mean(h, [1, 2], true))) as tf.Tensor4D;
  h = tf.relu(tf.conv2d(h, p.down as tf.Tensor4D, 2, 'same'));
  const avg = tf.avgPool(h, 2, 1, 'same');
  const tokens4 = tf.conv2d(tf.add(h, avg) as tf.Tensor4D, p.patch as tf.Tensor4D, 2, 'valid');
  const [n, th, tw, d] = tokens4.shape;
  let t: tf.Tensor = tf.reshape(tokens4, [n, th * tw, d]);
  const lm = tf.moments(t, [2], true);
  t = tf.add(tf.mul(tf.div(tf.sub(t, lm.mean), tf.sqrt(tf.add(lm.variance, 1e-5))), p.lnG), p.lnB);
  const qkv = tf.reshape(tf.matMul(tf.reshape(t, [-1, d]), p.qkv), [n, th * tw, 3 * d]);
  const [q, k, v] = tf.split(qkv, 3, 2);
  const att = tf.softmax(tf.div(tf.matMul(q, k, false, true), Math.sqrt(d)));
  t = tf.add(t, tf.matMul(att, v));
  t = tf.mul(tf.mul(t, 0.5), tf.add(1, tf.erf(tf.div(t, Math.SQRT2))));
  const logits = tf.matMul(tf.mean(t, 1), p.head);
  return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 10), logits) as tf.Scalar;
}

function makeParams(): Record<string, tf.Tensor> {
  const p: Record<string, tf.Tensor> = {};
  let seed = 100;
  for (const [name, shape] of Object.entries(SHAPES)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const fan = shape.length === 4 ? shape[0] * shape[1] * shape[2] : shape[0];
    p[name] = name.endsWith('G') ? tf.ones(shape) : name.endsWith('B') ? tf.zeros(shape) : tf.tensor(randn(seed++, n, Math.sqrt(2 / fan)), shape);
  }
  return p;
}

function gradStep(): tf.Tensor[] {
  const p = makeParams();
  const x = tf.tensor(randn(7, 4 * 16 * 16 * 3), [4, 16, 16, 3]) as tf.Tensor4D;
  const labels = tf.tensor1d([3, 8, 0, 6], 'int32');
  const names = Object.keys(p);
  const { value, grads } = tf.valueAndGrads((...ts: tf.Tensor[]) => loss(Object.fromEntries(names.map((k, i) => [k, ts[i]])), x, labels))(
    names.map((k) => p[k]),
  );
  return [value, ...grads];
}

describe('full training step on wasm', () => {
  test('loss and every parameter gradient match the cpu backend', async () => {
    const w = await onBackend('wasm', gradStep);
    const c = await onBackend('cpu', gradStep);
    expect(w.length).toBe(Object.keys(SHAPES).length + 1);
    expect(Math.abs(w[0][0] - c[0][0])).toBeLessThan(1e-4);
    const names = ['loss', ...Object.keys(SHAPES)];
    for (let i = 1; i < c.length; i++) {
      expect(c[i].some((v) => v !== 0), `${names[i]} gradient is non-trivial`).toBe(true);
      expect(maxScaledDiff(w[i], c[i]), names[i]).toBeLessThan(1e-4);
    }
  });

  test('repeated SGD steps on wasm keep tensor and byte counts flat', async () => {
    await tf.setBackend('wasm');
    const vars = Object.entries(makeParams()).map(([name, t]) => {
      const v = tf.variable(t, true, `step-test/${name}`);
      t.dispose();
      return v;
    });
    const names = Object.keys(SHAPES);
    const x = tf.tensor(randn(8, 4 * 16 * 16 * 3), [4, 16, 16, 3]) as tf.Tensor4D;
    const labels = tf.tensor1d([1, 2, 3, 4], 'int32');
    const step = (): number => {
      return tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => loss(Object.fromEntries(names.map((k, i) => [k, vars[i]])), x, labels));
        for (const v of vars) v.assign(tf.sub(v, tf.mul(grads[v.name], 0.05)));
        return value.arraySync() as number;
      });
    };
    const first = step();
    const before = tf.memory();
    let last = first;
    for (let i = 0; i < 5; i++) last = step();
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    expect(last).toBeLessThan(first);
    tf.dispose([...vars, x, labels]);
  });
});
