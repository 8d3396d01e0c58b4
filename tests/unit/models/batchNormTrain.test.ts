import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../../../src/engine/backend/wasm-kernels/register-training-kernels';
import { batchNormTrain } from '../../../src/engine/models/batchNormTrain';
import { BATCH_NORM_TRAIN_CONFIGS } from '../../../src/engine/backend/wasm-kernels/batch-norm-train';
import { maxScaledDiff, onBackend, randn, wasmDistDir, withoutCpuKernels } from '../backend/helpers';

beforeAll(() => {
  setWasmPaths(wasmDistDir());
  registerWasmTrainingKernels();
});

const EPS = 1e-3;

type Bn = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor };

/** The textbook formula, differentiated op by op by the tape (what layers.ts ran before). */
const composed: Bn = (x, gamma, beta) => {
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  const scale = tf.mul(gamma, tf.rsqrt(tf.add(variance, EPS)));
  return { y: tf.add(tf.mul(tf.sub(x, mean), scale), beta), mean, variance };
};

const fused: Bn = (x, g, b) => batchNormTrain(x, g, b, EPS);

/**
 * y, then dL/dx, dL/dγ, dL/dβ for L = Σ w·y + Σ u·mean + Σ v·variance with fixed random weights:
 * every output matters, the statistics too (a replica pass normalised with the clean pass's
 * statistics sends gradient into them).
 */
function valueAndGrads(bn: Bn, shape: number[], seed: number): tf.Tensor[] {
  const c = shape[shape.length - 1];
  const size = shape.reduce((a, b) => a * b, 1);
  // a channel offset and scale per channel so that the statistics are not trivial
  const x = tf.add(tf.mul(tf.tensor(randn(seed, size), shape), tf.tensor1d(randn(seed + 1, c, 2))), tf.tensor1d(randn(seed + 2, c, 3)));
  const gamma = tf.tensor1d(randn(seed + 3, c, 1));
  const beta = tf.tensor1d(randn(seed + 4, c, 1));
  const w = tf.tensor(randn(seed + 5, size), shape);
  const u = tf.tensor1d(randn(seed + 6, c));
  const v = tf.tensor1d(randn(seed + 7, c, 0.1));
  const loss = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const r = bn(a, g, b);
    return tf.addN([tf.sum(tf.mul(r.y, w)), tf.sum(tf.mul(r.mean, u)), tf.sum(tf.mul(r.variance, v))]) as tf.Scalar;
  };
  const r = bn(x, gamma, beta);
  return [r.y, r.mean, r.variance, ...tf.grads(loss)([x, gamma, beta])];
}

/** batchNormTrain on its tfjs-op path (what webgl and webgpu run). */
const onOpPath = <T>(f: () => Promise<T>): Promise<T> => withoutCpuKernels(BATCH_NORM_TRAIN_CONFIGS, f);

describe('batchNormTrain: the lab kernels against the composed formula', () => {
  const paths: Array<[string, string, <T>(f: () => Promise<T>) => Promise<T>]> = [
    ['cpu, lab kernels', 'cpu', (f) => f()],
    ['wasm, lab kernels', 'wasm', (f) => f()],
    ['cpu, tfjs ops (the webgl/webgpu path)', 'cpu', onOpPath],
  ];
  for (const [label, backend, around] of paths) {
    for (const shape of [[4, 5, 6, 3], [2, 8, 8, 16], [32, 7], [3, 2, 2, 70], [3, 3, 5, 12], [40, 64]]) {
      test(`${label} [${shape}]: value and the three gradients equal the composed formula's`, async () => {
        const want = await onOpPath(() => onBackend('cpu', () => valueAndGrads(composed, shape, 11)));
        const got = await around(() => onBackend(backend, () => valueAndGrads(fused, shape, 11)));
        const names = ['y', 'mean', 'variance', 'dx', 'dgamma', 'dbeta'];
        for (let i = 0; i < want.length; i++) {
          expect(maxScaledDiff(got[i], want[i]), names[i]).toBeLessThan(2e-5);
        }
      });
    }
  }

  test.each(['cpu', 'wasm'])('one-pass moments on %s: a channel far from zero whose first row is far from its mean', async (backend) => {
    await tf.setBackend(backend);
    // channel 0: 3e4 + noise of sd 0.5 after a first row at -3e4; channel 1: values of sd 1e-3 around 7
    // four channels, the two patterns twice: wasm's SIMD sums take channels in fours
    const [rows, C] = [4096, 4];
    const noise = randn(3, rows * C);
    const values = new Float32Array(rows * C);
    for (let i = 0; i < rows; i++) {
      for (const c of [0, 2]) values[C * i + c] = i === 0 ? -3e4 : 3e4 + 0.5 * noise[C * i + c];
      for (const c of [1, 3]) values[C * i + c] = 7 + 1e-3 * noise[C * i + c];
    }
    const x = tf.tensor2d(values, [rows, C]);
    const [g, b] = [tf.ones([C]), tf.zeros([C])];
    const r = batchNormTrain(x, g, b, EPS);
    const [mean, variance] = [await r.mean.data(), await r.variance.data()];
    for (let c = 0; c < C; c++) {
      // two-pass reference in float64 on the same float32 data
      let m = 0;
      for (let i = 0; i < rows; i++) m += values[C * i + c];
      m /= rows;
      let v = 0;
      for (let i = 0; i < rows; i++) v += (values[C * i + c] - m) ** 2;
      v /= rows;
      expect(Math.abs(mean[c] - m) / Math.abs(m)).toBeLessThan(1e-7);
      expect(Math.abs(variance[c] - v) / v).toBeLessThan(1e-6);
    }
    tf.dispose([x, g, b, r.y, r.mean, r.variance]);
  });

  test('returns the batch statistics, and leaves no tensor behind after a gradient step (both paths)', async () => {
    await tf.setBackend('cpu');
    await statsAndMemory();
    await onOpPath(statsAndMemory);
  });
});

async function statsAndMemory(): Promise<void> {
  const x = tf.tensor2d([[1, 10], [3, 20], [5, 60]]);
  const g = tf.ones([2]);
  const b = tf.zeros([2]);
  const { y, mean, variance } = batchNormTrain(x, g, b, EPS);
  expect(Array.from(await mean.data())).toEqual([3, 30]);
  const v = await variance.data();
  expect(v[0]).toBeCloseTo(8 / 3, 5);
  expect(v[1]).toBeCloseTo(1400 / 3, 3);
  tf.dispose([y, mean, variance]);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) {
    const grads = tf.grads((a: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.square(batchNormTrain(a, gg, bb, EPS).y)))([x, g, b]);
    tf.dispose(grads);
  }
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose([x, g, b]);
}
