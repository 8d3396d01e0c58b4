import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../../../src/engine/backend/wasm-kernels/register-training-kernels';
import { RELU_GRAD, reluGrad } from '../../../src/engine/backend/wasm-kernels/relu-grad';
import { relu } from '../../../src/engine/models/layers';
import { onBackend, randn, wasmDistDir } from '../backend/helpers';

beforeAll(() => {
  setWasmPaths(wasmDistDir());
  registerWasmTrainingKernels();
});

/** relu's value and input gradient for L = Σ w·relu(x), x with exact zeros and negatives. */
function valueAndGrad(f: (x: tf.Tensor) => tf.Tensor): tf.Tensor[] {
  const v = randn(3, 2 * 5 * 5 * 6);
  for (let i = 0; i < v.length; i += 7) v[i] = 0;
  const x = tf.tensor(v, [2, 5, 5, 6]);
  const w = tf.tensor(randn(4, v.length), x.shape);
  return [f(x), tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a), w)))(x)];
}

describe('relu with the one-pass gradient kernel', () => {
  for (const backend of ['cpu', 'wasm']) {
    test(`${backend}: value and gradient are tf.relu's exactly (0 at x = 0), in one kernel`, async () => {
      await tf.setBackend(backend);
      expect(tf.getKernel(RELU_GRAD, backend)).toBeDefined();
      const want = await onBackend(backend, () => valueAndGrad((x) => tf.relu(x)));
      const got = await onBackend(backend, () => valueAndGrad(relu));
      const info = await tf.profile(() => tf.tidy(() => valueAndGrad(relu)[1]));
      const kernels = info.kernels.map((k) => k.name);
      tf.dispose(info.result as tf.Tensor);
      // equal as numbers (tfjs's 0·dy gives −0 where dy < 0, this kernel +0)
      const plain = (a: Float32Array) => Array.from(a, (v) => v + 0);
      expect(plain(got[0])).toEqual(plain(want[0]));
      expect(plain(got[1])).toEqual(plain(want[1]));
      expect(kernels).toContain(RELU_GRAD);
      expect(kernels).not.toContain('Step');
    });
  }

  test('the branch-free mask is y > 0 on every kind of float: 0, −0, NaN, ±Infinity, subnormals', () => {
    const y = new Float32Array([0, -0, NaN, Infinity, 1e-45, 1.5e-38, 3, 1e38, -1, -Infinity, -1e-45]);
    const dy = Float32Array.from(y, (_, i) => i + 1);
    const dx = new Float32Array(y.length);
    reluGrad(dy, y, dx);
    expect(Array.from(dx)).toEqual(Array.from(y, (v, i) => (v > 0 ? dy[i] : 0)));
  });

  test('the wasm kernel (4 SIMD lanes, then the tail one by one) on every kind of float', async () => {
    await tf.setBackend('wasm');
    const y = new Float32Array([0, -0, NaN, Infinity, 1e-45, 1.5e-38, 3, 1e38, -1, -Infinity, -1e-45]);
    const dy = Float32Array.from(y, (_, i) => (i % 2 ? -(i + 1) : i + 1));
    const dx = tf.tidy(() => tf.engine().runKernel(RELU_GRAD, { dy: tf.tensor(dy), y: tf.tensor(y) }) as tf.Tensor);
    expect(Array.from(await dx.data())).toEqual(Array.from(y, (v, i) => (v > 0 ? dy[i] : 0)));
    dx.dispose();
  });

  test('no tensor left behind', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor([-1, 0, 2]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) tf.dispose(tf.grad((a: tf.Tensor) => tf.sum(relu(a)))(x));
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
