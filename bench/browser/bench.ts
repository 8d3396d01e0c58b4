/**
 * Browser benchmark page: ms per training step and img/s of the engine's trainer for each
 * backend x model x batch size given in the URL query, on one fixed random batch (the
 * data path is not timed, see ../fixedSource.ts). Per row: one untimed warm-up step (kernel
 * compilation), then the median of `steps` timed steps from the trainer's onProgress
 * msPerStep (logEvery 1), and tf.memory().numTensors before/after the row.
 *
 * Query (all optional): `backends` (default webgpu,webgl; wasm (single-threaded here, see
 * run()) and cpu also work),
 * `models` (default cnn), `batches` (default 16), `steps` (timed steps, default 1).
 * Defaults are tiny (our choice) because software WebGPU/WebGL (SwiftShader) on a small CPU
 * takes tens of seconds per cnn step; on a real GPU ask e.g.
 * `?models=cnn,resnet20&batches=64,128&steps=5`.
 *
 * The result is published on `globalThis.__bench` (read by ../browser-bench.mjs) and shown
 * in the page; progress lines go to console.log with the prefix `bench:`.
 * Compiled by tsconfig.node.json (no DOM lib, like tests/browser/pages), so it touches the
 * page only through minimal structural types.
 */
import * as tf from '@tensorflow/tfjs-core';
import '../../src/engine/backend/register';
import { initBackend } from '../../src/engine/backend/ladder';
import { createModel } from '../../src/engine/models/createModel';
import type { ArchName } from '../../src/engine/models/types';
import { train } from '../../src/engine/train/trainer';
import { WASM_PATHS } from '../../src/workers/wasmPaths';
import { fixedBatchSource } from '../fixedSource';

/** One timed backend x model x batch combination. */
interface StepRow {
  readonly backend: string;
  readonly model: string;
  readonly batch: number;
  readonly objective: 'cross-entropy';
  readonly msPerStep: number;
  readonly imagesPerSecond: number;
  /** Every timed step's ms (warm-up excluded), in run order. */
  readonly stepMs: readonly number[];
  readonly warmupMs: number;
  readonly timedSteps: number;
  readonly numTensorsBefore: number;
  readonly numTensorsAfter: number;
}

interface BackendRow {
  readonly backend: string;
  readonly initMs: number;
  /** GPU adapter / renderer description where the browser exposes it. */
  readonly device?: string;
}

interface BenchResult {
  readonly machine: Record<string, unknown>;
  readonly query: { backends: string[]; models: string[]; batches: number[]; steps: number };
  readonly backends: BackendRow[];
  readonly steps: StepRow[];
  readonly unavailable: { backend: string; reason: string }[];
  readonly errors: { backend: string; model: string; batch: number; error: string }[];
  readonly seconds: number;
  readonly error?: string;
}

const query = new URLSearchParams((globalThis as { location?: { search: string } }).location?.search ?? '');
const list = (k: string, d: string) => (query.get(k) ?? d).split(',').map((s) => s.trim()).filter(Boolean);
const log = (s: string) => console.log(`bench: ${s}`);

/** Timed steps per row: `?steps=N`, default 1. */
const STEPS = (() => {
  const n = Number(query.get('steps') ?? 1);
  return Number.isInteger(n) && n >= 1 ? n : 1;
})();

/** Runs warm-up + STEPS steps of the real trainer; returns the per-step ms from onProgress. */
async function timeSteps(arch: ArchName, batch: number): Promise<number[]> {
  const model = createModel(arch, { seed: 1 });
  const source = fixedBatchSource(batch, STEPS + 1);
  const ms: number[] = [];
  try {
    await train(model, source, { epochs: 1, lr: 0.01, optimizer: 'sgd', momentum: 0.9, weightDecay: 5e-4, logEvery: 1 }, {
      onProgress: (p) => {
        ms.push(p.msPerStep);
        log(`  step ${p.step}/${p.totalSteps}: ${p.msPerStep.toFixed(1)} ms`);
      },
    });
  } finally {
    source.dispose();
    model.dispose();
  }
  return ms;
}

/** Median (mean of the two middle values for an even count). */
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

interface GpuLike {
  requestAdapter(): Promise<{ info?: Record<string, string> } | null>;
}
interface GlLike {
  getExtension(name: string): { UNMASKED_RENDERER_WEBGL: number } | null;
  getParameter(p: number): unknown;
  readonly RENDERER: number;
}
interface CanvasLike {
  getContext(kind: 'webgl2'): GlLike | null;
}

