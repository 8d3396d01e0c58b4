import '../engine/backend/register';
import { activeGpuAdapter } from '../engine/backend/adapter';
import { initBackend } from '../engine/backend/ladder';
import { measureStepMs } from '../engine/backend/measure';
import { raceSoftwareGpuAgainstWasm } from '../engine/backend/software-gpu';
import { DEFAULT_LADDER, type BackendReport } from '../engine/backend/types';
import { trainingStepProbe } from '../engine/train/stepProbe';
import type { BackendChoice, BackendInfo, BackendPreference } from './api';
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
  const probe = trainingStepProbe(PROBE);
  try {
    return (await measureStepMs(probe.step, { warmup: PROBE.warmup, reps: PROBE.reps })).msPerStep;
  } finally {
    probe.dispose();
  }
}

interface StartedBackend {
  readonly report: BackendReport;
  readonly msPerStep: number | null;
  readonly probeNote: string | null;
  readonly choice?: BackendChoice;
}

/**
 * Starts a backend: 'auto' walks the ladder webgpu -> webgl -> wasm -> cpu and, when the GPU it
 * found is a software one (SwiftShader here), measures it against wasm and keeps the faster
 * (raceSoftwareGpuAgainstWasm); a named preference is tried first and, if it fails, the rest of
 * the ladder follows (the report says why it fell back). Then measures ms/step.
 */
export async function startBackend(preference: BackendPreference): Promise<BackendInfo> {
  const ladder = preference === 'auto' ? [...DEFAULT_LADDER] : [preference, ...DEFAULT_LADDER.filter((b) => b !== preference)];
  const wasmThreads = wasmThreadCount();
  const options = { timeoutMs: BACKEND_TIMEOUT_MS, wasmPaths: WASM_PATHS, wasmThreads, purpose: 'train' } as const;
  const init = async (rungs: readonly string[]) => {
    const restoreCores = presentCoresToWasmGlue(wasmThreads);
    try {
      return await initBackend({ ...options, preference: rungs });
    } finally {
      restoreCores();
    }
  };
  const first = await init(ladder);
  const gpu = activeGpuAdapter();
  let started: StartedBackend | null = null;
  if (preference === 'auto' && gpu?.software) {
    const raced = await raceSoftwareGpuAgainstWasm({ gpu: first, init, probe: () => trainingStepProbe(PROBE), warmup: PROBE.warmup, reps: PROBE.reps, options });
    if (raced) {
      const { report, reason, measured, abandoned } = raced;
      started = { report, msPerStep: report.msPerStep ?? null, probeNote: null, choice: { reason, measured, abandoned } };
    }
  }
  if (started === null) {
    let msPerStep: number | null = null;
    let probeNote: string | null = null;
    try {
      msPerStep = await measureTrainingStepMs();
    } catch (e) {
      probeNote = `probe failed: ${e instanceof Error ? e.message : String(e)}`;
    }
    started = { report: first, msPerStep, probeNote };
  }
  const { report } = started;
  return {
    name: report.name,
    preference,
    tried: report.tried.map((t) => ({ name: t.name, ok: t.ok, ms: t.ms, ...(t.error ? { reason: t.error } : {}) })),
    msPerStep: started.msPerStep,
    probe: started.probeNote ?? `${PROBE.arch}, batch ${PROBE.batch}`,
    ...(gpu ? { adapter: gpu.description, softwareAdapter: gpu.software } : {}),
    ...(started.choice ? { choice: started.choice } : {}),
    ...(report.wasm ? { wasm: report.wasm } : {}),
  };
}
