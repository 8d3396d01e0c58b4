import type * as tf from '@tensorflow/tfjs-core';
import { readFile } from 'node:fs/promises';
import { verifyFcwKey } from '../engine/fcw';
import type { Model } from '../engine/models/types';
import {
  checkKeyAgainstModel,
  checkUchidaKeyAgainstModel,
  judgeValues,
  parseAnyKeyFile,
  readKeyValues,
  verifyUchida,
  type AnyKey,
} from '../engine/watermark';
import { readModelFile } from './modelFiles';

/**
 * Reads a model and a key of any method (WaterMAS, Uchida, FCW) and checks that they belong
 * together: architecture fingerprint (WaterMAS), the marked layer's shape (Uchida), the number
 * of classes (FCW, a black-box key).
 */
export async function readModelAndAnyKey(modelPath: string, keyPath: string): Promise<{ model: Model; key: AnyKey }> {
  const keyText = await readFile(keyPath, 'utf8').catch(() => {
    throw new Error(`${keyPath}: no such key file`);
  });
  const key = parseAnyKeyFile(keyText);
  const model = await readModelFile(modelPath);
  try {
    if (key.method === 'watermas') checkKeyAgainstModel(key.key, model);
    else if (key.method === 'uchida') checkUchidaKeyAgainstModel(key.key, model);
    else if (key.key.numClasses !== model.config.numClasses) {
      throw new Error(`${keyPath}: this FCW key is for a ${key.key.numClasses}-class model; the model has ${model.config.numClasses} classes`);
    }
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, key };
}

/** The watermark evidence of a key on (possibly attacked) weights: the metrics of one sweep point. */
export type KeyEvidence =
  | { readonly method: 'watermas' | 'uchida'; readonly ber: number; readonly pValue: number; readonly detected: boolean }
  | { readonly method: 'fcw'; readonly triggerAccuracy: number; readonly pValue: number; readonly detected: boolean };

/**
 * Judges `weights` (an attacked copy of the model's parameters) against the key, without
 * touching the model's own variables.
 */
export async function keyEvidence(model: Model, key: AnyKey, weights: ReadonlyMap<string, tf.Tensor>): Promise<KeyEvidence> {
  if (key.method === 'watermas') {
    const v = judgeValues(await readKeyValues({ params: weights as ReadonlyMap<string, tf.Variable> }, key.key), key.key);
    return { method: 'watermas', ber: v.ber, pValue: v.pValue, detected: v.detected };
  }
  if (key.method === 'fcw') {
    const v = await verifyFcwKey(model, key.key, { overrides: weights });
    return { method: 'fcw', triggerAccuracy: v.accuracy, pValue: v.pValue, detected: v.detected };
  }
  // verifyUchida reads `model.params` (and paramInfo/config for the shape check) and has no
  // overrides option: give it a view of the model whose params are the attacked weights. It only
  // reads the marked tensor's shape and values, which a plain tensor has as well as a variable.
  const view: Model = Object.create(model, { params: { value: weights } }) as Model;
  const v = await verifyUchida(view, key.key);
  return { method: 'uchida', ber: v.ber, pValue: v.pValue, detected: v.detected };
}

/** One line for the progress log, from a sweep point's metrics (KeyEvidence fields). */
export function describeEvidence(m: Readonly<Record<string, number | boolean>>): string {
  const p = `p ${Number(m.pValue).toExponential(2)}`;
  return typeof m.triggerAccuracy === 'number' ? `trigger accuracy ${(100 * m.triggerAccuracy).toFixed(1)}% ${p}` : `ber ${Number(m.ber).toFixed(4)} ${p}`;
}
