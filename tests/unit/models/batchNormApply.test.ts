import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../../../src/engine/backend/wasm-kernels/register-training-kernels';
import { batchNormApply } from '../../../src/engine/models/batchNormApply';
import { BATCH_NORM_APPLY_CONFIGS, BN_APPLY } from '../../../src/engine/backend/wasm-kernels/batch-norm-apply';
import { maxScaledDiff, onBackend, randn, wasmDistDir, withoutCpuKernels } from '../backend/helpers';

beforeAll(() => {
  setWasmPaths(wasmDistDir());
  registerWasmTrainingKernels();
});

const EPS = 1e-3;

/** batchNormApply on its tfjs-op path (what webgl and webgpu run). */
const onOpPath = <T>(f: () => Promise<T>): Promise<T> => withoutCpuKernels(BATCH_NORM_APPLY_CONFIGS, f);

/**
 * y, then dL/dx, dL/dμ, dL/dσ², dL/dγ, dL/dβ for L = Σ w·y with fixed random weights: every input
 * takes a gradient (a replica normalised with the clean pass's statistics sends it into μ and σ²).
 */
function valueAndGrads(shape: number[], seed: number): tf.Tensor[] {
  const c = shape[shape.length - 1];
  const size = shape.reduce((a, b) => a * b, 1);
  const x = tf.add(tf.mul(tf.tensor(randn(seed, size), shape), tf.tensor1d(randn(seed + 1, c, 2))), tf.tensor1d(randn(seed + 2, c, 3)));
  const mean = tf.tensor1d(randn(seed + 3, c, 3));
  const variance = tf.add(tf.square(tf.tensor1d(randn(seed + 4, c, 2))), 0.01);
  const gamma = tf.tensor1d(randn(seed + 5, c, 1));
  const beta = tf.tensor1d(randn(seed + 6, c, 1));
  const w = tf.tensor(randn(seed + 7, size), shape);
  const loss = (a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(batchNormApply(a, m, v, g, b, EPS), w)) as tf.Scalar;
  return [batchNormApply(x, mean, variance, gamma, beta, EPS), ...tf.grads(loss)([x, mean, variance, gamma, beta])];
}

describe('batchNormApply: the lab kernels against the composed formula', () => {
  const paths: Array<[string, string]> = [
    ['cpu', 'cpu'],
    ['wasm', 'wasm'],
  ];
  for (const [label, backend] of paths) {
    for (const shape of [[4, 5, 6, 3], [2, 8, 8, 16], [32, 7], [3, 2, 2, 70], [3, 3, 5, 12], [40, 64]]) {
      test(`${label} [${shape}]: value and the five gradients equal the composed formula's`, async () => {
        const want = await onOpPath(() => onBackend('cpu', () => valueAndGrads(shape, 5)));
        const got = await onBackend(backend, () => valueAndGrads(shape, 5));
        const names = ['y', 'dx', 'dmean', 'dvariance', 'dgamma', 'dbeta'];
        for (let i = 0; i < want.length; i++) expect(maxScaledDiff(got[i], want[i]), names[i]).toBeLessThan(2e-5);
      });
    }
  }

  test('runs as one kernel where registered, and falls back to the formula for statistics that are not [C]', async () => {
    await tf.setBackend('cpu');
    const x = tf.tensor2d([[1, 10], [3, 20], [5, 60]]);
    const g = tf.tensor1d([2, 1]);
    const b = tf.tensor1d([0, 1]);
    const mean = tf.tensor1d([3, 30]);
    const variance = tf.tensor1d([4 - EPS, 100 - EPS]);
    const { kernelNames, result } = await tf.profile(() => batchNormApply(x, mean, variance, g, b, EPS));
    expect(kernelNames).toEqual([BN_APPLY]);
    // (x − μ)/√(σ² + ε)·γ + β with σ² + ε = 4 and 100 (up to float32's rounding of σ²)
    const values = await (result as tf.Tensor).data();
    [-2, -1, 0, 0, 2, 4].forEach((v, i) => expect(values[i]).toBeCloseTo(v, 5));
    tf.dispose(result as tf.Tensor);
    const mean2 = tf.tensor2d([[3, 30]]);
    const variance2 = tf.tensor2d([[4 - EPS, 100 - EPS]]);
    const viaOps = batchNormApply(x, mean2, variance2, g, b, EPS);
    const viaOpsValues = await viaOps.data();
    [-2, -1, 0, 0, 2, 4].forEach((v, i) => expect(viaOpsValues[i]).toBeCloseTo(v, 5));
    tf.dispose([x, g, b, mean, variance, mean2, variance2, viaOps]);
  });

  test('leaves no tensor behind after a gradient step (both paths)', async () => {
    await tf.setBackend('cpu');
    const step = async () => {
      const x = tf.tensor2d([[1, 10], [3, 20], [5, 60]]);
      const ps = [tf.tensor1d([3, 30]), tf.tensor1d([4, 100]), tf.ones([2]), tf.zeros([2])];
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) {
        const grads = tf.grads((a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.square(batchNormApply(a, m, v, gg, bb, EPS))))([x, ...ps]);
        tf.dispose(grads);
      }
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, ...ps]);
    };
    await step();
    await onOpPath(step);
  });
});
