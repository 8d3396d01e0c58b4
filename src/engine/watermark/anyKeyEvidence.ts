import type * as tf from '@tensorflow/tfjs-core';
import { verifyFcwKey } from '../fcw/verifyKey';
import type { ImageSet } from '../data/types';
import type { Model } from '../models/types';
import type { AnyKey } from './anyKey';
import { readKeyEvidence } from './extract';
import { verifyUchida } from './uchida';
import { judgeValues } from './verify';

/**
 * The watermark evidence of a key of any method on (possibly attacked) weights, on one scale:
 * a p-value and a verdict for every method, with the BER (WaterMAS, Uchida) or the trigger
 * accuracy (FCW) beside it. This is what one point of an attack sweep records.
 */
export type KeyEvidence =
  /** WaterMAS: `ber` counts erasures (marked weights at exactly 0, e.g. pruned) as errors; `erasureRate` is their share alone. */
  | { readonly method: 'watermas'; readonly ber: number; readonly erasureRate: number; readonly pValue: number; readonly log10PValue: number; readonly detected: boolean }
  | { readonly method: 'uchida'; readonly ber: number; readonly pValue: number; readonly log10PValue: number; readonly detected: boolean }
  | { readonly method: 'fcw'; readonly triggerAccuracy: number; readonly pValue: number; readonly log10PValue: number; readonly detected: boolean };

export interface KeyEvidenceOptions {
  /** Decision threshold on the p-value (default: each method's, 1e-6). */
  readonly threshold?: number;
  /** FCW recipe keys: the training set they name. */
  readonly trainSet?: ImageSet;
  /** FCW: chance rate to test against (default: the key's, else 1 / classes). */
  readonly chanceRate?: number;
}

/**
 * Judges `weights` (an attacked copy of the model's parameters, or the model's own) against
 * `key` without touching the model's variables: WaterMAS reads the key positions from the
 * weights, Uchida projects the marked kernel of the weights, FCW runs the model on the triggers
 * with the weights substituted (`overrides`).
 */
export async function keyEvidence(model: Model, key: AnyKey, weights: ReadonlyMap<string, tf.Tensor>, opts: KeyEvidenceOptions = {}): Promise<KeyEvidence> {
  if (key.method === 'watermas') {
    const { values, signRates } = await readKeyEvidence({ params: weights as ReadonlyMap<string, tf.Variable> }, key.key);
    const v = judgeValues(values, key.key, opts.threshold, signRates);
    return { method: 'watermas', ber: v.ber, erasureRate: v.n > 0 ? v.erasures / v.n : 0, pValue: v.pValue, log10PValue: v.log10PValue, detected: v.detected };
  }
  if (key.method === 'fcw') {
    const v = await verifyFcwKey(model, key.key, {
      overrides: weights,
      ...(opts.threshold !== undefined ? { threshold: opts.threshold } : {}),
      ...(opts.trainSet ? { trainSet: opts.trainSet } : {}),
      ...(opts.chanceRate !== undefined ? { chanceRate: opts.chanceRate } : {}),
    });
    return { method: 'fcw', triggerAccuracy: v.accuracy, pValue: v.pValue, log10PValue: v.log10PValue, detected: v.detected };
  }
  const v = await verifyUchida(model, key.key, { overrides: weights, ...(opts.threshold !== undefined ? { threshold: opts.threshold } : {}) });
  return { method: 'uchida', ber: v.ber, pValue: v.pValue, log10PValue: v.log10PValue, detected: v.detected };
}
