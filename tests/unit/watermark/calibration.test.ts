import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/engine/random/rng';
import { binomialPValue } from '../../../src/engine/watermark/stats/binomial';
import { calibratedBitsPValue, poissonBinomialLowerTail, signRates } from '../../../src/engine/watermark/stats/calibration';
import { textToBits } from '../../../src/engine/watermark/payload/payloadBits';

describe('Poisson-binomial lower tail (the calibrated test)', () => {
  it('equals the binomial(n, 1/2) test when every rate is 1/2', () => {
    for (const [n, k] of [[30, 5], [256, 100], [256, 0], [1000, 480], [2048, 900]]) {
      const p = poissonBinomialLowerTail(new Float64Array(n).fill(0.5), k);
      expect(p.exact).toBe(true);
      expect(p.log10).toBeCloseTo(binomialPValue(k, n).log10, 9);
    }
  });

  it('matches brute-force enumeration on 12 positions with unequal rates', () => {
    const rng = new Rng(3);
    const rates = Array.from({ length: 12 }, () => 0.05 + 0.9 * rng.float());
    const exact = new Float64Array(13);
    for (let mask = 0; mask < 1 << 12; mask++) {
      let p = 1, e = 0;
      for (let i = 0; i < 12; i++) {
        if (mask & (1 << i)) {
          p *= rates[i];
          e++;
        } else p *= 1 - rates[i];
      }
      exact[e] += p;
    }
    let cdf = 0;
    for (let k = 0; k <= 12; k++) {
      cdf += exact[k];
      expect(poissonBinomialLowerTail(rates, k).p).toBeCloseTo(Math.min(1, cdf), 12);
    }
  });

  it('keeps the log of tails far below the float range', () => {
    const p = poissonBinomialLowerTail(new Float64Array(3000).fill(0.6), 0);
    expect(p.p).toBe(0);
    expect(p.log10).toBeCloseTo(3000 * Math.log10(0.4), 6);
  });
});

describe('sign-biased weights and an unbalanced payload (the "@" x 250 case)', () => {
  // Null models: tensors whose weights are positive with probability 0.42 (trained kernels lean
  // to one sign), never marked; the key: 250 '@' (2,000 bits, 12.5 % ones) at random positions.
  const bits = textToBits('@'.repeat(250));
  const draws = 300;
  const size = 20_000;

  function nullDraws() {
    const rng = new Rng(11);
    const plain: number[] = [];
    const calibrated: number[] = [];
    for (let d = 0; d < draws; d++) {
      const w = new Float32Array(size);
      for (let i = 0; i < size; i++) w[i] = (rng.float() < 0.42 ? 1 : -1) * (0.01 + rng.float());
      const indices = Array.from(rng.permutation(size).subarray(0, bits.length)).sort((a, b) => a - b);
      const positions = [{ tensor: 'fc1/kernel', indices }];
      let errors = 0;
      indices.forEach((i, j) => {
        if ((w[i] > 0 ? 1 : 0) !== bits[j]) errors++;
      });
      const rates = signRates(positions, () => w);
      plain.push(calibratedBitsPValue(bits, positions, undefined, errors).p);
      calibrated.push(calibratedBitsPValue(bits, positions, rates, errors).p);
    }
    return { plain, calibrated };
  }

  it('the plain test calls most unmarked models marked; the calibrated one none, with p-values close to uniform', () => {
    const { plain, calibrated } = nullDraws();
    const rate = (ps: number[], t: number) => ps.filter((p) => p < t).length / ps.length;
    expect(rate(plain, 1e-6)).toBeGreaterThan(0.5); // the miscalibration the issue measured on real models
    expect(rate(calibrated, 1e-6)).toBe(0);
    // calibrated: about 5 % below 0.05 and 50 % below 0.5 (binomial spread over 300 draws)
    expect(rate(calibrated, 0.05)).toBeGreaterThan(0.01);
    expect(rate(calibrated, 0.05)).toBeLessThan(0.1);
    expect(rate(calibrated, 0.5)).toBeGreaterThan(0.4);
    expect(rate(calibrated, 0.5)).toBeLessThan(0.6);
  });

  it('a marked model is still detected by the calibrated test', () => {
    const rng = new Rng(5);
    const w = new Float32Array(size);
    for (let i = 0; i < size; i++) w[i] = (rng.float() < 0.42 ? 1 : -1) * (0.01 + rng.float());
    const indices = Array.from(rng.permutation(size).subarray(0, bits.length)).sort((a, b) => a - b);
    indices.forEach((i, j) => (w[i] = (bits[j] ? 1 : -1) * Math.abs(w[i])));
    const positions = [{ tensor: 'fc1/kernel', indices }];
    const p = calibratedBitsPValue(bits, positions, signRates(positions, () => w), 0);
    expect(p.log10).toBeLessThan(-300);
    // marks are left out of the rate: it is the unmarked weights' share
    expect(signRates(positions, () => w)[0].sample).toBe(size - bits.length);
  });
});
