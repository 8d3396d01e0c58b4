import { expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { initBackend } from '../../../src/engine/backend/ladder';
import { registerWebGpuBackendWith } from '../../../src/engine/backend/webgpu-node';

test('webgpu registered on an injected gpu object: no adapter -> clear error and fallback', async () => {
  expect(tf.findBackendFactory('webgpu')).toBeNull();
  let asked = 0;
  const gpu = {
    requestAdapter: async () => {
      asked++;
      return null;
    },
  };
  expect(registerWebGpuBackendWith(gpu, { WMLAB_TEST_GLOBAL: 7 })).toBe(true);
  expect((globalThis as Record<string, unknown>).WMLAB_TEST_GLOBAL).toBe(7);
  expect(registerWebGpuBackendWith(gpu)).toBe(false);
  const r = await initBackend({ preference: ['webgpu', 'cpu'], timeoutMs: 1000 });
  expect(asked).toBe(1);
  expect(r.name).toBe('cpu');
  expect(r.tried[0]).toMatchObject({ name: 'webgpu', ok: false });
  expect(r.tried[0].error).toMatch(/WebGPU: no adapter/);
  tf.removeBackend('webgpu');
});

test('a hanging adapter request is cut off by the ladder timeout', async () => {
  registerWebGpuBackendWith({ requestAdapter: () => new Promise(() => {}) });
  const r = await initBackend({ preference: ['webgpu', 'cpu'], timeoutMs: 100 });
  expect(r.name).toBe('cpu');
  expect(r.tried[0].error).toMatch(/did not finish within 100 ms/);
  const t = tf.square(tf.scalar(3));
  expect(await t.data()).toEqual(new Float32Array([9]));
  t.dispose();
});

test('in Node the Dawn entry point becomes navigator.gpu, which the tfjs WebGPU backend requires', async () => {
  const g = globalThis as { navigator?: { gpu?: unknown } };
  const hadNavigator = g.navigator != null;
  const device = { queue: {}, features: new Set<string>(), limits: {}, lost: new Promise(() => {}) };
  const gpu = {
    requestAdapter: async () => ({ features: new Set<string>(), limits: {}, info: {}, requestDevice: async () => device }),
  };
  if (tf.findBackendFactory('webgpu') != null) tf.removeBackend('webgpu'); // the hanging one above
  expect(registerWebGpuBackendWith(gpu)).toBe(true);
  // The backend instance is created (a stand-in device cannot run shaders, so the smoke test may
  // still fail or fall back), but never with tfjs' "WebGPU is not supported on this device".
  const r = await initBackend({ preference: ['webgpu', 'cpu'], timeoutMs: 2000 });
  expect(r.tried[0].error ?? '').not.toMatch(/not supported on this device/);
  expect(g.navigator?.gpu).toBe(gpu);
  await initBackend({ preference: 'cpu' });
  tf.removeBackend('webgpu');
  if (hadNavigator) delete g.navigator?.gpu;
  else delete g.navigator;
});
