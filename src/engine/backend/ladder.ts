import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { withTimeout } from './timeout';
import {
  DEFAULT_LADDER,
  type BackendAttempt,
  type BackendPurpose,
  type BackendReport,
  type InitBackendOptions,
} from './types';
import { wasmTrainingKernelsRegistered } from './wasm-kernels/register-training-kernels';
import { labSimdFor } from './wasm-kernels/simd/labSimd';

const DEFAULT_TIMEOUT_MS = 15_000;
const GPU_BACKENDS: ReadonlySet<string> = new Set(['webgpu', 'webgl']);

function platform(): BackendReport['platform'] {
  const env = tf.env();
  if (env.getBool('IS_NODE')) return 'node';
  if (env.getBool('IS_BROWSER')) return 'browser';
  return 'unknown';
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Why a rung cannot even be attempted, or null. */
function skipReason(name: string, purpose: BackendPurpose): string | null {
  if (tf.findBackendFactory(name) == null) {
    if (name === 'webgpu') return 'not registered: no navigator.gpu here (or @tensorflow/tfjs-backend-webgpu not imported)';
    if (name === 'webgl') return 'not registered: no WebGL in this environment (or @tensorflow/tfjs-backend-webgl not imported)';
    return `not registered: no backend '${name}' was imported/registered`;
  }
  if (name === 'wasm' && purpose === 'train' && !wasmTrainingKernelsRegistered()) {
    return 'cannot train: wasm training kernels are not registered (call registerWasmTrainingKernels)';
  }
  return null;
}

function configureWasm(opts: InitBackendOptions): void {
  // setWasmPaths/setThreadsCount only take effect before the wasm module is instantiated.
  if (tf.engine().registry['wasm'] != null) return;
  if (opts.wasmPaths != null) setWasmPaths(opts.wasmPaths as string | Record<string, string>);
  if (opts.wasmThreads != null) setThreadsCount(opts.wasmThreads);
}

/**
 * Initialises one backend and proves it can run and read back an op, within the timeout.
 * The factory is called here rather than through tf.setBackend so that (1) its real error
 * reaches the report (tfjs only logs it) and (2) a hung factory never becomes the engine's
 * "pending" initialisation, which would make every later op throw even after a fallback.
 * Storing the instance in `engine.registry` is exactly what tfjs' initializeBackend does.
 */
async function tryRung(name: string, timeoutMs: number): Promise<void> {
  const engine = tf.engine();
  if (engine.registry[name] == null) {
    const factory = tf.findBackendFactory(name);
    if (factory == null) throw new Error(`no backend '${name}' registered`);
    const instance = await withTimeout(
      Promise.resolve().then(() => factory()),
      timeoutMs,
      `initialising '${name}'`,
    );
    if (instance == null) throw new Error(`backend factory for '${name}' returned nothing`);
    engine.registry[name] = instance;
  }
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`activating '${name}' failed`);
  const probe = tf.tidy(() => tf.add(tf.tensor1d([1, 2, 3]), tf.scalar(1)));
  try {
    const v = await withTimeout(probe.data(), timeoutMs, `smoke test on '${name}'`);
    if (v[0] !== 2 || v[1] !== 3 || v[2] !== 4) throw new Error(`smoke test on '${name}' returned wrong values`);
  } finally {
    probe.dispose();
  }
}

/**
 * The backend ladder: tries each preferred backend in order (default webgpu -> webgl -> wasm
 * -> cpu), initialises it under a timeout (a hanging GPU adapter request cannot hang us),
 * runs a smoke test, and falls back to the next on any failure. Every rung's outcome and
 * reason is recorded. Throws if no rung works (the message lists why each failed).
 * For purpose 'train' (the default), wasm is only a candidate when the wasm training
 * kernels are registered. Backends must have been registered by importing their packages
 * (see register.ts); wasm binaries are located with `wasmPaths`.
 */
export async function initBackend(opts: InitBackendOptions = {}): Promise<BackendReport> {
  const preference = opts.preference == null ? DEFAULT_LADDER : typeof opts.preference === 'string' ? [opts.preference] : opts.preference;
  if (preference.length === 0) throw new Error('initBackend: empty backend preference list');
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const purpose = opts.purpose ?? 'train';
  const log = opts.log ?? (() => {});
  const tried: BackendAttempt[] = [];
  for (const name of preference) {
    const t0 = performance.now();
    const skip = skipReason(name, purpose);
    if (skip != null) {
      tried.push({ name, ok: false, error: skip, ms: 0 });
      log(`backend ${name}: skipped (${skip})`);
      continue;
    }
    if (name === 'wasm') configureWasm(opts);
    try {
      await tryRung(name, timeoutMs);
    } catch (e) {
      const ms = performance.now() - t0;
      tried.push({ name, ok: false, error: errorText(e), ms });
      log(`backend ${name}: failed after ${ms.toFixed(0)} ms (${errorText(e)})`);
      continue;
    }
    const ms = performance.now() - t0;
    tried.push({ name, ok: true, ms });
    log(`backend ${name}: ready in ${ms.toFixed(0)} ms`);
    const report: BackendReport = {
      name,
      tried,
      isGpu: GPU_BACKENDS.has(name),
      purpose,
      platform: platform(),
      ...(name === 'wasm' ? { wasm: { threads: getThreadsCount(), simd: await wasmSimd(), labKernels: labSimdFor(tf.findBackend('wasm')) != null } } : {}),
    };
    return report;
  }
  const why = tried.map((t) => `${t.name}: ${t.error ?? 'failed'}`).join('; ');
  throw new Error(`No compute backend could be initialised (${why})`);
}

async function wasmSimd(): Promise<boolean> {
  try {
    return Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  } catch {
    return false;
  }
}
