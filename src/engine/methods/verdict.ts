/** What the bit-mark methods (WaterMAS, Uchida) share in their verdicts on an uploaded model. */
import type { UchidaVerifyResult } from '../watermark/uchida';
import type { VerifyResult } from '../watermark/verify';

/** The bit-error verdict WaterMAS and Uchida share: detection, counts, BER and the test's p-value. */
export function bitVerdict(r: VerifyResult | UchidaVerifyResult) {
  return {
    detected: r.detected, n: r.n, errors: r.errors, erasures: r.erasures, ber: r.ber,
    pValue: r.pValue, log10PValue: r.log10PValue, threshold: r.threshold,
    ...(r.message !== undefined ? { message: r.message } : {}),
    commitment: r.commitment,
  };
}

/** The bit-error part of a training run's report (WatermarkReport) that WaterMAS and Uchida share. */
export function bitReport(r: VerifyResult | UchidaVerifyResult) {
  return {
    bits: r.n, errors: r.errors, erasures: r.erasures, ber: r.ber,
    pValue: r.pValue, log10PValue: r.log10PValue, threshold: r.threshold, detected: r.detected,
    ...(r.message !== undefined ? { message: r.message } : {}),
  };
}
