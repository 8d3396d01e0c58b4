/**
 * How 'auto' starts without making the user wait for a measurement (our choice):
 *
 * 1. A choice measured earlier on this adapter (cached per adapter) is used at once.
 * 2. Otherwise a software GPU adapter (SwiftShader, lavapipe, WARP: shaders on the CPU) is not
 *    trusted: the lab starts on wasm, the cheapest safe backend, and the software GPU is measured
 *    in the background against wasm's time; it takes over only if it wins.
 * 3. Otherwise the ladder's order holds (a hardware GPU first): no race, as documented in
 *    software-gpu.ts, since the small probe cannot speak for the lab's real workloads.
 */
import type { GpuAdapter } from './adapter';
import type { CandidateOutcome } from './measure-candidate';
import { MIN_SOFTWARE_GPU_MS, SOFTWARE_GPU_PROBE_FACTOR } from './software-gpu';

/** A measured choice between backends on one adapter, as kept between visits. */
export interface CachedChoice {
  /** The backend that won. */
  readonly winner: string;
  readonly measured: ReadonlyArray<{ readonly name: string; readonly msPerStep: number }>;
  /** Given up: past the time limit, or (atLeastMs) once a part of its step took the winner's whole step. */
  readonly abandoned: ReadonlyArray<{ readonly name: string; readonly afterMs: number; readonly atLeastMs?: number }>;
  readonly failed: ReadonlyArray<{ readonly name: string; readonly error: string }>;
  /** When it was measured (ms since the epoch). */
  readonly at: number;
}

/** A cached choice older than this is measured again (our choice: drivers and browsers update). */
export const CACHED_CHOICE_MAX_AGE_MS = 30 * 24 * 3600 * 1000;

export interface StartPlan {
  /** Rungs to initialise now, in order (the first that works is used). */
  readonly start: readonly string[];
  /** A backend to measure in the background against the started one, or null. */
  readonly background: string | null;
  /** Where the start comes from, for the badge. */
  readonly basis: 'cache' | 'software-gpu' | 'ladder';
}

/**
 * The cache key of an adapter: what it is, and what decides wasm's speed next to it (cores,
 * cross-origin isolation, i.e. threads). Null adapter: no WebGPU here.
 */
export function adapterCacheKey(adapter: GpuAdapter | null, env: { readonly cores: number; readonly isolated: boolean }): string {
  return [adapter ? `${adapter.backend}:${adapter.description}` : 'no-webgpu', `cores=${env.cores}`, `isolated=${env.isolated}`].join('|');
}

/** Whether a cached choice is still used (young enough, and names a backend of the ladder). */
export function usableCachedChoice(cached: CachedChoice | null, ladder: readonly string[], now: number): CachedChoice | null {
  if (cached === null || !ladder.includes(cached.winner)) return null;
  const age = now - cached.at;
  return age >= 0 && age <= CACHED_CHOICE_MAX_AGE_MS ? cached : null;
}

const moveFirst = (first: string, ladder: readonly string[]) => [first, ...ladder.filter((b) => b !== first)];

/**
 * The plan for 'auto' given the WebGPU adapter the platform offers (null: none) and a usable
 * cached choice. A software adapter starts wasm and keeps the GPU next in line, ahead of the
 * plain cpu backend, in case wasm fails.
 */
export function planAutoStart(adapter: GpuAdapter | null, cached: CachedChoice | null, ladder: readonly string[]): StartPlan {
  if (cached !== null) return { start: moveFirst(cached.winner, ladder), background: null, basis: 'cache' };
  if (adapter?.software && ladder.includes('wasm')) {
    const start = ['wasm', adapter.backend, ...ladder.filter((b) => b !== 'wasm' && b !== adapter.backend)];
    return { start, background: adapter.backend, basis: 'software-gpu' };
  }
  return { start: [...ladder], background: null, basis: 'ladder' };
}

/**
 * How long the background probe of a software GPU may run, given the wall time of wasm's own
 * probe: SOFTWARE_GPU_PROBE_FACTOR times it, never under MIN_SOFTWARE_GPU_MS (the rule of
 * raceSoftwareGpuAgainstWasm).
 */
export function softwareGpuLimitMs(wasmProbeMs: number): number {
  return Math.max(MIN_SOFTWARE_GPU_MS, SOFTWARE_GPU_PROBE_FACTOR * wasmProbeMs);
}

/**
 * How a background measurement ended: a candidate outcome, 'outpaced' (a part of its step,
 * measured first, already took the started backend's whole step: at least `atLeastMs` per step),
 * or 'stopped' (the lab needed the cores).
 */
export type BackgroundOutcome =
  | CandidateOutcome
  | { readonly kind: 'outpaced'; readonly name: string; readonly atLeastMs: number; readonly afterMs: number }
  | { readonly kind: 'stopped'; readonly name: string; readonly reason: string };

/** The choice to keep after the background probe: the candidate wins only if it measured faster. */
export function decideBackground(
  started: { readonly name: string; readonly msPerStep: number },
  candidate: Exclude<BackgroundOutcome, { kind: 'stopped' }>,
  now: number,
): CachedChoice {
  const measured = [{ name: started.name, msPerStep: started.msPerStep }];
  if (candidate.kind === 'measured') measured.push({ name: candidate.name, msPerStep: candidate.msPerStep });
  const winner = candidate.kind === 'measured' && candidate.msPerStep < started.msPerStep ? candidate.name : started.name;
  return {
    winner,
    measured,
    abandoned:
      candidate.kind === 'abandoned'
        ? [{ name: candidate.name, afterMs: candidate.afterMs }]
        : candidate.kind === 'outpaced'
          ? [{ name: candidate.name, afterMs: candidate.afterMs, atLeastMs: candidate.atLeastMs }]
          : [],
    failed: candidate.kind === 'failed' ? [{ name: candidate.name, error: candidate.error }] : [],
    at: now,
  };
}

/** One sentence on a cached or background choice, for the badge's title. */
export function describeChoice(choice: CachedChoice, software: string | null): string {
  const parts = [
    ...choice.measured.map((m) => `${m.name} ${m.msPerStep.toFixed(0)} ms/step`),
    ...choice.abandoned.map((a) =>
      a.atLeastMs !== undefined
        ? `${a.name} at least ${a.atLeastMs.toFixed(0)} ms/step (one convolution of the step took that long), given up after ${(a.afterMs / 1000).toFixed(1)} s`
        : `${a.name} unfinished after ${(a.afterMs / 1000).toFixed(1)} s`,
    ),
    ...choice.failed.map((f) => `${f.name} failed (${f.error})`),
  ];
  const lead = software ? `${software} runs on a software adapter: measured against wasm, ` : 'measured: ';
  return `${lead}${choice.winner} won (${parts.join('; ')})`;
}
