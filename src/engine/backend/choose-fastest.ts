import { initBackend } from './ladder';
import { measureCandidate } from './measure-candidate';
import type { StepResult } from './measure';
import type { BackendReport, InitBackendOptions } from './types';

/** A step to time on a backend: built after the backend is active (its tensors live there). */
export interface StepProbe {
  readonly step: () => StepResult | Promise<StepResult>;
  readonly dispose: () => void;
}

export interface FastestChoice {
  /** Report of the chosen (now active) backend, with msPerStep filled in. */
  readonly report: BackendReport;
  /** ms/step per backend that finished its probe (in candidate order). */
  readonly measured: ReadonlyArray<{ readonly name: string; readonly msPerStep: number }>;
  /** Candidates whose probe ran past their deadline: slower than the fastest one so far. */
  readonly abandoned: ReadonlyArray<{ readonly name: string; readonly afterMs: number; readonly fastestMs: number }>;
  readonly failed: ReadonlyArray<{ readonly name: string; readonly error: string }>;
}

export interface ChooseFastestOptions extends Omit<InitBackendOptions, 'preference'> {
  readonly warmup?: number;
  readonly reps?: number;
  /**
   * Time limit for a candidate's whole probe (warm-up and timed steps), given the wall time the
   * fastest finished probe so far took (null for the first). A candidate past its limit is
   * abandoned as slower: no further step of it starts, the step in flight is left to finish in
   * the background and its tensors are freed then. Undefined: no limit.
   */
  readonly deadlineMs?: (fastestProbeMs: number | null) => number | null;
}

/**
 * "Chosen by measurement": initialises each candidate that works (same rules and timeouts as
 * initBackend), times `makeProbe()` on it, and leaves the fastest active. Use it where the
 * order is not obvious, e.g. software WebGPU (SwiftShader/lavapipe) vs multi-threaded wasm;
 * list the cheap candidates first so that their time can bound the slow ones (`deadlineMs`).
 */
export async function chooseFastestBackend(
  candidates: readonly string[],
  makeProbe: () => StepProbe,
  opts: ChooseFastestOptions = {},
): Promise<FastestChoice> {
  const measured: Array<{ name: string; msPerStep: number; probeMs: number }> = [];
  const abandoned: Array<{ name: string; afterMs: number; fastestMs: number }> = [];
  const failed: Array<{ name: string; error: string }> = [];
  for (const name of candidates) {
    const fastest = measured.length === 0 ? null : measured.reduce((a, b) => (b.msPerStep < a.msPerStep ? b : a));
    const limitMs = opts.deadlineMs?.(fastest?.probeMs ?? null) ?? null;
    const { outcome, settled } = measureCandidate(name, makeProbe, { ...opts, limitMs });
    const result = await outcome;
    if (result.kind === 'failed') failed.push({ name, error: result.error });
    else if (result.kind === 'abandoned') abandoned.push({ name, afterMs: result.afterMs, fastestMs: fastest?.msPerStep ?? Number.NaN });
    else measured.push({ name, msPerStep: result.msPerStep, probeMs: result.probeMs });
    // An abandoned candidate is left to finish in the background; otherwise measure the next
    // one only once this one's tensors are gone (no cross-backend leftovers).
    if (result.kind !== 'abandoned') await settled;
  }
  if (measured.length === 0) {
    const why = [...failed.map((f) => `${f.name}: ${f.error}`), ...abandoned.map((a) => `${a.name}: given up after ${a.afterMs.toFixed(0)} ms`)];
    throw new Error(`No candidate backend could run the probe (${why.join('; ')})`);
  }
  const best = measured.reduce((a, b) => (b.msPerStep < a.msPerStep ? b : a));
  const report = await initBackend({ ...opts, preference: [best.name] });
  report.msPerStep = best.msPerStep;
  return {
    report,
    measured: measured.map(({ name, msPerStep }) => ({ name, msPerStep })),
    abandoned,
    failed,
  };
}
