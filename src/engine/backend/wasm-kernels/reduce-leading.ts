import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { compose, type KernelComposer, WASM_BACKEND } from './composer';

/**
 * Sum and Mean over the LEADING axes of a float32 tensor (BatchNorm's statistics and the
 * gradients of its broadcasts: [N,H,W,C] reduced over [0,1,2]) as two levels of ones-vector
 * matrix products on XNNPACK. The native wasm kernels transpose the whole tensor to put the
 * reduced axes last and then run one float32 accumulator per output: in a ResNet-20 step they
 * were 14 % of the time, and their error grows with the reduced length (docs/wasm-training.md,
 * section 1). Blocked in two levels of about √M terms each, the sum is ~10× faster here and its
 * rounding error far smaller. Every other reduction (trailing or interleaved axes, int dtypes)
 * goes to the native kernel.
 */

type ReduceName = 'Sum' | 'Mean';
const natives = new Map<ReduceName, KernelConfig | undefined>();

/** Keeps the wasm package's own kernel for the general case (called at registration). */
function keepNative(name: ReduceName) {
  return (config: KernelConfig | undefined): void => {
    natives.set(name, config);
  };
}
export const keepNativeSum = keepNative('Sum');
export const keepNativeMean = keepNative('Mean');

/** Reductions over fewer terms than this stay with the native kernel (nothing to gain). */
const MIN_TERMS = 64;

/** The number of first-level blocks: the largest divisor of m not above √m. */
export function blockCount(m: number): number {
  for (let b = Math.floor(Math.sqrt(m)); b > 1; b--) if (m % b === 0) return b;
  return 1;
}

/** The reduced axes as sorted non-negative indices, or null when they are not exactly 0..k-1. */
function leadingAxes(axis: number | number[] | undefined, rank: number): number | null {
  const list = axis == null ? [...Array(rank).keys()] : Array.isArray(axis) ? axis : [axis];
  const sorted = [...new Set(list.map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
  if (sorted.length === 0 || sorted.some((a, i) => a !== i)) return null;
  return sorted.length;
}

/** Σ over the first axis of a [m, c] view: ones[1,m/b]·x[b][m/b,c] per block, then ones[1,b]·partials. */
function sumRows(c: KernelComposer, x: TensorInfo, m: number, cols: number, scale: number): TensorInfo {
  const b = blockCount(m);
  const blocks = c.reshape(x, [b, m / b, cols]);
  const ones1 = c.run('Fill', {}, { shape: [b, 1, m / b], value: 1, dtype: 'float32' });
  const partial = c.run('BatchMatMul', { a: ones1, b: blocks }, { transposeA: false, transposeB: false });
  // The second level carries the mean's 1/m (one rounding less than a separate multiply).
  const ones2 = c.run('Fill', {}, { shape: [1, 1, b], value: scale, dtype: 'float32' });
  return c.run('BatchMatMul', { a: ones2, b: c.reshape(partial, [1, b, cols]) }, { transposeA: false, transposeB: false });
}

function reduceKernel(name: ReduceName): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x } = inputs as { x: TensorInfo };
    const { axis, keepDims } = attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const k = x.dtype === 'float32' ? leadingAxes(axis, x.shape.length) : null;
    const m = k === null ? 0 : tf.util.sizeFromShape(x.shape.slice(0, k));
    if (k === null || m < MIN_TERMS) {
      const native = natives.get(name);
      if (native == null) throw new Error(`${name} on wasm: only float32 reductions over leading axes are supported without the native kernel.`);
      return native.kernelFunc({ inputs, backend, attrs });
    }
    const rest = x.shape.slice(k);
    const cols = tf.util.sizeFromShape(rest);
    const outShape = keepDims ? [...x.shape.slice(0, k).map(() => 1), ...rest] : rest;
    return compose(backend, (c) => c.reshape(sumRows(c, x, m, cols, name === 'Mean' ? 1 / m : 1), outShape));
  };
}

function config(name: ReduceName): KernelConfig {
  return {
    kernelName: name,
    backendName: WASM_BACKEND,
    kernelFunc: reduceKernel(name),
    // The native kernel's setup (binding its wasm export) must still run when the backend starts.
    setupFunc: (backend) => natives.get(name)?.setupFunc?.(backend),
  };
}

export const sumConfig = config('Sum');
export const meanConfig = config('Mean');
