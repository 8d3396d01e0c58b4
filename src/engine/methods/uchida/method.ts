/** Uchida et al. 2017 (methods.md §4) as a registry entry. */
import { KeyFileError, KeyModelMismatchError } from '../../watermark/keyFile';
import { UchidaKeySchema, checkUchidaKeyAgainstModel, parseUchidaKeyFile, serializeUchidaKey, verifyUchida, type UchidaKey, type UchidaVerifyResult } from '../../watermark/uchida';
import type { WatermarkMethod } from '../types';
import { UCHIDA_INFO } from './info';
import { bitVerdict } from '../verdict';
import { startUchida, validateUchidaConfig } from './session';

export interface UchidaEvidence {
  readonly method: 'uchida';
  readonly ber: number;
  readonly pValue: number;
  readonly log10PValue: number;
  readonly detected: boolean;
}

/** An uploaded model verified against an Uchida key (projects the marked kernel of the runnable model). */
export interface UchidaUploadVerification {
  readonly method: 'uchida';
  readonly keyFile: string;
  readonly result: UchidaVerifyResult;
}

export const UCHIDA: WatermarkMethod<'uchida', UchidaKey, UchidaEvidence, UchidaUploadVerification> = {
  ...UCHIDA_INFO,
  validateConfig: validateUchidaConfig,
  startSession: (model, config) => startUchida(model, config),
  keySchema: UchidaKeySchema,
  parseKeyFile: parseUchidaKeyFile,
  serializeKey: serializeUchidaKey,
  checkKeyAgainstModel: checkUchidaKeyAgainstModel,
  keyArch: (key) => key.architecture.arch,
  keyMetadata: (key) => ({ method: 'uchida', fingerprint: key.architecture.fingerprint, keyCreatedAt: key.createdAt }),
  markedPositions: () => undefined,
  replicasInForce: () => null,

  async evidence(model, key, weights, opts) {
    // The marked kernel is projected from the weights (`overrides`), not from the model's variables.
    const v = await verifyUchida(model, key, { overrides: weights, ...(opts.threshold !== undefined ? { threshold: opts.threshold } : {}) });
    return { method: 'uchida', ber: v.ber, pValue: v.pValue, log10PValue: v.log10PValue, detected: v.detected };
  },

  needsRunnableModel: true,
  async verifyUpload({ model, keyFile, format, threshold }, key) {
    if (!model) throw new KeyFileError('wrong-method', `${keyFile}: an Uchida key needs a runnable model (the lab's model.json + weights.bin), not a ${format} file.`);
    try {
      checkUchidaKeyAgainstModel(key, model);
    } catch (e) {
      model.dispose();
      if (e instanceof KeyModelMismatchError) throw new KeyModelMismatchError(e.tensor, `${keyFile}: ${e.message}`);
      throw e;
    }
    try {
      const result = await verifyUchida(model, key, threshold !== undefined ? { threshold } : {});
      return { method: 'uchida', keyFile, result };
    } finally {
      model.dispose();
    }
  },

  uploadVerdict({ method, keyFile, result: r }) {
    return { method, keyFile, ...bitVerdict(r), perTensor: [], payloadKind: r.message !== undefined ? 'text' : 'bits', decodedBits: r.decodedBits };
  },
  verifyReport: ({ result }) => ({ ...result }),
};
