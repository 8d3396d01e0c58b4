import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './ladder';
import { MeasurementStopped, measureStepMs } from './measure';
import type { InitBackendOptions } from './types';
import type { StepProbe } from './choose-fastest';

/** How one candidate's probe ended. */
export type CandidateOutcome =
  | { readonly kind: 'measured'; readonly name: string; readonly msPerStep: number; readonly probeMs: number }
  | { readonly kind: 'abandoned'; readonly name: string; readonly afterMs: number }
  | { readonly kind: 'failed'; readonly name: string; readonly error: string };

export interface MeasureCandidateOptions extends Omit<InitBackendOptions, 'preference'> {
  readonly warmup?: number;
  readonly reps?: number;
  /** Limit for the whole probe (warm-up and timed steps); null or undefined: no limit. */
  readonly limitMs?: number | null;
  /**
   * Called when the limit passes with a step still in flight, before `outcome` resolves: e.g.
   * destroy the GPU device so that its queued work stops (see destroyActiveGpuDevice).
   */
  readonly onAbandon?: () => void;
}

export interface CandidateMeasurement {
  readonly outcome: Promise<CandidateOutcome>;
  /**
   * Resolves once the probe's last step has settled and its tensors are freed (for an abandoned
   * candidate that may be long after `outcome`). Measure the next candidate after it.
   */
  readonly settled: Promise<void>;
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Initialises one backend (initBackend's rules and timeouts), makes it active and times
 * `makeProbe()` on it under `limitMs`. A candidate past its limit is abandoned: no further step
 * starts, the step in flight is left to finish (or fail, once its device is gone) and its
 * tensors are freed then.
 */
export function measureCandidate(name: string, makeProbe: () => StepProbe, opts: MeasureCandidateOptions = {}): CandidateMeasurement {
  let settle!: () => void;
  const settled = new Promise<void>((r) => (settle = r));
  const outcome = (async (): Promise<CandidateOutcome> => {
    try {
      await initBackend({ ...opts, preference: [name] });
    } catch (e) {
      settle();
      return { kind: 'failed', name, error: errorText(e) };
    }
    const probe = makeProbe();
    let stop = false;
    const t0 = performance.now();
    const timing = measureStepMs(probe.step, { warmup: opts.warmup ?? 1, reps: opts.reps ?? 3, shouldStop: () => stop });
    void timing
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        probe.dispose();
        settle();
      });
    const limit = opts.limitMs ?? null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<'late'>((r) => {
      if (limit !== null) timer = setTimeout(() => r('late'), limit);
    });
    try {
      const result = await Promise.race([timing, late]);
      if (result === 'late') {
        stop = true;
        const afterMs = performance.now() - t0;
        opts.onAbandon?.();
        opts.log?.(`backend ${name}: probe still running after ${afterMs.toFixed(0)} ms, given up as slower`);
        return { kind: 'abandoned', name, afterMs };
      }
      opts.log?.(`backend ${name}: ${result.msPerStep.toFixed(1)} ms/step`);
      return { kind: 'measured', name, msPerStep: result.msPerStep, probeMs: performance.now() - t0 };
    } catch (e) {
      if (e instanceof MeasurementStopped) return { kind: 'abandoned', name, afterMs: performance.now() - t0 };
      return { kind: 'failed', name, error: errorText(e) };
    } finally {
      clearTimeout(timer);
    }
  })();
  return { outcome, settled };
}

/**
 * Destroys the WebGPU device of the active tfjs backend, if it is webgpu: queued work is
 * dropped and later submissions fail, so an abandoned probe stops using the GPU (or, for a
 * software adapter, the CPU cores) at once. Returns whether a device was destroyed. The backend
 * is unusable afterwards: call only where it is being given up.
 */
export function destroyActiveGpuDevice(): boolean {
  if (tf.getBackend() !== 'webgpu') return false;
  const device = (tf.backend() as unknown as { device?: { destroy?: () => void } }).device;
  if (typeof device?.destroy !== 'function') return false;
  device.destroy();
  return true;
}
