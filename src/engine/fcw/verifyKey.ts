import type { ImageSet } from '../data/types';
import type { Model, ParamOverrides } from '../models/types';
import { checkFcwCommitment, fcwTriggersFromKey, type FcwKey } from './keyFile';
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
/** A committed key's digest, and whether its triggers were re-derived from its nonce (needs the training set). */
export type FcwCommitmentStatus = { readonly committed: true; readonly digest: string; readonly derivationChecked: boolean } | { readonly committed: false };

export async function verifyFcwKey(
  model: Model,
  key: FcwKey,
  opts: FcwKeyVerifyOptions = {},
): Promise<FcwVerifyResult & { readonly decoys?: { readonly hits: number; readonly n: number; readonly seed: number }; readonly commitment: FcwCommitmentStatus }> {
  if (model.config.numClasses !== key.numClasses) {
    throw new Error(`This FCW key is for a ${key.numClasses}-class model; this model has ${model.config.numClasses} classes.`);
  }
  const { images, target } = fcwTriggersFromKey(key, opts.trainSet);
  // A committed key's triggers must be the ones its nonce gives on this training set (else it was forged or edited).
  if (key.commitment && opts.trainSet) checkFcwCommitment(key, opts.trainSet);
  const commitment: FcwCommitmentStatus = key.commitment ? { committed: true, digest: key.commitment.digest, derivationChecked: Boolean(opts.trainSet) } : { committed: false };
  const plain = await verifyFcw(model, images, target, {
    normalization: key.normalization,
    overrides: opts.overrides,
    chanceRate: opts.chanceRate ?? key.chanceRate,
    threshold: opts.threshold,
  });
  const verdict = opts.decoys ? await decoyVerdict(model, key, plain, { ...opts.decoys, ...(opts.overrides ? { overrides: opts.overrides } : {}) }) : plain;
  return { ...verdict, commitment };
}
