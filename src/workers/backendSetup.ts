import * as tf from '@tensorflow/tfjs-core';
import '../engine/backend/register';
import { initBackend } from '../engine/backend/ladder';
import { measureStepMs } from '../engine/backend/measure';
import { DEFAULT_LADDER } from '../engine/backend/types';
import { createModel } from '../engine/models';
import { createOptimizer, crossEntropyObjective } from '../engine/train';
import type { BackendInfo, BackendPreference } from './api';
import { WASM_PATHS } from './wasmPaths';

/**
 * The probe behind the badge's ms/step (our choice): one SGD training step of the small CNN
 * on a fixed batch of 16, after one untimed warm-up step (kernel compilation). Kept this small
 * because software WebGPU (SwiftShader) takes seconds per step.
 */
const PROBE = { arch: 'cnn', batch: 16, warmup: 1, reps: 1 } as const;
const BACKEND_TIMEOUT_MS = 20_000;

/** Measures ms per training step of the active backend (see PROBE). */
export async function measureTrainingStepMs(): Promise<number> {
  const n = PROBE.batch;
  const images = new Float32Array(n * 32 * 32 * 3);
  // Fixed pseudo-random pixels (an LCG; the values only have to be non-degenerate).
  let state = 12345;
  for (let i = 0; i < images.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    images[i] = state / 2 ** 31 - 1;
  }
  const x = tf.tensor4d(images, [n, 32, 32, 3]);
  const y = tf.tensor1d(Int32Array.from({ length: n }, (_, i) => i % 10), 'int32');
  const model = createModel(PROBE.arch, { seed: 0 });
  const optimizer = createOptimizer(model, { optimizer: 'sgd', momentum: 0.9 });
  const objective = crossEntropyObjective();
  try {
    const timing = await measureStepMs(
      () => {
        const r = objective.computeGradients(model, { x, y }, { step: 0, epoch: 0 });
        optimizer.apply(r.grads, 0.01);
        tf.dispose([...r.grads.values(), ...(r.logits ? [r.logits] : [])]);
        return r.loss;
      },
      { warmup: PROBE.warmup, reps: PROBE.reps },
    );
    return timing.msPerStep;
  } finally {
    optimizer.dispose();
    model.dispose();
    tf.dispose([x, y]);
  }
}

/**
 * Starts a backend: 'auto' walks the ladder webgpu -> webgl -> wasm -> cpu; a named
 * preference is tried first and, if it fails, the rest of the ladder follows (the report
 * says why it fell back). Then measures ms/step.
 */
export async function startBackend(preference: BackendPreference): Promise<BackendInfo> {
  const ladder = preference === 'auto' ? [...DEFAULT_LADDER] : [preference, ...DEFAULT_LADDER.filter((b) => b !== preference)];
  const report = await initBackend({ preference: ladder, timeoutMs: BACKEND_TIMEOUT_MS, wasmPaths: WASM_PATHS, purpose: 'train' });
  let msPerStep: number | null = null;
  let probe: string = `${PROBE.arch}, batch ${PROBE.batch}`;
  try {
    msPerStep = await measureTrainingStepMs();
  } catch (e) {
    probe = `probe failed: ${e instanceof Error ? e.message : String(e)}`;
  }
  return {
    name: report.name,
    preference,
    tried: report.tried.map((t) => ({ name: t.name, ok: t.ok, ms: t.ms, ...(t.error ? { reason: t.error } : {}) })),
    msPerStep,
    probe,
  };
}
