import { binomialPValue } from './binomial';
import { logNormalUpperTail } from './normalTail';
import type { PositionGroup } from '../keys';

/**
 * Calibrated evidence for sign-bit marks (README "When is a mark present?").
 *
 * The plain test, P[Binomial(n, 1/2) ≤ errors], assumes that an unmarked weight matches a key
 * bit with probability 1/2. Trained weights lean to one sign (unmarked trained CNN kernels are
 * 40–46 % positive), and text payloads are unbalanced ('@' is 01000000), so an unmarked model
 * then matches more than half of the bits and the plain test calls it marked far more often
 * than its threshold says. The calibrated test takes each position's own chance of a mismatch
 * under "not marked": with f_t the share of positive weights among the unmarked, non-zero
 * weights of the position's tensor t (estimated from the model under test itself), an expected
 * 1 mismatches with probability 1 − f_t and an expected 0 with probability f_t. The number of
 * errors is then Poisson-binomial, and p = P[E ≤ errors] is computed exactly (dynamic
 * programming over the error count, rescaled so tails far below 1e-300 keep their log), or for
 * very large keys with a normal approximation (flagged `exact: false`). With f_t = 1/2 it is
 * the plain binomial test, bit for bit.
 */

/** Tensors with fewer unmarked non-zero weights than this use f = 1/2 (too few to estimate). */
export const MIN_SIGN_SAMPLE = 64;

/** Work bound of the exact computation (positions × error count); beyond it, the normal approximation. */
const EXACT_WORK_LIMIT = 20_000_000;

export interface SignRate {
  readonly tensor: string;
  /** Share of positive weights among the unmarked, non-zero weights of the tensor (1/2 when too few). */
  readonly positiveFraction: number;
  /** How many weights it was estimated from. */
  readonly sample: number;
}

/** Per-tensor sign rates of the unmarked weights, for the key's tensors. `valuesOf` gives a tensor's flat values. */
export function signRates(positions: readonly PositionGroup[], valuesOf: (tensor: string) => ArrayLike<number> | undefined): SignRate[] {
  const marked = new Map<string, Set<number>>();
  for (const g of positions) {
    const set = marked.get(g.tensor) ?? new Set<number>();
    for (const i of g.indices) set.add(i);
    marked.set(g.tensor, set);
  }
  const out: SignRate[] = [];
  for (const [tensor, skip] of marked) {
    const w = valuesOf(tensor);
    let positive = 0, sample = 0;
    if (w) {
      for (let i = 0; i < w.length; i++) {
        const v = w[i];
        if (v === 0 || skip.has(i) || !Number.isFinite(v)) continue;
        sample++;
        if (v > 0) positive++;
      }
    }
    out.push({ tensor, positiveFraction: sample >= MIN_SIGN_SAMPLE ? positive / sample : 0.5, sample });
  }
  return out;
}

export interface CalibratedPValue {
  readonly p: number;
  /** log10 of p, exact where p underflows. */
  readonly log10: number;
  /** Expected errors of an unmarked model (the null mean; n/2 for the plain test). */
  readonly expectedErrors: number;
  /** False when the normal approximation was used (very large keys). */
  readonly exact: boolean;
}

/**
 * P[E ≤ errors] for E = Σ Bernoulli(r_i), r_i = each position's mismatch probability under the
 * null. Exact (rescaled dynamic programming) while positions × (errors + 1) ≤ 2e7.
 */
export function poissonBinomialLowerTail(rates: ArrayLike<number>, errors: number): CalibratedPValue {
  const n = rates.length;
  let mean = 0, variance = 0;
  for (let i = 0; i < n; i++) {
    mean += rates[i];
    variance += rates[i] * (1 - rates[i]);
  }
  if (errors < 0) return { p: 0, log10: -Infinity, expectedErrors: mean, exact: true };
  if (errors >= n) return { p: 1, log10: 0, expectedErrors: mean, exact: true };
  const k = Math.floor(errors);
  if (n * (k + 1) > EXACT_WORK_LIMIT) {
    // Normal approximation with continuity correction (keys of many thousands of bits).
    const z = (k + 0.5 - mean) / Math.sqrt(Math.max(variance, 1e-300));
    const ln = logNormalUpperTail(-z); // ln Φ(z)
    return { p: Math.exp(ln), log10: ln / Math.LN10, expectedErrors: mean, exact: false };
  }
  // dp[j] ∝ P[j errors so far], j ≤ k (counts above k never come back, so they are dropped).
  const dp = new Float64Array(k + 1);
  dp[0] = 1;
  let logScale = 0;
  let top = 0; // highest reachable count
  for (let i = 0; i < n; i++) {
    const r = rates[i];
    const q = 1 - r;
    top = Math.min(k, top + 1);
    for (let j = top; j > 0; j--) dp[j] = dp[j] * q + dp[j - 1] * r;
    dp[0] *= q;
    // Rescale now and then so the kept mass never underflows.
    if ((i & 31) === 31 || i === n - 1) {
      let max = 0;
      for (let j = 0; j <= top; j++) if (dp[j] > max) max = dp[j];
      if (max === 0) return { p: 0, log10: -Infinity, expectedErrors: mean, exact: true };
      for (let j = 0; j <= top; j++) dp[j] /= max;
      logScale += Math.log(max);
    }
  }
  let sum = 0;
  for (let j = 0; j <= k; j++) sum += dp[j];
  const ln = Math.min(0, Math.log(sum) + logScale);
  return { p: Math.exp(ln), log10: ln / Math.LN10, expectedErrors: mean, exact: true };
}

/**
 * The calibrated p-value of `errors` mismatches between the decoded signs and `expected` (key
 * order), given each tensor's sign rate; without rates (or all at 1/2) the plain binomial test.
 */
export function calibratedBitsPValue(expected: Uint8Array, positions: readonly PositionGroup[], rates: readonly SignRate[] | undefined, errors: number): CalibratedPValue {
  const n = expected.length;
  const byTensor = new Map((rates ?? []).map((r) => [r.tensor, r.positiveFraction]));
  const perPosition = new Float64Array(n);
  let o = 0;
  let uniform = true;
  for (const g of positions) {
    const f = byTensor.get(g.tensor) ?? 0.5;
    if (f !== 0.5) uniform = false;
    for (let j = 0; j < g.indices.length; j++, o++) perPosition[o] = expected[o] ? 1 - f : f;
  }
  if (uniform) {
    const b = binomialPValue(errors, n);
    return { ...b, expectedErrors: n / 2, exact: true };
  }
  return poissonBinomialLowerTail(perPosition, errors);
}
