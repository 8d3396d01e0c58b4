import '../../engine/backend/register';
import { activeGpuAdapter, type GpuAdapter } from '../../engine/backend/adapter';
import { initBackend } from '../../engine/backend/ladder';
import { measureStepMs } from '../../engine/backend/measure';
import { adapterCacheKey, describeChoice, planAutoStart, softwareGpuLimitMs, usableCachedChoice, type CachedChoice } from '../../engine/backend/start-plan';
import { DEFAULT_LADDER, type BackendReport } from '../../engine/backend/types';
import { trainingStepProbe } from '../../engine/train/stepProbe';
import type { BackendChoice, BackendInfo, BackendPreference } from '../../protocol/api';
import { WASM_PATHS } from '../wasmPaths';
import { queryWebGpuAdapter } from './adapterQuery';
import { readCachedChoice } from './choiceCache';
import { BACKEND_TIMEOUT_MS, PROBE } from './probe';

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

/** What the lab should measure in the background once it runs (auto on a software GPU, nothing cached). */
export interface BackgroundPlan {
  readonly candidate: string;
  /** The probe's time limit: bound by the wall time of the started backend's own probe. */
  readonly limitMs: number;
  readonly cacheKey: string;
  /** The started backend and its ms/step, to compare the candidate against. */
  readonly started: { readonly name: string; readonly msPerStep: number };
  readonly adapter: GpuAdapter;
}

export interface StartedBackend {
  readonly info: BackendInfo;
  readonly background: BackgroundPlan | null;
}

const cores = () => (typeof navigator === 'object' && navigator.hardwareConcurrency > 0 ? navigator.hardwareConcurrency : 1);
const isolated = () => (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;

/** The cache key of the adapter this worker sees (see adapterCacheKey). */
export const cacheKeyFor = (adapter: GpuAdapter | null) => adapterCacheKey(adapter, { cores: cores(), isolated: isolated() });

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Starts a backend without making the user wait for a race (start-plan.ts): 'auto' uses the
 * choice measured earlier on this adapter if there is one, else starts wasm at once when the
 * GPU is a software one (and says what to measure in the background), else walks the ladder
 * webgpu -> webgl -> wasm -> cpu. A named preference is tried first and, if it fails, the rest
 * of the ladder follows (the report says why it fell back). Then measures ms/step.
 */
export async function startBackend(preference: BackendPreference): Promise<StartedBackend> {
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
  let adapter: GpuAdapter | null = null;
  let cacheKey = '';
  let cached: CachedChoice | null = null;
  let rungs: readonly string[] = [preference, ...DEFAULT_LADDER.filter((b) => b !== preference)];
  let candidate: string | null = null;
  if (preference === 'auto') {
    adapter = await queryWebGpuAdapter();
    cacheKey = cacheKeyFor(adapter);
    cached = usableCachedChoice(await readCachedChoice(cacheKey), DEFAULT_LADDER, Date.now());
    const plan = planAutoStart(adapter, cached, DEFAULT_LADDER);
    rungs = plan.start;
    candidate = plan.background;
  }
  let report: BackendReport = await init(rungs);
  // No WebGPU adapter to ask, but the ladder landed on a software WebGL: the same rule applies.
  const landed = activeGpuAdapter();
  if (preference === 'auto' && cached === null && candidate === null && landed?.software) {
    const onWasm = await init(['wasm']).catch(() => null);
    if (onWasm) {
      report = { ...onWasm, tried: [...report.tried, ...onWasm.tried] };
      candidate = landed.backend;
      adapter = landed;
    }
  }
  let msPerStep: number | null = null;
  let probeNote: string | null = null;
  const t0 = performance.now();
  try {
    msPerStep = await measureTrainingStepMs();
  } catch (e) {
    probeNote = `probe failed: ${e instanceof Error ? e.message : String(e)}`;
  }
  const probeWallMs = performance.now() - t0;
  const background: BackgroundPlan | null =
    candidate !== null && adapter !== null && report.name === 'wasm' && msPerStep !== null
      ? { candidate, limitMs: softwareGpuLimitMs(probeWallMs), cacheKey, started: { name: report.name, msPerStep }, adapter }
      : null;
  let choice: BackendChoice | undefined;
  if (cached !== null && report.name === cached.winner) {
    choice = {
      basis: 'cache',
      reason: `chosen by a measurement on this adapter on ${dayOf(cached.at)}: ${describeChoice(cached, adapter?.software ? adapter.backend : null)}`,
      measured: cached.measured,
      abandoned: cached.abandoned,
    };
  } else if (background !== null) {
    choice = {
      basis: 'measurement',
      reason: `${background.candidate} runs on a software adapter: started on wasm at once, measuring ${background.candidate} against it in the background`,
      measured: msPerStep === null ? [] : [{ name: report.name, msPerStep }],
      abandoned: [],
      measuring: background.candidate,
    };
  }
  const gpu = activeGpuAdapter() ?? adapter;
  const info: BackendInfo = {
    name: report.name,
    preference,
    tried: report.tried.map((t) => ({ name: t.name, ok: t.ok, ms: t.ms, ...(t.error ? { reason: t.error } : {}) })),
    msPerStep,
    probe: probeNote ?? `${PROBE.arch}, batch ${PROBE.batch}`,
    ...(gpu ? { adapter: gpu.description, softwareAdapter: gpu.software } : {}),
    ...(choice ? { choice } : {}),
    ...(report.wasm ? { wasm: report.wasm } : {}),
  };
  return { info, background };
}
