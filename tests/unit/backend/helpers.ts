import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { Rng } from '../../../src/engine/random/rng';

/** Folder (with trailing slash) holding tfjs-backend-wasm's .wasm binaries, as a file path. */
export function wasmDistDir(): string {
  const main = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
  return path.dirname(main) + path.sep;
}

/** Seeded standard-normal values. */
export function randn(seed: number, n: number, scale = 1): Float32Array {
  return new Rng(seed).fillNormal(new Float32Array(n), 0, scale);
}

/** Runs `f` with `backend` active and returns the arrays it produced (all tensors disposed). */
export async function onBackend(backend: string, f: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const out = tf.tidy(f);
  const list = Array.isArray(out) ? out : [out];
  const data = await Promise.all(list.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose(list);
  return data;
}

/** Max of |a-b| / max(1, |b|): absolute for small values, relative for large ones. */
export function maxScaledDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i]));
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : Math.max(m, d);
  }
  return m;
}

/**
 * Runs `f` with the cpu kernels among `configs` unregistered, so that code which uses the lab's
 * kernels where they are registered takes its tfjs-op path (what webgl and webgpu run).
 */
export async function withoutCpuKernels<T>(configs: readonly KernelConfig[], f: () => Promise<T>): Promise<T> {
  const cpu = configs.filter((k) => k.backendName === 'cpu');
  for (const k of cpu) tf.unregisterKernel(k.kernelName, 'cpu');
  try {
    return await f();
  } finally {
    for (const k of cpu) tf.registerKernel(k);
  }
}

export type Pad = 'same' | 'valid';

/**
 * Gradients of sum(conv(x, w) * r) w.r.t. x and w, on one backend (r: fixed random weights); with
 * `withOutput`, the convolution's output first.
 */
export function convGrads(
  kind: 'conv' | 'depthwise',
  xs: [number, number, number, number],
  ws: [number, number, number, number],
  stride: number,
  pad: Pad,
  seed: number,
  withOutput = false,
): () => tf.Tensor[] {
  return () => {
    const x = tf.tensor(randn(seed, xs.reduce((a, b) => a * b)), xs) as tf.Tensor4D;
    const w = tf.tensor(randn(seed + 1, ws.reduce((a, b) => a * b)), ws) as tf.Tensor4D;
    const fwd = (xx: tf.Tensor4D, ww: tf.Tensor4D): tf.Tensor4D =>
      kind === 'conv' ? tf.conv2d(xx, ww, stride, pad) : tf.depthwiseConv2d(xx, ww, stride, pad);
    const y = fwd(x, w);
    const r = tf.tensor(randn(seed + 2, y.size), y.shape);
    const g = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.mul(fwd(xx as tf.Tensor4D, ww as tf.Tensor4D), r)));
    return withOutput ? [y, ...g([x, w])] : g([x, w]);
  };
}
