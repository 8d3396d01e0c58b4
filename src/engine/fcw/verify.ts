import * as tf from '@tensorflow/tfjs-core';
import { normalizePixels } from '../data/normalize';
import type { ImageSet, Normalization } from '../data/types';
import type { Model, ParamOverrides } from '../models/types';
import { triggerPValue } from './binomialTail';
import { FCW_DEFAULT_P_THRESHOLD } from './types';

export interface PredictOptions {
  readonly normalization: Normalization;
  /** Evaluate at substituted parameter values (attacked weights). */
  readonly overrides?: ParamOverrides;
  /** Images per forward pass (default 64). */
  readonly batchSize?: number;
}

/** Inference-mode top-1 predictions for every image of a uint8 set (trigger gallery, verification). */
export async function predictImages(model: Model, images: ImageSet, opts: PredictOptions): Promise<Int32Array> {
  const { height: h, width: w, channels: c } = images;
  const per = h * w * c;
  const bs = opts.batchSize ?? 64;
  const x = normalizePixels(images.images, opts.normalization);
  const out = new Int32Array(images.count);
  for (let s = 0; s < images.count; s += bs) {
    const n = Math.min(bs, images.count - s);
    const pred = tf.tidy(() => {
      const xb = tf.tensor4d(x.subarray(s * per, (s + n) * per), [n, h, w, c], 'float32');
      return tf.argMax(model.forward(xb, { training: false, overrides: opts.overrides }), 1);
    });
    try {
      out.set(await pred.data(), s);
    } finally {
      pred.dispose();
    }
  }
  return out;
}

export interface TriggerAccuracy {
  /** Triggers classified as the target. */
  readonly hits: number;
  readonly n: number;
  readonly accuracy: number;
  /** The model's prediction for every trigger. */
  readonly predictions: Int32Array;
}

/** Watermark accuracy: the fraction of triggers the model classifies as `target`. */
export async function triggerAccuracy(model: Model, triggers: ImageSet, target: number, opts: PredictOptions): Promise<TriggerAccuracy> {
  if (triggers.count === 0) throw new Error('triggerAccuracy: no triggers');
  const predictions = await predictImages(model, triggers, opts);
  let hits = 0;
  for (const p of predictions) if (p === target) hits++;
  return { hits, n: triggers.count, accuracy: hits / triggers.count, predictions };
}

export interface NullRate {
  /**
   * The chance rate to test against (our choice): the rule-of-succession estimate
   * (hits + 1) / (trials + 2) pooled over all null models, so that a null sample with no hit
   * never gives a rate of 0 (which would make a single hit "significant").
   */
  readonly rate: number;
  /** Pooled raw rate hits / trials. */
  readonly rawRate: number;
  readonly hits: number;
  readonly trials: number;
  /** Trigger accuracy of each null model. */
  readonly perModel: readonly number[];
}

/** The chance rate of unrelated (null) models sending the triggers to `target` (methods.md §3 step 3). */
export async function measureNullRate(
  models: readonly Model[],
  triggers: ImageSet,
  target: number,
  opts: PredictOptions,
): Promise<NullRate> {
  if (models.length === 0) throw new Error('measureNullRate: no null models');
  let hits = 0, trials = 0;
  const perModel: number[] = [];
  for (const m of models) {
    const r = await triggerAccuracy(m, triggers, target, opts);
    hits += r.hits;
    trials += r.n;
    perModel.push(r.accuracy);
  }
  return { rate: (hits + 1) / (trials + 2), rawRate: hits / trials, hits, trials, perModel };
}

export interface FcwVerifyOptions extends PredictOptions {
  /** Chance rate of an unrelated model (default 1 / numClasses; or measureNullRate(...).rate). */
  readonly chanceRate?: number;
  /** Decision threshold on the p-value (default 1e-6). */
  readonly threshold?: number;
}

export interface FcwVerifyResult extends TriggerAccuracy {
  readonly target: number;
  readonly chanceRate: number;
  /** P[Binomial(n, chanceRate) ≥ hits]. */
  readonly pValue: number;
  readonly log10PValue: number;
  readonly threshold: number;
  readonly detected: boolean;
}

/** Trigger accuracy, binomial p-value against the chance rate, and the verdict (p < threshold). */
export async function verifyFcw(model: Model, triggers: ImageSet, target: number, opts: FcwVerifyOptions): Promise<FcwVerifyResult> {
  const chanceRate = opts.chanceRate ?? 1 / model.config.numClasses;
  if (!(chanceRate > 0 && chanceRate < 1)) throw new RangeError(`chanceRate must be in (0, 1), got ${chanceRate}`);
  const threshold = opts.threshold ?? FCW_DEFAULT_P_THRESHOLD;
  const acc = await triggerAccuracy(model, triggers, target, opts);
  const p = triggerPValue(acc.hits, acc.n, chanceRate);
  return { ...acc, target, chanceRate, pValue: p.p, log10PValue: p.log10, threshold, detected: p.p < threshold };
}
