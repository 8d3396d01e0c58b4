/** WaterMAS (this lab's method, methods.md §2) as a registry entry. */
import { verifyTensors } from '../../io/verifyTensors';
import { readKeyEvidence } from '../../watermark/extract';
import { KeyFileSchema, KeyModelMismatchError, checkKeyAgainstModel, objectiveInForce, parseKeyFile, serializeKey, type WatermasKey } from '../../watermark/keyFile';
import { judgeValues, type VerifyResult } from '../../watermark/verify';
import type * as tf from '@tensorflow/tfjs-core';
import type { WatermarkMethod } from '../types';
import { WATERMAS_INFO } from './info';
import { bitVerdict } from '../verdict';
import { startWatermasSession, validateWatermasConfig } from './session';

/** WaterMAS evidence: `ber` counts erasures (marked weights at exactly 0, e.g. pruned) as errors; `erasureRate` is their share alone. */
export interface WatermasEvidence {
  readonly method: 'watermas';
  readonly ber: number;
  readonly erasureRate: number;
  readonly pValue: number;
  readonly log10PValue: number;
  readonly detected: boolean;
}

/** An uploaded model verified against a WaterMAS key (on its tensors: no runnable model needed). */
export interface WatermasUploadVerification {
  readonly method: 'watermas';
  readonly keyFile: string;
  readonly result: VerifyResult;
}

export const WATERMAS: WatermarkMethod<'watermas', WatermasKey, WatermasEvidence, WatermasUploadVerification> = {
  ...WATERMAS_INFO,
  validateConfig: validateWatermasConfig,
  startSession: startWatermasSession,
  keySchema: KeyFileSchema,
  parseKeyFile,
  serializeKey,
  checkKeyAgainstModel,
  keyArch: (key) => key.architecture.arch,
  keyMetadata: (key) => ({ method: 'watermas', fingerprint: key.architecture.fingerprint, keyCreatedAt: key.createdAt }),
  markedPositions: (key) => key.positions,
  replicasInForce: (key) => objectiveInForce(key).replicas,

  async evidence(_model, key, weights, opts) {
    // The key positions are read from the weights themselves.
    const { values, signRates } = await readKeyEvidence({ params: weights as ReadonlyMap<string, tf.Variable> }, key);
    const v = judgeValues(values, key, opts.threshold, signRates);
    return { method: 'watermas', ber: v.ber, erasureRate: v.n > 0 ? v.erasures / v.n : 0, pValue: v.pValue, log10PValue: v.log10PValue, detected: v.detected };
  },

  needsRunnableModel: false,
  async verifyUpload(upload, key) {
    upload.model?.dispose();
    let result: VerifyResult;
    try {
      result = verifyTensors(upload.tensors, key, { file: upload.file, ...(upload.threshold !== undefined ? { threshold: upload.threshold } : {}) });
    } catch (e) {
      if (e instanceof KeyModelMismatchError) throw new KeyModelMismatchError(e.tensor, `${upload.keyFile}: ${e.message}`);
      throw e;
    }
    return { method: 'watermas', keyFile: upload.keyFile, result };
  },

  uploadVerdict({ method, keyFile, result: r }) {
    return {
      method, keyFile,
      ...bitVerdict(r),
      perTensor: r.perTensor.map((t) => ({ tensor: t.tensor, n: t.n, errors: t.errors, erasures: t.erasures })),
      payloadKind: r.payloadKind, decodedBits: r.decodedBits,
      ...(r.image ? { image: { ...r.image } } : {}),
      calibration: {
        test: r.calibration.test,
        signRates: r.calibration.signRates.map((s) => ({ tensor: s.tensor, positiveFraction: s.positiveFraction })),
        uniformLog10PValue: r.calibration.uniformLog10PValue,
      },
    };
  },
  verifyReport({ result: r }) {
    return {
      bits: r.n,
      errors: r.errors,
      erasures: r.erasures,
      ber: r.ber,
      pValue: r.pValue,
      log10PValue: r.log10PValue,
      threshold: r.threshold,
      detected: r.detected,
      calibration: r.calibration,
      commitment: r.commitment.committed
        ? { ...r.commitment, note: `committed key: a forger trying nonces would need about 10^${Math.round(r.commitment.forgeryLog10Tries)} tries to match this well; publish the digest before releasing the model` }
        : { committed: false, note: 'uncommitted (version 1) key: its positions could have been chosen after looking at the model, so it is forgeable evidence' },
      payload: r.payloadKind,
      ...(r.message !== undefined ? { message: r.message } : {}),
      ...(r.image ? { imageCorrelation: r.image.correlation } : {}),
      perTensor: r.perTensor,
    };
  },
};
