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

/**
 * Measures a step function on the active backend: `warmup` untimed steps (shader compilation,
 * wasm memory growth), then `reps` timed ones. Every returned tensor is read back before the
 * clock stops and then disposed, so GPU backends are timed to completion.
 */
export async function measureStepMs(
  stepFn: () => StepResult | Promise<StepResult>,
  opts: { warmup?: number; reps?: number } = {},
): Promise<StepTiming> {
  const warmup = opts.warmup ?? 2;
  const reps = Math.max(1, opts.reps ?? 5);
  for (let i = 0; i < warmup; i++) await settle(stepFn());
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) {
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
