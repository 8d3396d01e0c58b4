import { describe, expect, it } from 'vitest';
import { logBinomialUpperTail, triggerPValue } from '../../../src/engine/fcw/binomialTail';

/** Direct summation with exact binomial coefficients (small n). */
function upperTail(k: number, n: number, p: number): number {
  let s = 0;
  for (let i = k; i <= n; i++) {
    let c = 1;
    for (let j = 1; j <= i; j++) c = (c * (n - i + j)) / j;
    s += c * p ** i * (1 - p) ** (n - i);
  }
  return s;
}

describe('binomial upper tail', () => {
  it('matches direct summation', () => {
    for (const [k, n, p] of [[0, 10, 0.1], [3, 10, 0.1], [10, 10, 0.1], [15, 30, 0.1], [7, 20, 0.5], [1, 5, 0.3]] as const) {
      expect(Math.exp(logBinomialUpperTail(k, n, p))).toBeCloseTo(upperTail(k, n, p), 12);
    }
  });

  it('handles edges and tiny values in log10', () => {
    expect(triggerPValue(0, 30, 0.1).p).toBe(1);
    expect(triggerPValue(31, 30, 0.1).p).toBe(0);
    expect(triggerPValue(30, 30, 0.1).log10).toBeCloseTo(-30, 10);
    const big = triggerPValue(1000, 1000, 0.1);
    expect(big.p).toBe(0);
    expect(big.log10).toBeCloseTo(-1000, 8);
    expect(() => logBinomialUpperTail(1, 10, 1.5)).toThrow(/p must/);
  });
});
