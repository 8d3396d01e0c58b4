import { describe, expect, it } from 'vitest';
import { niceAxis } from '../../../src/ui/common/chartAxis';

describe('niceAxis', () => {
  it('rounds the domain out to nice values with evenly spaced round ticks', () => {
    const a = niceAxis([1.98, 2.4, 4.9]);
    expect(a.domain).toEqual([1.5, 5]);
    expect(a.ticks).toEqual([1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5]);
    const steps = a.ticks.slice(1).map((t, i) => t - a.ticks[i]!);
    for (const s of steps) expect(s).toBeCloseTo(0.5, 12);
    expect(a.ticks.map(a.format)).toEqual(['1.5', '2', '2.5', '3', '3.5', '4', '4.5', '5']);
  });

  it('writes tiny values in scientific notation, never "00e-4" or "-0.0"', () => {
    const a = niceAxis([-3e-4, 1e-4, 5e-4]);
    const labels = a.ticks.map(a.format);
    expect(new Set(labels).size).toBe(labels.length);
    for (const l of labels) expect(l).toMatch(/^(0|−?\de-4)$/);
    expect(labels).toContain('0');
  });

  it('includes the values asked for, skips non-finite data and widens a flat series', () => {
    expect(niceAxis([0.2, 0.4], { include: [0] }).domain[0]).toBe(0);
    expect(niceAxis([0.2, 0.4], { include: [0, 'auto'] }).domain).toEqual([0, 0.4]); // a chart's bounds, as given
    expect(niceAxis([null, NaN, Infinity, 2, undefined]).domain).toEqual([1.9, 2.1]);
    expect(niceAxis([]).domain).toEqual([0, 1]);
  });

  it('makes room for the longest label and for a rotated axis label', () => {
    const small = niceAxis([0, 1]);
    const big = niceAxis([0, 12000]);
    expect(big.ticks.map(big.format)).toContain('12,000');
    expect(big.width).toBeGreaterThan(small.width);
    expect(niceAxis([0, 1], { labelled: true }).width).toBeGreaterThan(small.width);
    expect(niceAxis([0, 1], { fontSize: 18 }).width).toBeGreaterThan(small.width);
  });
});
