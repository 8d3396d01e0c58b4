import * as tf from '@tensorflow/tfjs-core';
import type { Model, ParamRole } from '../models/types';
import { Rng, hashSeed } from '../random/rng';
import type { StepContext } from '../train/types';
import { FCW_DEFAULT_MASK_FRACTION, FCW_DEFAULT_MASK_PERIOD } from './types';

export interface WeightMaskingOptions {
  /** Fraction of the pooled conv weights zeroed per event (default 0.002 = 0.2 %). */
  readonly fraction?: number;
  /** Masking period in steps (default 10). */
  readonly period?: number;
  /** Seeds the positions (each event has its own stream derived from (seed, step)). */
  readonly seed: number;
  /** Parameter roles that are masked (default conv and depthwise kernels). */
  readonly roles?: readonly ParamRole[];
}

/** One masking event: before step `step`, these flat positions were set to 0. */
export interface MaskEvent {
  readonly step: number;
  readonly positions: ReadonlyMap<string, Int32Array>;
  readonly count: number;
}

export interface WeightMasker {
  /** Number of positions zeroed per event: round(fraction × pooled size). */
  readonly countPerEvent: number;
  /** Total number of maskable weights (pooled over the masked tensors). */
  readonly pooledSize: number;
  /** Events so far, in order. */
  readonly events: readonly MaskEvent[];
  /** Trainer hook: masks when `ctx.step` is a positive multiple of the period. */
  beforeStep(ctx: StepContext): void;
  /** The positions (by tensor) an event at `step` zeroes; pure, seeded. */
  positionsAt(step: number): Map<string, Int32Array>;
  /** Zeroes the positions of step `step` now (used by beforeStep). */
  maskNow(step: number): MaskEvent;
}

/**
 * Random weight masking of FCW training (methods.md §3 step 2): every `period` steps, zero a
 * random `fraction` of the conv weights; they keep training afterwards (the optimizer state
 * is left as is).
 *
 * Our choices: the weights of all masked tensors are pooled and exactly
 * round(fraction × pooled size) distinct positions are drawn uniformly (Floyd's algorithm) —
 * the paper's code draws per-layer Bernoulli masks, which only match the fraction in
 * expectation; events happen before steps period, 2·period, ... (that is, after every
 * `period` completed steps), never before step 0. Writes go through `variable.assign` inside
 * tidy, so no tensor leaks.
 */
export function createWeightMasker(model: Model, opts: WeightMaskingOptions): WeightMasker {
  const fraction = opts.fraction ?? FCW_DEFAULT_MASK_FRACTION;
  const period = opts.period ?? FCW_DEFAULT_MASK_PERIOD;
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`mask fraction must be in [0, 1], got ${fraction}`);
  if (!(Number.isInteger(period) && period >= 1)) throw new RangeError(`mask period must be a positive integer, got ${period}`);
  const roles = opts.roles ?? (['conv-kernel', 'depthwise-kernel'] as const);
  const tensors = model.paramInfo.filter((p) => roles.includes(p.role));
  const sizes = tensors.map((p) => p.shape.reduce((a, b) => a * b, 1));
  const offsets: number[] = [];
  let pooledSize = 0;
  for (const s of sizes) {
    offsets.push(pooledSize);
    pooledSize += s;
  }
  const countPerEvent = Math.round(fraction * pooledSize);
  const events: MaskEvent[] = [];

  const positionsAt = (step: number): Map<string, Int32Array> => {
    const rng = new Rng(hashSeed(opts.seed, `fcw/mask/step${step}`));
    // Floyd's algorithm: countPerEvent distinct values of 0..pooledSize-1.
    const chosen = new Set<number>();
    for (let j = pooledSize - countPerEvent; j < pooledSize; j++) {
      const t = rng.int(j + 1);
      chosen.add(chosen.has(t) ? j : t);
    }
    const sorted = Int32Array.from(chosen).sort();
    const out = new Map<string, Int32Array>();
    let at = 0;
    tensors.forEach((p, ti) => {
      const end = offsets[ti] + sizes[ti];
      const start = at;
      while (at < sorted.length && sorted[at] < end) at++;
      if (at > start) out.set(p.name, sorted.slice(start, at).map((v) => v - offsets[ti]));
    });
    return out;
  };

  const maskNow = (step: number): MaskEvent => {
    const positions = positionsAt(step);
    for (const [name, idx] of positions) {
      const v = model.params.get(name)!;
      const size = v.size;
      const keep = new Uint8Array(size).fill(1);
      for (const i of idx) keep[i] = 0;
      tf.tidy(() => {
        const mask = tf.tensor(keep, v.shape, 'bool');
        v.assign(tf.where(mask, v, tf.zerosLike(v)));
      });
    }
    const event: MaskEvent = { step, positions, count: countPerEvent };
    events.push(event);
    return event;
  };

  return {
    countPerEvent,
    pooledSize,
    events,
    positionsAt,
    maskNow,
    beforeStep(ctx: StepContext): void {
      if (countPerEvent > 0 && ctx.step > 0 && ctx.step % period === 0) maskNow(ctx.step);
    },
  };
}
