/**
 * Exact binomial tail probabilities in log space, stable for n up to ~1e6.
 */

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error ~1e-15). */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma: x must be > 0, got ${x}`);
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + LANCZOS_G + 0.5;
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ln C(n, k). */
export function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/**
 * ln P[X ≤ k] for X ~ Binomial(n, 1/2), computed exactly up to float rounding:
 * ln(Σ_{i=0..k} C(n,i)) − n ln 2 as a log-sum-exp anchored at the largest term. Terms are
 * generated from ln C(n, k) (log-gamma) by the ratio C(n,i−1)/C(n,i) = i/(n−i+1), walking down
 * from i = k, and the sum stops once terms fall below 1e-17 of the running total.
 * For k ≥ n/2 the complement P[X ≥ k+1] = P[X ≤ n−k−1] (symmetry) is subtracted from 1 instead.
 */
export function logBinomialCdfHalf(k: number, n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be an integer >= 0, got ${n}`);
  if (k < 0) return -Infinity;
  if (k >= n) return 0;
  k = Math.floor(k);
  if (2 * k >= n) {
    const upper = Math.exp(logLowerTail(n - k - 1, n));
    return Math.log1p(-upper);
  }
  return logLowerTail(k, n);
}

/** ln Σ_{i=0..k} C(n,i) 2^-n for k < n/2 (terms decrease as i falls). */
function logLowerTail(k: number, n: number): number {
  const top = logChoose(n, k);
  // sum of C(n,i)/C(n,k), i = k, k-1, ..., 0
  let sum = 1;
  let ratio = 1;
  for (let i = k; i > 0; i--) {
    ratio *= i / (n - i + 1);
    sum += ratio;
    if (ratio < 1e-17 * sum) break;
  }
  return top + Math.log(sum) - n * Math.LN2;
}

/**
 * p-value of the watermark decision (methods.md §1.6): P[Binomial(n, 1/2) ≤ errors], the chance
 * that an unrelated model matches the payload at least as well. `log10` is exact even where
 * `p` underflows to 0.
 */
export function binomialPValue(errors: number, n: number): { p: number; log10: number } {
  const ln = logBinomialCdfHalf(errors, n);
  return { p: Math.exp(ln), log10: ln / Math.LN10 };
}
