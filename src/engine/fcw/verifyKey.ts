import type { ImageSet } from '../data/types';
import type { Model, ParamOverrides } from '../models/types';
import { fcwTriggersFromKey, type FcwKey } from './keyFile';
import { decoyVerdict, type DecoyOptions } from './decoys';
import { verifyFcw, type FcwVerifyResult } from './verify';

export interface FcwKeyVerifyOptions {
  /** The training set named by a recipe key (unused for pixel keys). */
  readonly trainSet?: ImageSet;
  /** Attacked weights to evaluate instead of the model's own. */
  readonly overrides?: ParamOverrides;
  /** Overrides the key's chance rate (default: the key's, else 1 / numClasses). */
  readonly chanceRate?: number;
  readonly threshold?: number;
  /** Judge against decoys made by the key's recipe on this model (decoys.ts) instead of a chance rate. */
  readonly decoys?: DecoyOptions;
}

/** Verifies a model against an FCW key: triggers and normalisation from the key, then verifyFcw. */
export async function verifyFcwKey(model: Model, key: FcwKey, opts: FcwKeyVerifyOptions = {}): Promise<FcwVerifyResult & { readonly decoys?: { readonly hits: number; readonly n: number; readonly seed: number } }> {
  if (model.config.numClasses !== key.numClasses) {
    throw new Error(`This FCW key is for a ${key.numClasses}-class model; this model has ${model.config.numClasses} classes.`);
  }
  const { images, target } = fcwTriggersFromKey(key, opts.trainSet);
  const plain = await verifyFcw(model, images, target, {
    normalization: key.normalization,
    overrides: opts.overrides,
    chanceRate: opts.chanceRate ?? key.chanceRate,
    threshold: opts.threshold,
  });
  return opts.decoys ? decoyVerdict(model, key, plain, { ...opts.decoys, ...(opts.overrides ? { overrides: opts.overrides } : {}) }) : plain;
}
