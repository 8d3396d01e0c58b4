import { logChoose } from '../watermark/stats/binomial';

/**
 * ln P[X ≥ k] for X ~ Binomial(n, p): log-sum-exp of the exact terms
 * ln C(n, i) + i ln p + (n − i) ln(1 − p), i = k..n. Exact up to float rounding; meant for
 * trigger sets (n up to a few thousand).
 */
export function logBinomialUpperTail(k: number, n: number, p: number): number {
  if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`n must be an integer >= 0, got ${n}`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`p must be in [0, 1], got ${p}`);
  if (k <= 0) return 0;
  if (k > n) return -Infinity;
  if (p === 0) return -Infinity;
  if (p === 1) return 0;
  const lp = Math.log(p), lq = Math.log1p(-p);
  const terms: number[] = [];
  let max = -Infinity;
  for (let i = Math.ceil(k); i <= n; i++) {
    const t = logChoose(n, i) + i * lp + (n - i) * lq;
    terms.push(t);
    if (t > max) max = t;
  }
  let sum = 0;
  for (const t of terms) sum += Math.exp(t - max);
  return Math.min(0, max + Math.log(sum));
}

/**
 * p-value of an FCW decision: the chance that an unrelated model, sending each trigger to the
 * target with probability `chanceRate`, hits at least `hits` of `n` triggers.
 * `log10` stays exact where `p` underflows to 0.
 */
export function triggerPValue(hits: number, n: number, chanceRate: number): { p: number; log10: number } {
  const ln = logBinomialUpperTail(hits, n, chanceRate);
  return { p: Math.exp(ln), log10: ln / Math.LN10 };
}
