import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../../../src/engine/backend/wasm-kernels/register-training-kernels';
import { labSimdFor, setLabSimdEnabled } from '../../../src/engine/backend/wasm-kernels/simd/labSimd';
import { convGeometry } from '../../../src/engine/backend/wasm-kernels/geometry';
import { winogradApplies, winogradConv, winogradFilter, winogradFilterBack, winogradFilterGrad } from '../../../src/engine/backend/wasm-kernels/winograd';
import { convGrads, maxScaledDiff, onBackend, randn, wasmDistDir } from './helpers';

beforeAll(async () => {
  setWasmPaths(wasmDistDir());
  registerWasmTrainingKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
});

afterEach(() => setLabSimdEnabled(true));

type Shape4 = [number, number, number, number];
const info = (t: tf.Tensor) => ({ dataId: t.dataId, shape: t.shape, dtype: t.dtype });

describe('Winograd F(2x2, 3x3) on the SIMD kernels (winograd.ts, lab-simd.wat)', () => {
  test('takes 3x3 stride-1 same-size convolutions with channels in SIMD tiles, nothing else', () => {
    const g = (shape: Shape4, filter: Shape4, stride: number, pad: 'same' | 'valid') => convGeometry('t', shape, filter, stride, pad, undefined, false);
    expect(winogradApplies(g([2, 8, 8, 16], [3, 3, 16, 16], 1, 'same'), 16, 16)).toBe(true);
    expect(winogradApplies(g([2, 7, 5, 4], [3, 3, 4, 8], 1, 'same'), 4, 8)).toBe(true);
    expect(winogradApplies(g([2, 8, 8, 16], [3, 3, 16, 16], 2, 'same'), 16, 16)).toBe(false);
    expect(winogradApplies(g([2, 8, 8, 16], [3, 3, 16, 16], 1, 'valid'), 16, 16)).toBe(false);
    expect(winogradApplies(g([2, 8, 8, 16], [1, 1, 16, 16], 1, 'same'), 16, 16)).toBe(false);
    expect(winogradApplies(g([2, 8, 8, 3], [3, 3, 3, 16], 1, 'same'), 3, 16)).toBe(false); // an RGB stem
    expect(winogradApplies(g([2, 8, 8, 16], [3, 3, 16, 12], 1, 'same'), 16, 12)).toBe(false);
  });

  test('the filter transform and its adjoint: <G g Gᵀ, dU> = <g, Gᵀ dU G> for every channel pair', () => {
    const [C, K] = [4, 8];
    const g = randn(11, 9 * C * K);
    const dU = randn(12, 16 * C * K);
    const U = new Float32Array(16 * C * K);
    const dW = new Float32Array(9 * C * K);
    winogradFilter(g, C, K, false, U);
    winogradFilterBack(dU, C * K, dW);
    let lhs = 0;
    let rhs = 0;
    for (let i = 0; i < U.length; i++) lhs += U[i] * dU[i];
    for (let i = 0; i < dW.length; i++) rhs += g[i] * dW[i];
    expect(Math.abs(lhs - rhs)).toBeLessThan(1e-4 * Math.max(1, Math.abs(rhs)));
    // the flipped filter of the input gradient is the transform of w[2−i][2−j] with in/out swapped
    const Uf = new Float32Array(16 * C * K);
    winogradFilter(g, C, K, true, Uf);
    const flipped = new Float32Array(9 * C * K);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let c = 0; c < C; c++) for (let k = 0; k < K; k++) {
      flipped[((i * 3 + j) * K + k) * C + c] = g[(((2 - i) * 3 + (2 - j)) * C + c) * K + k];
    }
    const Uref = new Float32Array(16 * C * K);
    winogradFilter(flipped, K, C, false, Uref);
    expect(Array.from(Uf)).toEqual(Array.from(Uref));
  });

  // odd sizes (tiles past the edge), single pixels, blocks of 32 tiles split across images and a
  // last block whose size is not a multiple of 4, the zoo's channel counts
  const shapes: Array<[Shape4, number]> = [
    [[2, 8, 8, 4], 8],
    [[3, 7, 5, 8], 16],
    [[1, 1, 1, 4], 8],
    [[1, 2, 3, 4], 8],
    [[3, 6, 6, 4], 8],
    [[5, 7, 5, 8], 8],
    [[2, 32, 32, 16], 16],
    [[2, 16, 16, 32], 32],
    [[3, 8, 8, 64], 64],
  ];
  test.each(shapes)('forward, input gradient and filter gradient on %j -> %i channels equal cpu', async (shape, co) => {
    const [N, H, W, C] = shape;
    const x = randn(1, N * H * W * C);
    const w = randn(2, 9 * C * co, 0.3);
    const dy = randn(3, N * H * W * co);
    const [y, dx, dw] = await onBackend('cpu', () => {
      const [xt, wt, dyt] = [tf.tensor4d(x, shape), tf.tensor4d(w, [3, 3, C, co]), tf.tensor4d(dy, [N, H, W, co])];
      return [
        tf.conv2d(xt, wt, 1, 'same'),
        tf.conv2dTranspose(dyt, wt, shape, 1, 'same'),
        tf.engine().runKernel('Conv2DBackpropFilter', { x: xt, dy: dyt }, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, C, co] }) as tf.Tensor,
      ];
    });
    const got = await onBackend('wasm', () => {
      const be = tf.backend();
      const simd = labSimdFor(be);
      if (simd == null) throw new Error('no SIMD kernels on wasm');
      const [xt, wt, dyt] = [tf.tensor4d(x, shape), tf.tensor4d(w, [3, 3, C, co]), tf.tensor4d(dy, [N, H, W, co])];
      const out = (t: ReturnType<typeof winogradConv>) => tf.engine().makeTensorFromTensorInfo(t);
      return [
        out(winogradConv(simd, be, info(xt), info(wt), false)),
        out(winogradConv(simd, be, info(dyt), info(wt), true)),
        out(winogradFilterGrad(simd, be, info(xt), info(dyt))),
      ];
    });
    expect(maxScaledDiff(got[0], y)).toBeLessThan(2e-5);
    expect(maxScaledDiff(got[1], dx)).toBeLessThan(2e-5);
    expect(maxScaledDiff(got[2], dw)).toBeLessThan(1e-4);
  });

  // through the registered kernels, as a training step calls them: Winograd where it applies,
  // the XNNPACK or direct SIMD kernels elsewhere; all three agree with cpu and with SIMD off
  const layers: Array<[Shape4, number, number, 'same' | 'valid']> = [
    [[4, 16, 16, 16], 16, 1, 'same'],
    [[2, 9, 7, 8], 16, 1, 'same'],
    [[2, 8, 8, 3], 16, 1, 'same'],
    [[2, 8, 8, 16], 32, 2, 'same'],
    [[2, 8, 8, 16], 16, 1, 'valid'],
  ];
  test.each(layers)('conv2d and its gradients on %j -> %i channels, stride %i, %s: wasm equals cpu, SIMD on and off', async (shape, co, stride, pad) => {
    const f = convGrads('conv', shape, [3, 3, shape[3], co], stride, pad, 21, true);
    const cpu = await onBackend('cpu', f);
    const wasm = await onBackend('wasm', f);
    setLabSimdEnabled(false);
    const xnnpack = await onBackend('wasm', f);
    for (let i = 0; i < 3; i++) {
      expect(maxScaledDiff(wasm[i], cpu[i])).toBeLessThan(1e-4);
      expect(maxScaledDiff(xnnpack[i], cpu[i])).toBeLessThan(1e-4);
    }
  });

  test('the registered kernels take the Winograd path (a transformed filter and a scratch block) and leave nothing behind', async () => {
    await tf.setBackend('wasm');
    const be = tf.backend() as unknown as { dataIdNextNumber: number; numDataIds(): number };
    const x = tf.tensor(randn(1, 2 * 8 * 8 * 16), [2, 8, 8, 16]) as tf.Tensor4D;
    const w = tf.tensor(randn(2, 9 * 16 * 16), [3, 3, 16, 16]) as tf.Tensor4D;
    const calls: Array<() => tf.Tensor> = [
      () => tf.conv2d(x, w, 1, 'same'),
      () => tf.conv2dTranspose(x, w, [2, 8, 8, 16], 1, 'same'),
      () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: x }, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 16, 16] }) as tf.Tensor,
    ];
    const ids = (f: () => tf.Tensor) => {
      const [before, held] = [be.dataIdNextNumber, be.numDataIds()];
      const r = f();
      const made = be.dataIdNextNumber - before;
      expect(be.numDataIds()).toBe(held + 1);
      r.dispose();
      return made;
    };
    const on = calls.map(ids);
    setLabSimdEnabled(false);
    const perAllocation = ids(calls[0]); // XNNPACK's forward allocates its output only
    expect(on).toEqual([3, 3, 3].map((n) => n * perAllocation)); // the output, U (or dU) and the scratch
    tf.dispose([x, w]);
  });
});
