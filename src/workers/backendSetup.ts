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

/**
 * XNNPACK threads for wasm (our choice): every logical core, at most 8 (the pthread pool size
 * of tfjs-backend-wasm 4.22). tfjs' own default is half the cores, which leaves a 2-core
 * machine single-threaded; training runs in this worker, not on the UI thread, so it may use
 * them all. Threads need cross-origin isolation (COOP/COEP); without it tfjs loads the
 * single-threaded binary and this number is ignored.
 */
function wasmThreadCount(): number {
  const cores = typeof navigator === 'object' && navigator.hardwareConcurrency > 0 ? navigator.hardwareConcurrency : 1;
  return Math.max(1, Math.min(8, cores));
}

/**
 * tfjs-backend-wasm 4.22's binary caps XNNPACK at navigator.hardwareConcurrency / 2 (it
 * assumes two hyperthreads per core; backend.cc `num_cores`), read once when the module is
 * instantiated, whatever setThreadsCount asks for: a 2-core machine always got 1 thread.
 * While the wasm module starts, its glue is shown twice the cores so that the cap becomes the
 * core count; the worker's own value is restored right after. Returns the restore function.
 */
function presentCoresToWasmGlue(threads: number): () => void {
  if (typeof navigator !== 'object') return () => {};
  const own = Object.getOwnPropertyDescriptor(navigator, 'hardwareConcurrency');
  try {
    Object.defineProperty(navigator, 'hardwareConcurrency', { value: 2 * threads, configurable: true });
  } catch {
    return () => {};
  }
  return () => {
    if (own) Object.defineProperty(navigator, 'hardwareConcurrency', own);
    else delete (navigator as { hardwareConcurrency?: number }).hardwareConcurrency;
  };
}

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
  const wasmThreads = wasmThreadCount();
  const restoreCores = presentCoresToWasmGlue(wasmThreads);
  let report;
  try {
    report = await initBackend({ preference: ladder, timeoutMs: BACKEND_TIMEOUT_MS, wasmPaths: WASM_PATHS, wasmThreads, purpose: 'train' });
  } finally {
    restoreCores();
  }
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
    ...(report.wasm ? { wasm: report.wasm } : {}),
  };
}
