/**
 * The 'auto' rule for a software GPU adapter (SwiftShader in headless Chromium, lavapipe under
 * Dawn, WARP): such an adapter runs its shaders on the CPU, usually far slower than
 * multi-threaded wasm, so instead of trusting the ladder's order the two are measured with the
 * same probe and the faster stays active.
 */
import { activeGpuAdapter, type GpuAdapter } from './adapter';
import { chooseFastestBackend, type StepProbe } from './choose-fastest';
import type { BackendReport, InitBackendOptions } from './types';

/**
 * A software GPU is given up once its probe has run this many times as long as wasm's whole
 * probe (our choice), and never before MIN_SOFTWARE_GPU_MS: with one warm-up and one timed
 * step each, a GPU still busy then would have to be ~10× faster than it has been so far to win.
 */
export const SOFTWARE_GPU_PROBE_FACTOR = 10;
export const MIN_SOFTWARE_GPU_MS = 3_000;

export interface MeasuredChoice {
  /** The backend now active (msPerStep filled in). */
  readonly report: BackendReport;
  /** One sentence: why the candidates were measured and what won. */
  readonly reason: string;
  readonly measured: ReadonlyArray<{ readonly name: string; readonly msPerStep: number }>;
  readonly abandoned: ReadonlyArray<{ readonly name: string; readonly afterMs: number }>;
}

export interface SoftwareGpuRaceInput {
  /** The ladder's pick, already active (a GPU backend). */
  readonly gpu: BackendReport;
  /** Initialises rungs like initBackend with the caller's options (wasm paths, threads...). */
  readonly init: (rungs: readonly string[]) => Promise<BackendReport>;
  readonly probe: () => StepProbe;
  readonly warmup: number;
  readonly reps: number;
  readonly options?: Omit<InitBackendOptions, 'preference'>;
}

/** The active GPU adapter when it is a software one, else null. */
export function activeSoftwareGpu(): GpuAdapter | null {
  const gpu = activeGpuAdapter();
  return gpu?.software ? gpu : null;
}

/**
 * Measures wasm, then the software GPU under a deadline bound by wasm's time, and leaves the
 * faster active. Null when wasm cannot start (the GPU stays active, unmeasured). Our choice: a
 * hardware GPU is not raced, since the probe (a small model at a small batch) is too small to
 * speak for the lab's real workloads (ResNet-20 at batch 64–128), where a hardware GPU wins.
 */
export async function raceSoftwareGpuAgainstWasm(input: SoftwareGpuRaceInput): Promise<MeasuredChoice | null> {
  const { gpu } = input;
  try {
    // Started through the caller's init: it may need set-up around wasm's first instantiation.
    await input.init(['wasm']);
  } catch {
    await input.init([gpu.name]);
    return null;
  }
  const fastest = await chooseFastestBackend(['wasm', gpu.name], input.probe, {
    ...input.options,
    warmup: input.warmup,
    reps: input.reps,
    deadlineMs: (wasmProbeMs) => (wasmProbeMs === null ? null : Math.max(MIN_SOFTWARE_GPU_MS, SOFTWARE_GPU_PROBE_FACTOR * wasmProbeMs)),
  });
  const won = fastest.report.name;
  const lost = [
    ...fastest.measured.filter((m) => m.name !== won).map((m) => `${m.name} ${m.msPerStep.toFixed(0)} ms/step`),
    ...fastest.abandoned.map((a) => `${a.name} unfinished after ${(a.afterMs / 1000).toFixed(1)} s`),
  ];
  const reason = `${gpu.name} runs on a software adapter: measured against wasm, ${won} won (${won} ${(fastest.report.msPerStep ?? 0).toFixed(0)} ms/step${lost.length ? `; ${lost.join('; ')}` : ''})`;
  // The ladder's attempts, plus the winner's when the ladder never reached it.
  const tried = gpu.tried.some((t) => t.name === won && t.ok) ? gpu.tried : [...gpu.tried, ...fastest.report.tried];
  return {
    report: { ...fastest.report, tried },
    reason,
    measured: fastest.measured,
    abandoned: fastest.abandoned.map(({ name, afterMs }) => ({ name, afterMs })),
  };
}
