import { describe, expect, it } from 'vitest';
import { generateSynthetic } from '../../../src/engine/data/synthetic';
import type { ImageSet } from '../../../src/engine/data/types';
import { directFusion, downsample2x2, invisibleFusion } from '../../../src/engine/fcw/fusion';
import { fuseTriggers, generateTriggers } from '../../../src/engine/fcw/triggers';

const data = generateSynthetic({ seed: 3, trainCount: 60, testCount: 0 }).train;
const PER = 32 * 32 * 3;
const img = (set: ImageSet, i: number) => set.images.subarray(i * PER, (i + 1) * PER);
const px = (im: Uint8Array, y: number, x: number, c: number, w = 32) => im[(y * w + x) * 3 + c];

describe('FCW fusion', () => {
  it('downsamples by 2x2 box average with round-half-up', () => {
    // 2x2x1 image: 1, 2, 3, 4 -> (10 + 2) >> 2 = 3 (2.5 rounds up); 0,0,0,1 -> 0 (0.25)
    expect(Array.from(downsample2x2(Uint8Array.from([1, 2, 3, 4]), 2, 2, 1))).toEqual([3]);
    expect(Array.from(downsample2x2(Uint8Array.from([0, 0, 1, 1]), 2, 2, 1))).toEqual([1]); // 0.5 -> 1
    expect(Array.from(downsample2x2(Uint8Array.from([0, 0, 0, 1]), 2, 2, 1))).toEqual([0]);
    expect(() => downsample2x2(new Uint8Array(9), 3, 3, 1)).toThrow(/even/);
  });

  it('direct fusion: x_i top-left, x_j bottom-right (both downsampled), the other quadrants exactly white', () => {
    const a = img(data, 0), b = img(data, 1);
    const f = directFusion(a, b, 32, 32, 3);
    expect(f.length).toBe(PER);
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) {
        for (let c = 0; c < 3; c++) {
          const v = px(f, y, x, c);
          if (y < 16 && x < 16) {
            const sum = px(a, 2 * y, 2 * x, c) + px(a, 2 * y, 2 * x + 1, c) + px(a, 2 * y + 1, 2 * x, c) + px(a, 2 * y + 1, 2 * x + 1, c);
            expect(v).toBe(Math.floor((sum + 2) / 4));
          } else if (y >= 16 && x >= 16) {
            const yy = y - 16, xx = x - 16;
            const sum = px(b, 2 * yy, 2 * xx, c) + px(b, 2 * yy, 2 * xx + 1, c) + px(b, 2 * yy + 1, 2 * xx, c) + px(b, 2 * yy + 1, 2 * xx + 1, c);
            expect(v).toBe(Math.floor((sum + 2) / 4));
          } else {
            expect(v).toBe(255);
          }
        }
      }
    }
  });

  it('invisible fusion blends with ratio r, rounding half up', () => {
    const a = Uint8Array.from([0, 10, 255, 7]);
    const b = Uint8Array.from([1, 20, 0, 7]);
    expect(Array.from(invisibleFusion(a, b, 0.5))).toEqual([1, 15, 128, 7]);
    expect(Array.from(invisibleFusion(a, b, 0))).toEqual(Array.from(a));
    expect(Array.from(invisibleFusion(a, b, 1))).toEqual(Array.from(b));
    expect(Array.from(invisibleFusion(a, b, 0.25))).toEqual([0, 13, 191, 7]); // 0.25, 12.5, 191.25, 7
    expect(() => invisibleFusion(a, b, 1.5)).toThrow(/ratio/);
  });
});

describe('FCW trigger generation', () => {
  it('draws 30 triggers from different-class pairs, one target outside every pair, all labelled t', () => {
    const t = generateTriggers(data, { seed: 11 });
    expect(t.images.count).toBe(30);
    expect(t.sources).toHaveLength(30);
    expect(t.images.height).toBe(32);
    expect(Array.from(t.images.labels).every((l) => l === t.target)).toBe(true);
    const pairs = new Set<string>();
    for (const s of t.sources) {
      expect(data.labels[s.a]).toBe(s.classA);
      expect(data.labels[s.b]).toBe(s.classB);
      expect(s.classA).not.toBe(s.classB);
      expect(s.classA).not.toBe(t.target);
      expect(s.classB).not.toBe(t.target);
      pairs.add(`${s.a},${s.b}`);
    }
    expect(pairs.size).toBe(30);
    // Each trigger is the mosaic of its sources.
    t.sources.forEach((s, k) => {
      expect(img(t.images, k)).toEqual(directFusion(img(data, s.a), img(data, s.b), 32, 32, 3));
    });
  });

  it('is reproducible from the seed and changes with it', () => {
    const a = generateTriggers(data, { seed: 5, mode: 'invisible' });
    const b = generateTriggers(data, { seed: 5, mode: 'invisible' });
    expect(b.sources).toEqual(a.sources);
    expect(b.target).toBe(a.target);
    expect(b.images.images).toEqual(a.images.images);
    const c = generateTriggers(data, { seed: 6, mode: 'invisible' });
    expect(c.sources).not.toEqual(a.sources);
    // the invisible triggers are the 50/50 blends
    a.sources.forEach((s, k) => expect(img(a.images, k)).toEqual(invisibleFusion(img(data, s.a), img(data, s.b), 0.5)));
    // regeneration from the recipe (sources) gives the same pixels
    expect(fuseTriggers(data, a.sources, 'invisible', 0.5, a.target).images).toEqual(a.images.images);
  });

  it('honours a fixed target and count, and rejects impossible requests', () => {
    const t = generateTriggers(data, { seed: 1, target: 4, count: 7 });
    expect(t.target).toBe(4);
    expect(t.images.count).toBe(7);
    expect(t.sources.every((s) => s.classA !== 4 && s.classB !== 4)).toBe(true);
    expect(() => generateTriggers(data, { seed: 1, target: 10 })).toThrow(/target/);
    const twoClasses: ImageSet = { ...data, labels: data.labels.map((l) => l % 2) };
    expect(() => generateTriggers(twoClasses, { seed: 1 })).toThrow(/3 classes/);
  });
});
