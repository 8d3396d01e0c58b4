import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describeWebGpuAdapter } from '../../../src/engine/backend/adapter';
import { measureCandidate } from '../../../src/engine/backend/measure-candidate';
import {
  CACHED_CHOICE_MAX_AGE_MS,
  adapterCacheKey,
  decideBackground,
  describeChoice,
  planAutoStart,
  softwareGpuLimitMs,
  usableCachedChoice,
  type CachedChoice,
} from '../../../src/engine/backend/start-plan';
import { DEFAULT_LADDER } from '../../../src/engine/backend/types';

const swiftshader = describeWebGpuAdapter({ vendor: 'google', architecture: 'swiftshader' });
const hardware = describeWebGpuAdapter({ vendor: 'nvidia', architecture: 'ampere' });
const now = Date.UTC(2026, 11, 6);
const cached: CachedChoice = { winner: 'wasm', measured: [{ name: 'wasm', msPerStep: 200 }], abandoned: [{ name: 'webgpu', afterMs: 2200, atLeastMs: 523 }], failed: [], at: now - 1000 };

describe('auto start plan', () => {
  test('a software adapter starts on wasm at once and measures the GPU in the background, ahead of cpu if wasm fails', () => {
    expect(swiftshader.software).toBe(true);
    const plan = planAutoStart(swiftshader, null, DEFAULT_LADDER);
    expect(plan).toEqual({ start: ['wasm', 'webgpu', 'webgl', 'cpu'], background: 'webgpu', basis: 'software-gpu' });
  });

  test('a hardware adapter or none keeps the ladder, with nothing to measure in the background', () => {
    expect(planAutoStart(hardware, null, DEFAULT_LADDER)).toEqual({ start: [...DEFAULT_LADDER], background: null, basis: 'ladder' });
    expect(planAutoStart(null, null, DEFAULT_LADDER)).toEqual({ start: [...DEFAULT_LADDER], background: null, basis: 'ladder' });
  });

  test('a cached choice starts its winner first and measures nothing', () => {
    const webgpuWon = { ...cached, winner: 'webgpu' };
    expect(planAutoStart(swiftshader, webgpuWon, DEFAULT_LADDER)).toEqual({ start: ['webgpu', 'webgl', 'wasm', 'cpu'], background: null, basis: 'cache' });
    expect(planAutoStart(swiftshader, cached, DEFAULT_LADDER).start[0]).toBe('wasm');
  });

  test('a cached choice is dropped when too old, from the future, or naming a backend off the ladder', () => {
    expect(usableCachedChoice(cached, DEFAULT_LADDER, now)).toBe(cached);
    expect(usableCachedChoice({ ...cached, at: now - CACHED_CHOICE_MAX_AGE_MS - 1 }, DEFAULT_LADDER, now)).toBeNull();
    expect(usableCachedChoice({ ...cached, at: now + 60_000 }, DEFAULT_LADDER, now)).toBeNull();
    expect(usableCachedChoice({ ...cached, winner: 'webnn' }, DEFAULT_LADDER, now)).toBeNull();
    expect(usableCachedChoice(null, DEFAULT_LADDER, now)).toBeNull();
  });

  test('the cache key tells adapters, core counts and isolation apart', () => {
    const keys = new Set([
      adapterCacheKey(swiftshader, { cores: 2, isolated: true }),
      adapterCacheKey(hardware, { cores: 2, isolated: true }),
      adapterCacheKey(null, { cores: 2, isolated: true }),
      adapterCacheKey(swiftshader, { cores: 8, isolated: true }),
      adapterCacheKey(swiftshader, { cores: 2, isolated: false }),
    ]);
    expect(keys.size).toBe(5);
    expect(adapterCacheKey(swiftshader, { cores: 2, isolated: true })).toBe(adapterCacheKey(describeWebGpuAdapter({ vendor: 'google', architecture: 'swiftshader' }), { cores: 2, isolated: true }));
  });

  test('the background limit follows the started probe, never under the floor', () => {
    expect(softwareGpuLimitMs(100)).toBe(3_000);
    expect(softwareGpuLimitMs(1_000)).toBe(10_000);
  });

  test('the candidate wins only when measured faster; given-up and failed candidates are recorded', () => {
    const started = { name: 'wasm', msPerStep: 200 };
    expect(decideBackground(started, { kind: 'measured', name: 'webgpu', msPerStep: 150, probeMs: 900 }, now).winner).toBe('webgpu');
    expect(decideBackground(started, { kind: 'measured', name: 'webgpu', msPerStep: 200, probeMs: 900 }, now).winner).toBe('wasm');
    const outpaced = decideBackground(started, { kind: 'outpaced', name: 'webgpu', atLeastMs: 523, afterMs: 2200 }, now);
    expect(outpaced).toEqual({ winner: 'wasm', measured: [started], abandoned: [{ name: 'webgpu', afterMs: 2200, atLeastMs: 523 }], failed: [], at: now });
    expect(describeChoice(outpaced, 'webgpu')).toBe(
      'webgpu runs on a software adapter: measured against wasm, wasm won (wasm 200 ms/step; webgpu at least 523 ms/step (one convolution of the step took that long), given up after 2.2 s)',
    );
    const failed = decideBackground(started, { kind: 'failed', name: 'webgpu', error: 'no adapter' }, now);
    expect(failed.winner).toBe('wasm');
    expect(describeChoice(failed, null)).toBe('measured: wasm won (wasm 200 ms/step; webgpu failed (no adapter))');
  });
});

describe('measureCandidate', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  test('past its limit a candidate is abandoned at once, onAbandon runs, and its probe is freed once the step in flight settles', async () => {
    const before = tf.memory().numTensors;
    let abandonCalls = 0;
    let stepsStarted = 0;
    const t0 = performance.now();
    const { outcome, settled } = measureCandidate(
      'cpu',
      () => {
        const x = tf.ones([4, 4]);
        return {
          step: async () => {
            stepsStarted++;
            await new Promise((r) => setTimeout(r, 400));
            return tf.matMul(x, x);
          },
          dispose: () => x.dispose(),
        };
      },
      { warmup: 1, reps: 2, limitMs: 100, onAbandon: () => abandonCalls++ },
    );
    const result = await outcome;
    expect(result.kind).toBe('abandoned');
    expect(performance.now() - t0).toBeLessThan(380);
    expect(abandonCalls).toBe(1);
    await settled;
    expect(stepsStarted).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('a candidate that cannot start is reported as failed, with the reason', async () => {
    tf.registerBackend('fake-no-adapter', async () => {
      throw new Error('no adapter');
    });
    const { outcome, settled } = measureCandidate('fake-no-adapter', () => ({ step: () => undefined, dispose: () => undefined }), { timeoutMs: 500 });
    expect(await outcome).toEqual({ kind: 'failed', name: 'fake-no-adapter', error: expect.stringContaining('no adapter') });
    await settled;
  });

  test('within its limit the candidate is measured', async () => {
    const { outcome } = measureCandidate('cpu', () => ({ step: () => tf.add(tf.scalar(1), tf.scalar(2)), dispose: () => undefined }), { warmup: 1, reps: 3, limitMs: 10_000 });
    const r = await outcome;
    expect(r).toMatchObject({ kind: 'measured', name: 'cpu' });
    if (r.kind === 'measured') expect(r.msPerStep).toBeGreaterThanOrEqual(0);
  });
});
