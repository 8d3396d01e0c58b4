import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../../../src/engine/backend/wasm-kernels/register-training-kernels';
import { labSimdFor, setLabSimdEnabled } from '../../../src/engine/backend/wasm-kernels/simd/labSimd';
import { KernelComposer } from '../../../src/engine/backend/wasm-kernels/composer';
import { LAB_SIMD_WASM_BASE64 } from '../../../src/engine/backend/wasm-kernels/simd/lab-simd.generated';
// @ts-expect-error: a plain .mjs script without types (the build step of lab-simd.generated.ts)
import { assemble, generatedSource } from '../../../scripts/build-simd-kernels.mjs';
import { maxScaledDiff, onBackend, randn, wasmDistDir } from './helpers';

beforeAll(async () => {
  setWasmPaths(wasmDistDir());
  registerWasmTrainingKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
});

afterEach(() => setLabSimdEnabled(true));

/**
 * dL/dW of L = Σ conv2d(x, w)·r (3x3): the Conv2DBackpropFilter kernel. convFilterGrad runs the
 * shapes that Winograd does not take (stride 2, 'valid'; wasm-winograd.test.ts has the others).
 */
function filterGrad(shape: [number, number, number, number], co: number, stride: number, pad: 'same' | 'valid', seed: number): () => tf.Tensor[] {
  return () => {
    const x = tf.tensor(randn(seed, shape.reduce((a, b) => a * b)), shape) as tf.Tensor4D;
    const w = tf.tensor(randn(seed + 1, 9 * shape[3] * co), [3, 3, shape[3], co]) as tf.Tensor4D;
    const y = tf.conv2d(x, w, stride, pad);
    const r = tf.tensor(randn(seed + 2, y.size), y.shape);
    return [tf.grad((ww: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, ww as tf.Tensor4D, stride, pad), r)))(w)];
  };
}

