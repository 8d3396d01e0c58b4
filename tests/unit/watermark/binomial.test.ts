import { describe, expect, it } from 'vitest';
import { binomialPValue, logBinomialCdfHalf, logGamma } from '../../../src/engine/watermark/stats/binomial';
import { logCorrelationPValue, logNormalUpperTail } from '../../../src/engine/watermark/stats/normalTail';

function exactCdf(k: number, n: number): number {
  // exact rational Σ C(n,i) / 2^n with BigInt
  let c = 1n, sum = 0n;
  for (let i = 0; i <= k; i++) {
    sum += c;
    c = (c * BigInt(n - i)) / BigInt(i + 1);
  }
  return Number(sum) / 2 ** n;
}

describe('binomial p-value', () => {
  it('logGamma matches factorials', () => {
    let f = 0;
    for (let n = 1; n <= 30; n++) {
      f += Math.log(n);
      expect(logGamma(n + 1)).toBeCloseTo(f, 10);
    }
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
  });

  it('matches the exact binomial sum for n = 20, every k', () => {
    for (let k = -1; k <= 21; k++) {
      const exact = k < 0 ? 0 : k >= 20 ? 1 : exactCdf(k, 20);
      const { p } = binomialPValue(k, 20);
      if (exact === 0) expect(p).toBe(0);
      else expect(Math.abs(p - exact) / exact).toBeLessThan(1e-12);
    }
  });

  it('matches exact sums for other small n, both tails', () => {
    for (const n of [1, 2, 7, 33, 64]) {
      for (let k = 0; k < n; k++) {
        const exact = exactCdf(k, n);
        expect(Math.abs(binomialPValue(k, n).p - exact) / exact).toBeLessThan(1e-11);
      }
    }
  });

  it('is stable in log space for n up to 1e5', () => {
    const n = 100_000;
    // errors = 0: p = 2^-n exactly
    expect(binomialPValue(0, n).log10).toBeCloseTo(-n * Math.log10(2), 6);
    expect(binomialPValue(0, n).p).toBe(0);
    // errors = n/2: symmetric, slightly above 1/2
    const mid = Math.exp(logBinomialCdfHalf(n / 2, n));
    expect(mid).toBeGreaterThan(0.5);
    expect(mid).toBeLessThan(0.5 + 0.002);
    // errors = n/2 - 3 sd ~ normal tail 0.00135
    const k = n / 2 - 3 * Math.sqrt(n / 4);
    const p = binomialPValue(Math.floor(k), n).p;
    expect(p).toBeGreaterThan(0.0011);
    expect(p).toBeLessThan(0.0016);
    // monotone in k
    let prev = -Infinity;
    for (let e = 0; e <= n; e += 997) {
      const l = logBinomialCdfHalf(e, n);
      expect(l).toBeGreaterThanOrEqual(prev);
      expect(Number.isFinite(l) || l === 0).toBe(true);
      prev = l;
    }
  });
});

describe('normal tail', () => {
  it('matches known values and stays finite far out', () => {
    expect(Math.exp(logNormalUpperTail(0))).toBeCloseTo(0.5, 6);
    expect(Math.exp(logNormalUpperTail(1.959964))).toBeCloseTo(0.025, 6);
    expect(Math.exp(logNormalUpperTail(-1.959964))).toBeCloseTo(0.975, 6);
    // z = 40: ln p ≈ -z²/2 - ln(z√(2π)) + ln(1 - 1/z² + 3/z⁴) (asymptotic series)
    const z = 40;
    expect(logNormalUpperTail(z)).toBeCloseTo(-z * z / 2 - Math.log(z * Math.sqrt(2 * Math.PI)) + Math.log(1 - 1 / z ** 2 + 3 / z ** 4), 5);
    expect(logCorrelationPValue(0, 100)).toBeCloseTo(Math.log(0.5), 6);
    expect(logCorrelationPValue(0.99, 1000)).toBeLessThan(Math.log(1e-100));
  });
});
