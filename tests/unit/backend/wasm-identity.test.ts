import { beforeAll, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../../../src/engine/backend/wasm-kernels/register-training-kernels';
import { wasmDistDir } from './helpers';

beforeAll(async () => {
  setWasmPaths(wasmDistDir());
  registerWasmTrainingKernels();
  await tf.setBackend('wasm');
});

test('wasm Identity shares the data (no copy), and a clone outlives its source', async () => {
  const x = tf.tensor([1, 2, 3]);
  const buffers = tf.engine().backend.numDataIds();
  const y = tf.clone(x);
  expect(y.dataId).toBe(x.dataId);
  expect(tf.engine().backend.numDataIds()).toBe(buffers);
  x.dispose();
  expect(Array.from(await y.data())).toEqual([1, 2, 3]);
  y.dispose();
  expect(tf.memory().numTensors).toBe(0);
});

test('a variable made from a tensor, then assigned, leaves the tensor unchanged', async () => {
  const x = tf.tensor([1, 2, 3]);
  const v = tf.variable(x);
  v.assign(tf.tensor([7, 8, 9]));
  expect(Array.from(await x.data())).toEqual([1, 2, 3]);
  expect(Array.from(await v.data())).toEqual([7, 8, 9]);
  tf.dispose([x, v]);
});
