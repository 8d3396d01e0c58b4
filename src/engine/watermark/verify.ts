import type { Model } from '../models/types';
import { base64ToBytes } from './payload/base64';
import { decodeImageValues, decodeSigns, pearson } from './payload/codec';
import { calibratedBitsPValue, type SignRate } from './stats/calibration';
import { keyBits, payloadBitsFromSigns } from './embed';
import { checkKeyAgainstModel, type WatermasKey } from './keyFile';
import { readKeyEvidence } from './extract';
import { logCorrelationPValue } from './stats/normalTail';
import { bitsToString, bitsToText } from './payload/payloadBits';

/** Default decision threshold: "watermark present" when p < 1e-6. */
export const DEFAULT_P_THRESHOLD = 1e-6;

export interface TensorErrors {
  readonly tensor: string;
  readonly n: number;
  readonly errors: number;
  readonly erasures: number;
}

export interface VerifyResult {
  readonly payloadKind: 'bits' | 'text' | 'image';
  /** Number of key positions. */
  readonly n: number;
  /** Wrong sign bits, erasures included. For an image payload: sign bits [p ≥ 128]. */
  readonly errors: number;
  /** Exact zeros at key positions (each also counted in errors). */
  readonly erasures: number;
  readonly ber: number;
  /**
   * The decision p-value: P[Binomial(n, 1/2) ≤ errors] for bits/text; for an image payload the
   * one-sided Fisher-z p-value of the Pearson correlation between decoded and original image.
   */
  readonly pValue: number;
  /** log10 of pValue (exact where pValue underflows to 0). */
  readonly log10PValue: number;
  /** log10 of the calibrated p-value of the sign bits (equal to log10PValue for bits/text). */
  readonly bitsLog10PValue: number;
  /**
   * How the sign bits were judged (calibration.ts): 'poisson-binomial' with each marked
   * tensor's sign rate, or 'binomial-half' when no rates were given or all are 1/2. The plain
   * binomial(n, 1/2) log10 p-value is kept beside it for comparison.
   */
  readonly calibration: {
    readonly test: 'poisson-binomial' | 'binomial-half';
    readonly expectedErrors: number;
    readonly exact: boolean;
    readonly signRates: readonly SignRate[];
    readonly uniformLog10PValue: number;
  };
  readonly threshold: number;
  readonly detected: boolean;
  readonly perTensor: readonly TensorErrors[];
  /** Decoded payload bits as '0'/'1' (the signs, with a committed key's whitening undone). */
  readonly decodedBits: string;
  /**
   * Whether the key is committed (commitment.ts) and what a forger would face: with a committed
   * key, matching this well by trying nonces takes about 10^forgeryLog10Tries tries; an
   * uncommitted (version 1) key could have been chosen after looking at the model.
   */
  readonly commitment: { readonly committed: true; readonly digest: string; readonly forgeryLog10Tries: number } | { readonly committed: false };
  /** Decoded text (text payloads). */
  readonly message?: string;
  /** Decoded image and its correlation with the original (image payloads). */
  readonly image?: {
    readonly width: number;
    readonly height: number;
    readonly channels: number;
    readonly pixels: Uint8Array;
    readonly correlation: number;
  };
}

export interface VerifyOptions {
  /** Decision threshold on the p-value (default 1e-6). */
  readonly threshold?: number;
}

/**
 * Extracts and judges the watermark of `key` in `model` (methods.md §1.6): checks the
 * architecture (throws KeyModelMismatchError naming the first mismatching tensor), reads θ_K,
 * decodes, counts errors and erasures (exact zeros count as errors), per tensor too, and decides
 * at the threshold.
 */
export async function verifyWatermark(model: Model, key: WatermasKey, opts: VerifyOptions = {}): Promise<VerifyResult> {
  checkKeyAgainstModel(key, model);
  const threshold = opts.threshold ?? DEFAULT_P_THRESHOLD;
  const { values, signRates } = await readKeyEvidence(model, key);
  return judgeValues(values, key, threshold, signRates);
}

/**
 * The decision from already extracted key values (exported for attacks and sweeps). With the
 * marked tensors' sign rates (readKeyEvidence / signRates) the sign bits are judged by the
 * calibrated test; without, by the plain binomial(n, 1/2) test.
 */
