import { describe, expect, it } from 'vitest';
import { refinementLevels, refinementOrder1D, refinementOrder2D, symmetricGrid } from '../../../src/engine/landscape';

describe('landscape grids', () => {
  it('symmetric grids hold exactly 0 in the middle and span [-r, r]', () => {
    const g = symmetricGrid(2, 21);
    expect(g.length).toBe(21);
    expect(g[10]).toBe(0);
    expect(g[0]).toBe(-2);
    expect(g[20]).toBe(2);
    expect(symmetricGrid(1, 1)).toEqual([0]);
  });

  it('refinement visits every index once, coarse level (ends + centre) first', () => {
    for (const n of [1, 2, 5, 9, 21, 31]) {
      const order = refinementOrder1D(n);
      expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      const lv = refinementLevels(n);
      for (let k = 1; k < n; k++) expect(lv[order[k]]).toBeGreaterThanOrEqual(lv[order[k - 1]]);
      expect(lv[0]).toBe(0);
      expect(lv[n - 1]).toBe(0);
      expect(lv[Math.floor((n - 1) / 2)]).toBe(0);
    }
    // 21 points: coarse level is a handful of points, not the whole axis
    expect([...refinementLevels(21)].filter((l) => l === 0).length).toBeLessThan(6);
    const cells = refinementOrder2D(21, 21);
    expect(new Set(cells.map(([i, j]) => j * 21 + i)).size).toBe(441);
    expect(cells.slice(0, 9).every(([i, j]) => refinementLevels(21)[i] === 0 && refinementLevels(21)[j] === 0)).toBe(true);
  });
});
