import { describe, expect, it } from 'vitest';
import { pickSpreadIndices, toRgba } from '../../../src/workers/dataset/thumbnails';
import type { ImageSet } from '../../../src/engine/data/types';

describe('toRgba', () => {
  it('interleaves RGB into RGBA with opaque alpha, in the requested order', () => {
    const images = new Uint8Array(2 * 2 * 2 * 3).map((_, i) => i);
    const set: ImageSet = { images, labels: new Uint8Array([4, 7]), count: 2, height: 2, width: 2, channels: 3 };
    const rgba = new Uint8Array(toRgba(set, [1, 0]));
    expect(rgba.length).toBe(2 * 4 * 4);
    expect(Array.from(rgba.subarray(0, 8))).toEqual([12, 13, 14, 255, 15, 16, 17, 255]);
    expect(Array.from(rgba.subarray(16, 20))).toEqual([0, 1, 2, 255]);
    expect(() => toRgba(set, [2])).toThrow(/outside/);
  });
});

describe('pickSpreadIndices', () => {
  const labels = new Uint8Array(Array.from({ length: 100 }, (_, i) => i % 10));

  it('shows every class and only indices of the right labels', () => {
    const picked = pickSpreadIndices(labels, 10, 30, 0);
    expect(picked).toHaveLength(30);
    const counts = new Array(10).fill(0);
    for (const i of picked) counts[labels[i]]++;
    expect(counts).toEqual(new Array(10).fill(3));
    expect(new Set(picked).size).toBe(30);
  });

  it('shows other images in the next round', () => {
    const a = pickSpreadIndices(labels, 10, 20, 0);
    const b = pickSpreadIndices(labels, 10, 20, 1);
    expect(a.filter((i) => b.includes(i))).toEqual([]);
  });
});
