import { describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { initBackend } from '../../../src/engine/backend/ladder';
import { measureStepMs } from '../../../src/engine/backend/measure';
import { chooseFastestBackend } from '../../../src/engine/backend/choose-fastest';
import { registerWasmTrainingKernels } from '../../../src/engine/backend/wasm-kernels/register-training-kernels';
import { wasmDistDir } from './helpers';

tf.registerBackend('fake-reject', async () => {
  throw new Error('no adapter');
});
tf.registerBackend('fake-hang', () => new Promise<never>(() => {}));
tf.registerBackend('fake-throw', () => {
  throw new Error('sync failure');
});

async function opsWork(): Promise<void> {
  const t = tf.add(tf.tensor1d([1, 2]), tf.scalar(1));
  expect(Array.from(await t.data())).toEqual([2, 3]);
  t.dispose();
}

describe('backend ladder', () => {
  test('falls back past a backend whose initialisation rejects', async () => {
    const r = await initBackend({ preference: ['fake-reject', 'cpu'], timeoutMs: 500 });
    expect(r.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(r.isGpu).toBe(false);
    expect(r.platform).toBe('node');
    expect(r.tried.map((t) => [t.name, t.ok])).toEqual([['fake-reject', false], ['cpu', true]]);
    expect(r.tried[0].error).toBe('no adapter');
    await opsWork();
  });

  test('a hanging initialisation times out and the fallback is usable', async () => {
    const t0 = performance.now();
    const r = await initBackend({ preference: ['fake-hang', 'fake-throw', 'nope', 'cpu'], timeoutMs: 150 });
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(r.name).toBe('cpu');
    expect(r.tried[0]).toMatchObject({ name: 'fake-hang', ok: false });
    expect(r.tried[0].error).toMatch(/did not finish within 150 ms/);
    expect(r.tried[0].ms).toBeGreaterThanOrEqual(140);
    expect(r.tried[1]).toMatchObject({ name: 'fake-throw', ok: false, error: 'sync failure' });
    expect(r.tried[2].error).toMatch(/not registered/);
    await opsWork();
  });

  test('throws with every reason when nothing works', async () => {
    await expect(initBackend({ preference: ['fake-reject', 'webgpu'], timeoutMs: 200 })).rejects.toThrow(
      /fake-reject: no adapter; webgpu: not registered/,
    );
    await initBackend({ preference: 'cpu' });
  });

  test('training on wasm requires the training kernels; then wasm is chosen', async () => {
    const opts = { preference: ['wasm', 'cpu'], wasmPaths: wasmDistDir(), purpose: 'train' as const };
    const before = await initBackend(opts);
    expect(before.name).toBe('cpu');
    expect(before.tried[0].error).toMatch(/training kernels are not registered/);
    const evalOnly = await initBackend({ ...opts, purpose: 'eval' });
    expect(evalOnly.name).toBe('wasm');
    registerWasmTrainingKernels();
    const r = await initBackend(opts);
    expect(r.name).toBe('wasm');
    // Node: tfjs 4.22 disables multi-threaded wasm (WASM_HAS_MULTITHREAD_SUPPORT is false under IS_NODE).
    // and the lab's own SIMD kernels bind to its (unshared) heap
    expect(r.wasm).toEqual({ threads: 1, simd: true, labKernels: true });
    await opsWork();
  });

  test('measureStepMs times steps, reads results back and disposes them', async () => {
    await initBackend({ preference: 'cpu' });
    const x = tf.randomNormal([64, 64]);
    const before = tf.memory().numTensors;
    let calls = 0;
    const t = await measureStepMs(
      () => {
        calls++;
        return tf.matMul(x, x);
      },
      { warmup: 1, reps: 4 },
    );
    expect(calls).toBe(5);
    expect(t.samples).toHaveLength(4);
    expect(t.msPerStep).toBeGreaterThan(0);
    expect(t.minMs).toBeLessThanOrEqual(t.msPerStep);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  test('chooseFastestBackend measures each candidate and keeps the fastest active', async () => {
    registerWasmTrainingKernels();
    const choice = await chooseFastestBackend(
      ['cpu', 'wasm', 'fake-reject'],
      () => {
        const x = tf.randomNormal([8, 16, 16, 8]) as tf.Tensor4D;
        const w = tf.randomNormal([3, 3, 8, 8]) as tf.Tensor4D;
        return { step: () => tf.conv2d(x, w, 1, 'same'), dispose: () => tf.dispose([x, w]) };
      },
      { wasmPaths: wasmDistDir(), timeoutMs: 500, reps: 2 },
    );
    expect(choice.measured.map((m) => m.name).sort()).toEqual(['cpu', 'wasm']);
    expect(choice.failed.map((f) => f.name)).toEqual(['fake-reject']);
    const best = choice.measured.reduce((a, b) => (b.msPerStep < a.msPerStep ? b : a));
    expect(choice.report.name).toBe(best.name);
    expect(tf.getBackend()).toBe(best.name);
  });

  test('chooseFastestBackend gives up a candidate past its deadline, keeps the fast one and frees the slow probe', async () => {
    registerWasmTrainingKernels();
    const before = tf.memory().numTensors;
    let slowStepsStarted = 0;
    const choice = await chooseFastestBackend(
      ['wasm', 'cpu'],
      () => {
        const x = tf.randomNormal([2, 8, 8, 4]) as tf.Tensor4D;
        const w = tf.randomNormal([3, 3, 4, 4]) as tf.Tensor4D;
        const slow = tf.getBackend() === 'cpu';
        return {
          // On cpu every step takes 300 ms: far past the deadline below.
          step: async () => {
            if (!slow) return tf.conv2d(x, w, 1, 'same');
            slowStepsStarted++;
            const y = tf.conv2d(x, w, 1, 'same');
            await new Promise((r) => setTimeout(r, 300));
            return y;
          },
          dispose: () => tf.dispose([x, w]),
        };
      },
      { wasmPaths: wasmDistDir(), timeoutMs: 2_000, warmup: 1, reps: 2, deadlineMs: (fastest) => (fastest === null ? null : 100) },
    );
    expect(choice.report.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.measured.map((m) => m.name)).toEqual(['wasm']);
    expect(choice.abandoned.map((a) => a.name)).toEqual(['cpu']);
    expect(choice.abandoned[0].afterMs).toBeGreaterThanOrEqual(95);
    // The cpu step in flight finishes in the background, then no other step starts and its probe is freed.
    await new Promise((r) => setTimeout(r, 500));
    expect(slowStepsStarted).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });
});
