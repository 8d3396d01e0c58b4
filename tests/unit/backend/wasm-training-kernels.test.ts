import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import {
  registerWasmTrainingKernels,
  WASM_TRAINING_KERNELS,
} from '../../../src/engine/backend/wasm-kernels/register-training-kernels';
import { convGrads, maxScaledDiff, onBackend, randn, wasmDistDir } from './helpers';

const TOL = 1e-4;

beforeAll(async () => {
  setWasmPaths(wasmDistDir());
  registerWasmTrainingKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
});

import type { Pad } from './helpers';

async function expectSameOnWasmAndCpu(f: () => tf.Tensor[]): Promise<void> {
  const onWasm = await onBackend('wasm', f);
  const onCpu = await onBackend('cpu', f);
  expect(onWasm.length).toBe(onCpu.length);
  for (let i = 0; i < onCpu.length; i++) {
    expect(maxScaledDiff(onWasm[i], onCpu[i]), `output ${i}`).toBeLessThan(TOL);
  }
}

describe('wasm training kernels match the cpu backend', () => {
  test('registers the kernels the wasm backend lacks, idempotently', () => {
    expect(WASM_TRAINING_KERNELS).toEqual(
      expect.arrayContaining(['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput']),
    );
    registerWasmTrainingKernels();
    for (const k of WASM_TRAINING_KERNELS) expect(tf.getKernel(k, 'wasm')).toBeDefined();
  });

  // [input, filter, stride, pad]: every conv shape class the zoo uses, plus odd sizes.
  const convCases: Array<[[number, number, number, number], [number, number, number, number], number, Pad]> = [
    [[2, 8, 8, 3], [3, 3, 3, 5], 1, 'same'],
    [[2, 8, 8, 4], [3, 3, 4, 6], 2, 'same'],
    [[2, 7, 9, 4], [3, 3, 4, 6], 2, 'same'],
    [[2, 8, 8, 4], [1, 1, 4, 6], 2, 'same'],
    [[2, 8, 8, 4], [1, 1, 4, 6], 1, 'valid'],
    [[2, 8, 8, 3], [4, 4, 3, 6], 4, 'valid'],
    [[2, 9, 10, 3], [4, 4, 3, 6], 4, 'valid'],
    [[2, 8, 8, 3], [3, 3, 3, 4], 1, 'valid'],
    [[2, 9, 9, 3], [3, 3, 3, 4], 2, 'valid'],
    [[2, 8, 8, 3], [2, 2, 3, 4], 2, 'valid'],
    [[2, 8, 8, 3], [5, 5, 3, 4], 2, 'same'],
    // Co % 8 = 0: the filter gradient on the lab's SIMD kernel (Ci % 4 ≠ 0 through zero channels)
    [[2, 8, 8, 4], [3, 3, 4, 8], 1, 'same'],
    [[3, 5, 7, 8], [3, 3, 8, 16], 1, 'same'],
    [[1, 1, 6, 12], [3, 3, 12, 24], 1, 'same'],
    [[2, 8, 8, 3], [3, 3, 3, 16], 1, 'same'],
    [[2, 8, 8, 4], [3, 3, 4, 8], 2, 'same'],
    [[2, 7, 9, 4], [3, 3, 4, 8], 2, 'same'],
    [[2, 8, 8, 4], [1, 1, 4, 8], 2, 'same'],
    [[2, 8, 8, 5], [1, 1, 5, 8], 1, 'valid'],
    [[2, 9, 10, 3], [4, 4, 3, 8], 4, 'valid'],
    [[2, 9, 9, 4], [3, 3, 4, 16], 2, 'valid'],
    [[2, 9, 9, 8], [5, 5, 8, 8], 2, 'same'],
    // Ci % 8 = 0 and a stride: the input gradient on the lab's convInputGrad (every tap phase,
    // columns left over from a tile of 4, dy columns off both edges)
    [[2, 8, 8, 8], [3, 3, 8, 16], 2, 'same'],
    [[2, 7, 9, 16], [3, 3, 16, 8], 2, 'same'],
    [[2, 8, 8, 8], [1, 1, 8, 16], 2, 'same'],
    [[2, 9, 10, 8], [4, 4, 8, 8], 4, 'valid'],
    [[2, 9, 9, 8], [3, 3, 8, 4], 2, 'valid'],
    [[1, 11, 13, 8], [5, 5, 8, 8], 3, 'same'],
    [[1, 3, 2, 8], [5, 5, 8, 8], 2, 'same'],
  ];
  test.each(convCases)('conv2d x%j w%j stride %i %s', async (xs, ws, s, pad) => {
    await expectSameOnWasmAndCpu(convGrads('conv', xs, ws, s, pad, 11));
  });

  const dwCases: Array<[[number, number, number, number], [number, number, number, number], number, Pad]> = [
    [[2, 8, 8, 4], [3, 3, 4, 1], 1, 'same'],
    [[2, 8, 8, 4], [3, 3, 4, 1], 2, 'same'],
    [[2, 7, 9, 4], [3, 3, 4, 1], 2, 'same'],
    [[2, 8, 8, 4], [5, 5, 4, 1], 1, 'same'],
    [[2, 8, 8, 4], [5, 5, 4, 1], 2, 'same'],
    [[2, 9, 9, 3], [5, 5, 3, 1], 2, 'same'],
    [[2, 8, 8, 3], [3, 3, 3, 2], 1, 'same'],
    [[2, 8, 8, 3], [3, 3, 3, 2], 2, 'valid'],
  ];
  test.each(dwCases)('depthwise x%j w%j stride %i %s', async (xs, ws, s, pad) => {
    await expectSameOnWasmAndCpu(convGrads('depthwise', xs, ws, s, pad, 21));
  });

  const poolCases: Array<['max' | 'avg', number, number, Pad, [number, number, number, number]]> = [
    ['max', 2, 2, 'valid', [2, 8, 8, 3]],
    ['max', 3, 2, 'same', [2, 9, 9, 3]],
    ['max', 3, 2, 'same', [2, 8, 8, 3]],
    ['max', 3, 1, 'same', [2, 6, 7, 3]],
    ['max', 2, 2, 'valid', [2, 9, 9, 4]],
    ['avg', 2, 2, 'same', [2, 9, 9, 3]],
    ['avg', 3, 2, 'same', [2, 8, 8, 3]],
    ['avg', 2, 2, 'valid', [2, 8, 8, 3]],
    ['avg', 3, 1, 'same', [2, 7, 7, 3]],
    ['avg', 8, 8, 'valid', [2, 8, 8, 3]],
  ];
  test.each(poolCases)('%s pool %i stride %i %s on %j', async (kind, k, s, pad, xs) => {
    await expectSameOnWasmAndCpu(() => {
      const x = tf.tensor(randn(31, xs.reduce((a, b) => a * b)), xs) as tf.Tensor4D;
      const fwd = (xx: tf.Tensor4D): tf.Tensor4D => (kind === 'max' ? tf.maxPool(xx, k, s, pad) : tf.avgPool(xx, k, s, pad));
      const shape = tf.tidy(() => fwd(x).shape);
      const r = tf.tensor(randn(32, shape.reduce((a, b) => a * b)), shape);
      return [tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(fwd(xx as tf.Tensor4D), r)))(x)];
    });
  });

  test('max pool ties route the gradient to the first maximum, like cpu', async () => {
    await expectSameOnWasmAndCpu(() => {
      const x = tf.tensor(Float32Array.from({ length: 2 * 6 * 6 * 2 }, (_, i) => (i % 5 === 0 ? 1 : 0)), [2, 6, 6, 2]) as tf.Tensor4D;
      return [tf.grad((xx: tf.Tensor) => tf.sum(tf.maxPool(xx as tf.Tensor4D, 3, 2, 'same')))(x)];
    });
  });

  test.each([
    [[1, 1, 1, 5], [3, 4, 2, 1]],
    [[2, 1, 3], [1, 4, 1]],
    [[2, 3], [2, 2]],
  ])('tile %j x %j (broadcast fast path and native fallback) matches cpu', async (shape, reps) => {
    await expectSameOnWasmAndCpu(() => [tf.tile(tf.tensor(randn(71, shape.reduce((a, b) => a * b)), shape), reps)]);
  });

  test.each([
    // [shape, axis, keepDims]: leading axes take the blocked path; the rest go to the native kernels.
    [[8, 6, 6, 5], [0, 1, 2], false],
    [[8, 6, 6, 5], [2, 0, 1], true],
    [[8, 6, 6, 5], [-4, -3], false],
    [[130, 3], 0, false],
    [[97, 4], 0, true],
    [[8, 6, 6, 5], null, false],
    [[8, 6, 6, 5], [1, 2], false],
    [[8, 6, 6, 5], -1, true],
    [[4, 3], [0], false],
  ])('sum and mean of %j over %j (keepDims %s) match cpu', async (shape, axis, keepDims) => {
    await expectSameOnWasmAndCpu(() => {
      const x = tf.tensor(randn(91, shape.reduce((a, b) => a * b)), shape);
      const ax = axis === null ? undefined : axis;
      return [tf.sum(x, ax, keepDims), tf.mean(x, ax, keepDims)];
    });
  });

  test('sum over leading axes is more accurate than a float32 running sum (float64 reference)', async () => {
    await tf.setBackend('wasm');
    const [n, c] = [128 * 32 * 32, 4];
    const values = randn(92, n * c, 1);
    for (let i = 0; i < values.length; i++) values[i] += 1; // a mean far from 0: the hard case for a running sum
    const x = tf.tensor(values, [128, 32, 32, c]);
    const ref = new Float64Array(c);
    const running = new Float32Array(c);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < c; j++) {
        ref[j] += values[i * c + j];
        running[j] = Math.fround(running[j] + values[i * c + j]);
      }
    }
    const s = tf.sum(x, [0, 1, 2]);
    const got = await s.data();
    const err = (v: ArrayLike<number>) => Math.max(...Array.from(ref, (r, j) => Math.abs(v[j] - r)));
    expect(err(got)).toBeLessThan(err(running) / 10);
    tf.dispose([x, s]);
  });

  test('batch-norm gradient (uses Tile) matches cpu', async () => {
    await expectSameOnWasmAndCpu(() => {
      const x = tf.tensor(randn(81, 2 * 4 * 4 * 6, 3), [2, 4, 4, 6]) as tf.Tensor4D;
      const g = tf.tensor(randn(82, 6), [6]) as tf.Tensor1D;
      const b = tf.tensor(randn(83, 6), [6]) as tf.Tensor1D;
      const r = tf.tensor(randn(84, 2 * 4 * 4 * 6), [2, 4, 4, 6]);
      return tf.grads((xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => {
        const m = tf.moments(xx, [0, 1, 2]);
        return tf.sum(tf.mul(tf.batchNorm(xx as tf.Tensor4D, m.mean, m.variance, bb as tf.Tensor1D, gg as tf.Tensor1D, 1e-5), r));
      })([x, g, b]);
    });
  });

  test('gather gradient (UnsortedSegmentSum), repeated and out-of-order indices', async () => {
    await expectSameOnWasmAndCpu(() => {
      const x = tf.tensor(randn(41, 5 * 3), [5, 3]);
      const idx = tf.tensor1d([4, 0, 0, 2, 4, 4], 'int32');
      const r = tf.tensor(randn(42, 6 * 3), [6, 3]);
      return [tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.gather(xx, idx, 0), r)))(x)];
    });
  });

  test('large values: relative agreement on a 64-channel conv', async () => {
    await expectSameOnWasmAndCpu(convGrads('conv', [4, 8, 8, 64], [3, 3, 64, 64], 1, 'same', 51));
  });

  test('unsupported configurations fail loudly', async () => {
    await tf.setBackend('wasm');
    const x = tf.ones([1, 4, 4, 2]) as tf.Tensor4D;
    const dy = tf.ones([1, 2, 4, 2]) as tf.Tensor4D;
    expect(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 2, 2] })).toThrow(/dy has shape/);
    expect(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 2, 2] })).toThrow(/NHWC/);
    expect(() => tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dilations: 2, filterShape: [3, 3, 2, 1] })).toThrow(/dilations/);
    tf.dispose([x, dy]);
  });

  test('kernels leave no tensors or wasm buffers behind', async () => {
    await tf.setBackend('wasm');
    const f = convGrads('depthwise', [2, 8, 8, 4], [3, 3, 4, 2], 2, 'same', 61);
    const g = convGrads('conv', [2, 8, 8, 4], [3, 3, 4, 6], 2, 'same', 62);
    const simd = convGrads('conv', [2, 8, 8, 3], [3, 3, 3, 8], 1, 'same', 64); // the SIMD filter gradient, channels padded
    const x = tf.tensor(randn(63, 2 * 9 * 9 * 3), [2, 9, 9, 3]) as tf.Tensor4D;
    const h = (): tf.Tensor[] => [
      tf.grad((xx: tf.Tensor) => tf.sum(tf.maxPool(xx as tf.Tensor4D, 3, 2, 'same')))(x),
      tf.grad((xx: tf.Tensor) => tf.sum(tf.gather(xx, tf.tensor1d([1, 1, 0], 'int32'), 0)))(x),
      tf.tile(x, [1, 1, 1, 2]),
      tf.sum(x, [0, 1, 2]),
      tf.mean(x, [0, 1], true),
    ];
    tf.dispose(tf.tidy(() => [...f(), ...g(), ...simd(), ...h()]));
    const before = tf.memory();
    // Buffers the backend itself holds (kernel intermediates never become engine tensors).
    const idsBefore = tf.backend().numDataIds();
    for (let i = 0; i < 3; i++) tf.dispose(tf.tidy(() => [...f(), ...g(), ...simd(), ...h()]));
    const after = tf.memory();
    expect(tf.backend().numDataIds()).toBe(idsBefore);
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numDataBuffers).toBe(before.numDataBuffers);
    expect(after.numBytes).toBe(before.numBytes);
    x.dispose();
  });
});