/** A short description of the GPU behind webgpu / webgl (e.g. SwiftShader), if exposed. */
async function deviceOf(backend: string): Promise<string | undefined> {
  const g = globalThis as { navigator?: { gpu?: GpuLike }; OffscreenCanvas?: new (w: number, h: number) => CanvasLike };
  try {
    if (backend === 'webgpu') {
      const info = (await g.navigator?.gpu?.requestAdapter())?.info;
      return info ? [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' / ') : undefined;
    }
    if (backend === 'webgl' && g.OffscreenCanvas) {
      const gl = new g.OffscreenCanvas(1, 1).getContext('webgl2');
      const ext = gl?.getExtension('WEBGL_debug_renderer_info');
      const r = gl ? gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) : undefined;
      return typeof r === 'string' ? r : undefined;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

function machine(): Record<string, unknown> {
  const nav = (globalThis as { navigator?: { userAgent?: string; hardwareConcurrency?: number } }).navigator;
  const iso = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  return { userAgent: nav?.userAgent, cpus: nav?.hardwareConcurrency, crossOriginIsolated: iso, date: new Date().toISOString() };
}

async function run(): Promise<BenchResult> {
  const t0 = performance.now();
  const backends = list('backends', 'webgpu,webgl');
  const models = list('models', 'cnn');
  const batches = list('batches', '16').map(Number);
  const result: BenchResult = { machine: machine(), query: { backends, models, batches, steps: STEPS }, backends: [], steps: [], unavailable: [], errors: [], seconds: 0 };
  (globalThis as { __benchPartial?: BenchResult }).__benchPartial = result; // rows so far, for a timed-out run
  for (const name of backends) {
    let initMs: number;
    // Our choice: wasm runs single-threaded here. The page benchmarks on the main thread, where
    // the threaded wasm binary (picked when the page is cross-origin isolated) deadlocks: its
    // XNNPACK pool waits for pthread workers that only start once the main thread yields.
    // The app runs wasm in a worker, so this row understates the app's wasm speed.
    if (name === 'wasm') tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    try {
      const report = await initBackend({ preference: [name], wasmPaths: WASM_PATHS, purpose: 'train', timeoutMs: 60_000 });
      initMs = report.tried[report.tried.length - 1].ms;
    } catch (e) {
      result.unavailable.push({ backend: name, reason: e instanceof Error ? e.message : String(e) });
      log(`${name}: unavailable (${e instanceof Error ? e.message : String(e)})`);
      continue;
    }
    const device = await deviceOf(name);
    result.backends.push({ backend: name, initMs, ...(device ? { device } : {}) });
    log(`${name}: ready in ${initMs.toFixed(0)} ms${device ? ` (${device})` : ''}`);
    for (const model of models) {
      for (const batch of batches) {
        const before = tf.memory().numTensors;
        try {
          const ms = await timeSteps(model as ArchName, batch);
          const timed = ms.slice(1);
          const msPerStep = median(timed);
          result.steps.push({
            backend: name,
            model,
            batch,
            objective: 'cross-entropy',
            msPerStep,
            imagesPerSecond: (1000 * batch) / msPerStep,
            stepMs: timed,
            warmupMs: ms[0],
            timedSteps: timed.length,
            numTensorsBefore: before,
            numTensorsAfter: tf.memory().numTensors,
          });
          log(`${name} ${model} b${batch}: ${msPerStep.toFixed(1)} ms/step, ${((1000 * batch) / msPerStep).toFixed(1)} img/s`);
        } catch (e) {
          result.errors.push({ backend: name, model, batch, error: e instanceof Error ? e.message : String(e) });
          log(`${name} ${model} b${batch}: failed (${e instanceof Error ? e.message : String(e)})`);
        }
      }
    }
  }
  return { ...result, seconds: (performance.now() - t0) / 1000 };
}

interface PageLike {
  getElementById(id: string): { textContent: string | null } | null;
}

function publish(result: BenchResult): void {
  (globalThis as { __bench?: BenchResult }).__bench = result;
  const out = (globalThis as { document?: PageLike }).document?.getElementById('out');
  if (out) out.textContent = JSON.stringify(result, null, 2);
}

run().then(publish, (e: unknown) =>
  publish({
    machine: machine(),
    query: { backends: [], models: [], batches: [], steps: STEPS },
    backends: [],
    steps: [],
    unavailable: [],
    errors: [],
    seconds: 0,
    error: e instanceof Error ? e.message : String(e),
  }),
);
