import { describe, expect, it } from 'vitest';
import { fillNearest, finiteRange, parseStrengths, toCsv } from '../../../src/ui/common/analysisData';

describe('Attack / Landscape panel helpers', () => {
  it('parses strength lists and refuses bad ones', () => {
    expect(parseStrengths('0, 1 ,2.5;7')).toEqual([0, 1, 2.5, 7]);
    expect(parseStrengths('')).toBeNull();
    expect(parseStrengths('0, -1')).toBeNull();
    expect(parseStrengths('0, x')).toBeNull();
  });

  it('writes CSV with a header and quotes cells that need it', () => {
    const csv = toCsv([{ series: 'noise, R=4', strength: 1, ber: 0.25, detected: true }, { series: 'a"b', strength: 2 }], ['series', 'strength', 'ber', 'detected']);
    expect(csv).toBe('series,strength,ber,detected\n"noise, R=4",1,0.25,true\n"a""b",2,,\n');
  });

  it('fills missing grid cells from the nearest computed cell (coarse blocks) and keeps computed ones', () => {
    const N = NaN;
    // 3 x 3, only the corners and the centre computed.
    const v = [1, N, 3, N, 5, N, 7, N, 9];
    const f = fillNearest(v, 3);
    expect(f.filter((x, k) => Number.isFinite(v[k]) && x !== v[k])).toEqual([]);
    expect(f.every(Number.isFinite)).toBe(true);
    // (1,0) is at distance 1 from corners 1 and 3 and from the centre 5: the first in row-major order wins.
    expect(f[1]).toBe(1);
    expect(fillNearest([N, N, N, N], 2).every(Number.isNaN)).toBe(true);
    expect(finiteRange([N, 2, -1, Infinity])).toEqual([-1, 2]);
  });
});
