/** The evidence of a key of any method on weights, through the method registry. */
import type * as tf from '@tensorflow/tfjs-core';
import type { Model } from '../models/types';
import { methodOf, type KeyEvidence, type MethodKey } from './registry';
import type { KeyEvidenceOptions } from './types';

/**
 * Judges `weights` (an attacked copy of the model's parameters, or the model's own) against
 * `key` without touching the model's variables: WaterMAS reads the key positions from the
 * weights, Uchida projects the marked kernel of the weights, FCW runs the model on the triggers
 * with the weights substituted (`overrides`).
 */
export function keyEvidence(model: Model, key: MethodKey, weights: ReadonlyMap<string, tf.Tensor>, opts: KeyEvidenceOptions = {}): Promise<KeyEvidence> {
  return methodOf(key).evidence(model, key.key, weights, opts) as Promise<KeyEvidence>;
}

/** The columns of an evidence point: the BER (null for FCW), the erasure rate (WaterMAS) and the trigger accuracy (FCW). */
export function evidenceColumns(e: KeyEvidence): { readonly ber: number | null; readonly erasureRate: number | null; readonly triggerAccuracy: number | null } {
  return {
    ber: 'ber' in e ? e.ber : null,
    erasureRate: 'erasureRate' in e ? e.erasureRate : null,
    triggerAccuracy: 'triggerAccuracy' in e ? e.triggerAccuracy : null,
  };
}
