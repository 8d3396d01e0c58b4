import type * as tf from '@tensorflow/tfjs-core';
import type { Model } from '../models/types';
import { getAttack, type AttackId } from './registry';
import type { AttackOptions, AttackedWeights, CancelSignal } from './types';
import { disposeWeights } from './weights';

/** What `measure` reports at one strength: test accuracy plus any watermark metrics (BER, p-value...). */
export type SweepMetrics = { readonly accuracy: number } & Readonly<Record<string, number | boolean>>;

export interface SweepPoint {
  readonly attack: AttackId | string;
  readonly strength: number;
  /** Index of the strength in the requested list. */
  readonly index: number;
  readonly metrics: SweepMetrics;
  /** Wall time of attack + measurement, ms. */
  readonly ms: number;
}

export interface SweepOptions {
  readonly model: Model;
  readonly attack: AttackId | string;
  /** Default: the attack's default grid. */
  readonly strengths?: readonly number[];
  /** Seed and attack-specific options (default { seed: 0 }). */
  readonly attackOptions?: AttackOptions;
  /**
   * Evaluates the attacked weights. Evaluate with
   * `model.forward(x, { training: false, overrides: weights })` and read watermark entries from
   * `weights` (it holds every parameter). Must not keep or dispose `weights` (the runner does).
   */
  readonly measure: (weights: ReadonlyMap<string, tf.Tensor>, model: Model, strength: number) => Promise<SweepMetrics>;
  /** Streams each point as soon as it is measured. */
  readonly onPoint?: (p: SweepPoint) => void;
  /** Checked before each strength; a cancelled sweep returns the points done so far. */
  readonly signal?: CancelSignal;
}

export interface SweepResult {
  readonly points: SweepPoint[];
  readonly cancelled: boolean;
}

/**
 * Strength sweep: for each strength, build the attacked copy, measure it, stream the point,
 * dispose the copy. Nothing is left allocated between points (tested: no tensor growth).
 */
export async function runSweep(o: SweepOptions): Promise<SweepResult> {
  const info = getAttack(o.attack);
  const strengths = o.strengths ?? info.defaultStrengths;
  const points: SweepPoint[] = [];
  for (let index = 0; index < strengths.length; index++) {
    if (o.signal?.aborted) return { points, cancelled: true };
    const strength = strengths[index];
    const t0 = performance.now();
    let weights: AttackedWeights | null = null;
    try {
      weights = await info.run(o.model, strength, o.attackOptions ?? { seed: 0 });
      const metrics = await o.measure(weights, o.model, strength);
      const point: SweepPoint = { attack: info.id, strength, index, metrics, ms: performance.now() - t0 };
      points.push(point);
      o.onPoint?.(point);
    } finally {
      if (weights) disposeWeights(weights);
    }
  }
  return { points, cancelled: false };
}