describe("the lab's SIMD kernels (lab-simd.wat)", () => {
  test('lab-simd.generated.ts is the assembled lab-simd.wat (run scripts/build-simd-kernels.mjs after editing it)', async () => {
    const bytes: Uint8Array = await assemble();
    expect(Buffer.from(LAB_SIMD_WASM_BASE64, 'base64').equals(Buffer.from(bytes))).toBe(true);
    const generated = readFileSync(fileURLToPath(new URL('../../../src/engine/backend/wasm-kernels/simd/lab-simd.generated.ts', import.meta.url)), 'utf8');
    expect(generated).toBe(generatedSource(bytes));
  });

  test("bind to the wasm backend's heap in Node (WebAssembly SIMD is there), not to other backends", () => {
    expect(labSimdFor(tf.findBackend('wasm'))).not.toBeNull();
    expect(labSimdFor(tf.findBackend('cpu'))).toBeNull();
    setLabSimdEnabled(false);
    expect(labSimdFor(tf.findBackend('wasm'))).toBeNull();
  });

  const cases: Array<[[number, number, number, number], number, number, 'same' | 'valid']> = [
    [[2, 5, 6, 4], 8, 2, 'same'],
    [[4, 16, 16, 32], 32, 2, 'same'],
    [[2, 8, 8, 64], 64, 1, 'valid'],
  ];
  test.each(cases)('3x3 filter gradient on %j -> %i channels, stride %i, %s: the SIMD kernel equals cpu and the swapped XNNPACK convolution', async (shape, co, stride, pad) => {
    const f = filterGrad(shape, co, stride, pad, 7);
    const [simd] = await onBackend('wasm', f);
    setLabSimdEnabled(false);
    const [xnnpack] = await onBackend('wasm', f);
    setLabSimdEnabled(true);
    const [cpu] = await onBackend('cpu', f);
    expect(maxScaledDiff(simd, cpu)).toBeLessThan(1e-4);
    expect(maxScaledDiff(xnnpack, cpu)).toBeLessThan(1e-4);
  });

  test('padSpatial (padImages) equals PadV2, and the input gradient through it equals cpu', async () => {
    await tf.setBackend('wasm');
    const be = tf.backend();
    for (const [shape, t, b, l, r] of [[[2, 5, 7, 3], 1, 1, 1, 1], [[1, 4, 4, 16], 2, 0, 0, 3], [[3, 2, 9, 5], 0, 2, 1, 0]] as Array<[number[], number, number, number, number]>) {
      const x = tf.tensor(randn(5, shape.reduce((p, q) => p * q)), shape);
      const viaPad = tf.pad(x, [[0, 0], [t, b], [l, r], [0, 0]]);
      const c = new KernelComposer(be);
      const info = c.padSpatial({ dataId: x.dataId, shape: x.shape, dtype: 'float32' }, [t, b], [l, r]);
      const got = tf.engine().makeTensorFromTensorInfo(c.finish(info));
      expect(got.shape).toEqual(viaPad.shape);
      expect(Array.from(await got.data())).toEqual(Array.from(await viaPad.data()));
      tf.dispose([x, viaPad, got]);
    }
    // Conv2DBackpropInput pads the output gradient with padSpatial
    const f = () => {
      const x = tf.tensor(randn(6, 2 * 8 * 8 * 16), [2, 8, 8, 16]) as tf.Tensor4D;
      const w = tf.tensor(randn(7, 9 * 16 * 8), [3, 3, 16, 8]) as tf.Tensor4D;
      const r = tf.tensor(randn(8, 2 * 8 * 8 * 8), [2, 8, 8, 8]);
      return [tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xx as tf.Tensor4D, w, 1, 'same'), r)))(x)];
    };
    const [wasm] = await onBackend('wasm', f);
    const [cpu] = await onBackend('cpu', f);
    expect(maxScaledDiff(wasm, cpu)).toBeLessThan(1e-5);
  });

  test('the SIMD path takes no intermediate buffers; the XNNPACK path takes its transposes', async () => {
    await tf.setBackend('wasm');
    const be = tf.backend() as unknown as { dataIdNextNumber: number };
    const x = tf.tensor(randn(1, 2 * 6 * 6 * 8), [2, 6, 6, 8]) as tf.Tensor4D;
    const dy = tf.tensor(randn(2, 2 * 3 * 3 * 16), [2, 3, 3, 16]) as tf.Tensor4D;
    const run = () => {
      const before = be.dataIdNextNumber;
      const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 8, 16] }) as tf.Tensor;
      const ids = be.dataIdNextNumber - before;
      dw.dispose();
      return ids;
    };
    const simd = run();
    setLabSimdEnabled(false);
    // x^T, dy^T, the swapped convolution's output and the transposed result on top of the output
    expect(run()).toBeGreaterThanOrEqual(simd + 3);
    tf.dispose([x, dy]);
  });

  // stride 1 runs Winograd F(2x2, 3x3) (transforms, then 16 products per tile), stride 2 convFilterGrad
  test.each([1, 2])('accumulates up to 32,768 products per entry to float32 accuracy against a float64 sum (stride %i)', async (s) => {
    await tf.setBackend('wasm');
    const [N, H, W, C] = [32, 32, 32, 8];
    const [Ho, Wo, pt] = [H / s, W / s, s === 1 ? 1 : 0]; // 'same': stride 2 pads only the bottom/right
    const xv = randn(3, N * H * W * C);
    const dyv = randn(4, N * Ho * Wo * C);
    const dw = tf.tidy(
      () =>
        tf.engine().runKernel(
          'Conv2DBackpropFilter',
          { x: tf.tensor(xv, [N, H, W, C]), dy: tf.tensor(dyv, [N, Ho, Wo, C]) },
          { strides: s, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, C, C] },
        ) as tf.Tensor,
    );
    const got = await dw.data();
    let worst = 0;
    for (const [kh, kw, ci, co] of [[0, 0, 0, 0], [1, 1, 3, 5], [2, 2, 7, 7], [2, 0, 1, 6]]) {
      let sum = 0;
      let scale = 0;
      for (let n = 0; n < N; n++) for (let h = 0; h < Ho; h++) for (let w = 0; w < Wo; w++) {
        const [ih, iw] = [h * s + kh - pt, w * s + kw - pt];
        if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
        const p = xv[((n * H + ih) * W + iw) * C + ci] * dyv[((n * Ho + h) * Wo + w) * C + co];
        sum += p;
        scale += Math.abs(p);
      }
      worst = Math.max(worst, Math.abs(got[((kh * 3 + kw) * C + ci) * C + co] - sum) / scale);
    }
    // relative to Σ|products|: float32 summation in 8 running lanes stays near 1e-7 · √terms
    expect(worst).toBeLessThan(1e-5);
    tf.dispose(dw);
  });
});
