import { expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '../../../src/engine/backend/register';
import { initBackend } from '../../../src/engine/backend/ladder';
import { WASM_TRAINING_KERNELS } from '../../../src/engine/backend/wasm-kernels/register-training-kernels';
import { wasmDistDir } from './helpers';

test('register.ts imports safely in Node: cpu + wasm, gradients and wasm training kernels', async () => {
  const names = tf.engine().backendNames();
  expect(names).toContain('cpu');
  expect(names).toContain('wasm');
  // No WebGL / navigator.gpu in Node: those packages register nothing (and do not throw).
  expect(names).not.toContain('webgl');
  expect(names).not.toContain('webgpu');
  expect(tf.getGradient('Conv2D')).toBeDefined();
  for (const k of WASM_TRAINING_KERNELS) expect(tf.getKernel(k, 'wasm')).toBeDefined();
  // The default ladder in Node lands on wasm, with the reasons for skipping the GPU rungs.
  const r = await initBackend({ wasmPaths: wasmDistDir() });
  expect(r.name).toBe('wasm');
  expect(r.tried.map((t) => t.name)).toEqual(['webgpu', 'webgl', 'wasm']);
  expect(r.tried[0].error).toMatch(/navigator\.gpu/);
  const g = tf.grad((w: tf.Tensor) => tf.sum(tf.conv2d(tf.ones([1, 4, 4, 2]) as tf.Tensor4D, w as tf.Tensor4D, 1, 'same')))(tf.ones([3, 3, 2, 1]));
  // Centre tap sees all 16 pixels, corner taps 9, edge taps 12 (per input channel).
  expect(Array.from(await g.data())).toEqual([9, 9, 12, 12, 9, 9, 12, 12, 16, 16, 12, 12, 9, 9, 12, 12, 9, 9]);
});