export function judgeValues(values: Float32Array, key: WatermasKey, threshold: number = DEFAULT_P_THRESHOLD, signRates?: readonly SignRate[]): VerifyResult {
  const expected = keyBits(key);
  const n = values.length;
  if (expected.length !== n) throw new RangeError(`Key has ${expected.length} payload bits for ${n} values.`);
  const { bits, erased } = decodeSigns(values);
  let errors = 0, erasures = 0, o = 0;
  const perTensor: TensorErrors[] = [];
  for (const g of key.positions) {
    let te = 0, tz = 0;
    for (let j = 0; j < g.indices.length; j++, o++) {
      if (erased[o]) {
        tz++;
        te++;
      } else if (bits[o] !== expected[o]) te++;
    }
    perTensor.push({ tensor: g.tensor, n: g.indices.length, errors: te, erasures: tz });
    errors += te;
    erasures += tz;
  }
  const bitsP = calibratedBitsPValue(expected, key.positions, signRates, errors);
  const uniform = calibratedBitsPValue(expected, key.positions, undefined, errors);
  const calibrated = (signRates ?? []).some((r) => r.positiveFraction !== 0.5);
  const base = {
    n,
    errors,
    erasures,
    ber: errors / n,
    bitsLog10PValue: bitsP.log10,
    calibration: {
      test: calibrated ? ('poisson-binomial' as const) : ('binomial-half' as const),
      expectedErrors: bitsP.expectedErrors,
      exact: bitsP.exact,
      signRates: signRates ?? [],
      uniformLog10PValue: uniform.log10,
    },
    threshold,
    perTensor,
    decodedBits: bitsToString(payloadBitsFromSigns(key, bits)),
    commitment: key.commitment ? { committed: true as const, digest: key.commitment.digest, forgeryLog10Tries: Math.max(0, -bitsP.log10) } : { committed: false as const },
  };
  const p = key.payload;
  if (p.kind === 'image') {
    const original = base64ToBytes(p.pixels);
    const pixels = decodeImageValues(values, key.codec.scale);
    const correlation = pearson(original, pixels);
    const log10 = logCorrelationPValue(correlation, n) / Math.LN10;
    const pValue = Math.pow(10, log10);
    return {
      ...base,
      payloadKind: 'image',
      pValue,
      log10PValue: log10,
      detected: pValue < threshold,
      image: { width: p.width, height: p.height, channels: p.channels, pixels, correlation },
    };
  }
  return {
    ...base,
    payloadKind: p.kind,
    pValue: bitsP.p,
    log10PValue: bitsP.log10,
    detected: bitsP.p < threshold,
    ...(p.kind === 'text' ? { message: bitsToText(payloadBitsFromSigns(key, bits)) } : {}),
  };
}

export interface NullCalibration {
  /** Number of null (unwatermarked) models. */
  readonly models: number;
  /** Null models the verdict wrongly called watermarked. */
  readonly falsePositives: number;
  readonly falsePositiveRate: number;
  readonly bers: readonly number[];
  readonly log10PValues: readonly number[];
  readonly berMean: number;
  readonly berStd: number;
  readonly berMin: number;
  readonly berMax: number;
}

/**
 * Null-model calibration (methods.md §1.6): verifies the key against independently trained,
 * unwatermarked models of the same architecture and reports the empirical false-positive rate
 * of the verdict and the BER distribution (expected around 0.5).
 */
export async function calibrateNull(key: WatermasKey, models: readonly Model[], opts: VerifyOptions = {}): Promise<NullCalibration> {
  if (models.length === 0) throw new Error('calibrateNull needs at least one null model.');
  const bers: number[] = [];
  const logs: number[] = [];
  let fp = 0;
  for (const m of models) {
    const r = await verifyWatermark(m, key, opts);
    bers.push(r.ber);
    logs.push(r.log10PValue);
    if (r.detected) fp++;
  }
  const mean = bers.reduce((s, v) => s + v, 0) / bers.length;
  const std = Math.sqrt(bers.reduce((s, v) => s + (v - mean) ** 2, 0) / bers.length);
  return {
    models: models.length,
    falsePositives: fp,
    falsePositiveRate: fp / models.length,
    bers,
    log10PValues: logs,
    berMean: mean,
    berStd: std,
    berMin: Math.min(...bers),
    berMax: Math.max(...bers),
  };
}
