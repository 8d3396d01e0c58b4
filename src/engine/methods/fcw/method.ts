/** The function-coupled watermark (FCW, methods.md §3) as a registry entry. */
import { FcwKeySchema, parseFcwKeyFile, serializeFcwKey, type FcwKey } from '../../fcw/keyFile';
import { verifyFcwKey } from '../../fcw/verifyKey';
import { KeyFileError } from '../../watermark/keyFile';
import type { WatermarkMethod } from '../types';
import { FCW_INFO } from './info';
import { fcwConfigOf, startFcw, validateFcwConfig } from './session';

export interface FcwEvidence {
  readonly method: 'fcw';
  readonly triggerAccuracy: number;
  readonly pValue: number;
  readonly log10PValue: number;
  readonly detected: boolean;
}

/** An uploaded model verified against an FCW key (runs the runnable model on the triggers). */
export interface FcwUploadVerification {
  readonly method: 'fcw';
  readonly keyFile: string;
  readonly result: Awaited<ReturnType<typeof verifyFcwKey>>;
}

export const FCW: WatermarkMethod<'fcw', FcwKey, FcwEvidence, FcwUploadVerification> = {
  ...FCW_INFO,
  validateConfig: (config) => validateFcwConfig(fcwConfigOf(config)),
  startSession: async (model, config, ctx) => startFcw(model, config, ctx),
  keySchema: FcwKeySchema,
  parseKeyFile: parseFcwKeyFile,
  serializeKey: serializeFcwKey,
  /** A black-box key: only the number of classes must match. */
  checkKeyAgainstModel(key, model) {
    if (key.numClasses !== model.config.numClasses) {
      throw new Error(`this FCW key is for a ${key.numClasses}-class model; the model has ${model.config.numClasses} classes`);
    }
  },
  keyArch: (key) => key.arch,
  keyMetadata: (key) => ({ method: 'fcw', triggersSha256: key.pixelsSha256, keyCreatedAt: key.createdAt }),
  markedPositions: () => undefined,
  replicasInForce: () => null,

  async evidence(model, key, weights, opts) {
    // The model runs on the triggers with the weights substituted (`overrides`).
    const v = await verifyFcwKey(model, key, {
      overrides: weights,
      ...(opts.threshold !== undefined ? { threshold: opts.threshold } : {}),
      ...(opts.trainSet ? { trainSet: opts.trainSet } : {}),
      ...(opts.chanceRate !== undefined ? { chanceRate: opts.chanceRate } : {}),
    });
    return { method: 'fcw', triggerAccuracy: v.accuracy, pValue: v.pValue, log10PValue: v.log10PValue, detected: v.detected };
  },

  needsRunnableModel: true,
  async verifyUpload({ model, keyFile, format, threshold }, key) {
    if (!model) throw new KeyFileError('wrong-method', `${keyFile}: a function-coupled (trigger-set) key needs a runnable model (the lab's model.json + weights.bin), not a ${format} file.`);
    try {
      const result = await verifyFcwKey(model, key, threshold !== undefined ? { threshold } : {});
      return { method: 'fcw', keyFile, result };
    } finally {
      model.dispose();
    }
  },

  uploadVerdict({ method, keyFile, result: r }) {
    return {
      method, keyFile,
      detected: r.detected, n: r.n, errors: r.n - r.hits, erasures: 0, ber: null, triggerAccuracy: r.accuracy,
      pValue: r.pValue, log10PValue: r.log10PValue, threshold: r.threshold, perTensor: [],
    };
  },
  verifyReport: ({ result }) => ({ ...result, predictions: Array.from(result.predictions) }),
};
