import { initBackend } from './ladder';
import { measureStepMs, type StepResult } from './measure';
import type { BackendReport, InitBackendOptions } from './types';

/** A step to time on a backend: built after the backend is active (its tensors live there). */
export interface StepProbe {
  readonly step: () => StepResult | Promise<StepResult>;
  readonly dispose: () => void;
}

export interface FastestChoice {
  /** Report of the chosen (now active) backend, with msPerStep filled in. */
  readonly report: BackendReport;
  /** ms/step per backend that initialised; failures are in report.tried of each attempt. */
  readonly measured: ReadonlyArray<{ readonly name: string; readonly msPerStep: number }>;
  readonly failed: ReadonlyArray<{ readonly name: string; readonly error: string }>;
}

/**
 * "Chosen by measurement": initialises each candidate that works (same rules and timeouts as
 * initBackend), times `makeProbe()` on it, and leaves the fastest active. Use it where the
 * order is not obvious, e.g. software WebGPU (SwiftShader/lavapipe) vs multi-threaded wasm.
 */
export async function chooseFastestBackend(
  candidates: readonly string[],
  makeProbe: () => StepProbe,
  opts: Omit<InitBackendOptions, 'preference'> & { warmup?: number; reps?: number } = {},
): Promise<FastestChoice> {
  const measured: Array<{ name: string; msPerStep: number; report: BackendReport }> = [];
  const failed: Array<{ name: string; error: string }> = [];
  for (const name of candidates) {
    let report: BackendReport;
    try {
      report = await initBackend({ ...opts, preference: [name] });
    } catch (e) {
      failed.push({ name, error: e instanceof Error ? e.message : String(e) });
      continue;
    }
    const probe = makeProbe();
    try {
      const t = await measureStepMs(probe.step, { warmup: opts.warmup ?? 1, reps: opts.reps ?? 3 });
      measured.push({ name, msPerStep: t.msPerStep, report });
      opts.log?.(`backend ${name}: ${t.msPerStep.toFixed(1)} ms/step`);
    } catch (e) {
      failed.push({ name, error: e instanceof Error ? e.message : String(e) });
    } finally {
      probe.dispose();
    }
  }
  if (measured.length === 0) {
    throw new Error(`No candidate backend could run the probe (${failed.map((f) => `${f.name}: ${f.error}`).join('; ')})`);
  }
  const best = measured.reduce((a, b) => (b.msPerStep < a.msPerStep ? b : a));
  const report = await initBackend({ ...opts, preference: [best.name] });
  report.msPerStep = best.msPerStep;
  return { report, measured: measured.map(({ name, msPerStep }) => ({ name, msPerStep })), failed };
}
