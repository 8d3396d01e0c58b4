import * as tf from '@tensorflow/tfjs-core';

/** What a step returns: tensors to wait for (read back, then disposed), or nothing. */
export type StepResult = tf.Tensor | tf.Tensor[] | void;

export interface StepTiming {
  /** Median wall ms per step over `reps` timed steps (the number to report). */
  readonly msPerStep: number;
  readonly meanMs: number;
  readonly minMs: number;
  readonly samples: readonly number[];
}

async function settle(r: StepResult | Promise<StepResult>): Promise<void> {
  const out = await r;
  if (out == null) return;
  const list = Array.isArray(out) ? out : [out];
  // Reading one value forces the backend to finish the queued work (GPU backends are async).
  await Promise.all(list.map((t) => t.data()));
  tf.dispose(list);
}

/** Thrown by measureStepMs when `shouldStop` turned true before a step (no step was started). */
export class MeasurementStopped extends Error {
  constructor() {
    super('measurement stopped');
    this.name = 'MeasurementStopped';
  }
}

/**
 * Measures a step function on the active backend: `warmup` untimed steps (shader compilation,
 * wasm memory growth), then `reps` timed ones. Every returned tensor is read back before the
 * clock stops and then disposed, so GPU backends are timed to completion.
 * `shouldStop` is checked before every step: once it is true no further step starts and the
 * promise rejects with MeasurementStopped (a step in flight is still awaited and freed first).
 */
export async function measureStepMs(
  stepFn: () => StepResult | Promise<StepResult>,
  opts: { warmup?: number; reps?: number; shouldStop?: () => boolean } = {},
): Promise<StepTiming> {
  const warmup = opts.warmup ?? 2;
  const reps = Math.max(1, opts.reps ?? 5);
  const checkStop = () => {
    if (opts.shouldStop?.()) throw new MeasurementStopped();
  };
  for (let i = 0; i < warmup; i++) {
    checkStop();
    await settle(stepFn());
  }
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) {
    checkStop();
    const t0 = performance.now();
    await settle(stepFn());
    samples.push(performance.now() - t0);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return {
    msPerStep: median,
    meanMs: samples.reduce((a, b) => a + b, 0) / samples.length,
    minMs: sorted[0],
    samples,
  };
}
