import { describe, expect, it } from 'vitest';
import { SYNTHETIC_CLASS_NAMES, generateSynthetic } from '../../../src/engine/data/synthetic';
import { classCounts } from '../../../src/engine/data/imageset';
import type { ImageSet } from '../../../src/engine/data/types';

describe('synthetic embedded data set', () => {
  it('is labelled synthetic, 10 classes, 32x32x3', () => {
    const ds = generateSynthetic({ seed: 1, trainCount: 20, testCount: 10 });
    expect(ds.name).toBe('synthetic');
    expect(ds.label).toBe('synthetic (embedded default)');
    expect(ds.classNames).toEqual(SYNTHETIC_CLASS_NAMES);
    expect(ds.classNames).toHaveLength(10);
    expect(ds.classNames[0]).toBe('circle');
    expect([ds.train.count, ds.train.height, ds.train.width, ds.train.channels]).toEqual([20, 32, 32, 3]);
    expect(ds.train.images.length).toBe(20 * 3072);
    expect(ds.test.count).toBe(10);
  });

  it('is deterministic for a seed, differs across seeds, and smaller counts give prefixes', () => {
    const a = generateSynthetic({ seed: 7, trainCount: 50, testCount: 20 });
    const b = generateSynthetic({ seed: 7, trainCount: 50, testCount: 20 });
    const c = generateSynthetic({ seed: 8, trainCount: 50, testCount: 20 });
    const small = generateSynthetic({ seed: 7, trainCount: 13, testCount: 5 });
    expect(sameBytes(a.train.images, b.train.images)).toBe(true);
    expect(sameBytes(a.train.labels, b.train.labels)).toBe(true);
    expect(sameBytes(a.test.images, b.test.images)).toBe(true);
    expect(sameBytes(a.train.images, c.train.images)).toBe(false);
    expect(sameBytes(a.train.images.subarray(0, 3072), a.test.images.subarray(0, 3072))).toBe(false);
    expect(sameBytes(small.train.images, a.train.images.subarray(0, 13 * 3072))).toBe(true);
    expect(sameBytes(small.test.labels, a.test.labels.subarray(0, 5))).toBe(true);
  });

  it('is class-balanced', () => {
    const ds = generateSynthetic({ seed: 3, trainCount: 1000, testCount: 205 });
    expect(classCounts(ds.train, 10)).toEqual(new Array(10).fill(100));
    const t = classCounts(ds.test, 10);
    expect(Math.max(...t) - Math.min(...t)).toBeLessThanOrEqual(1);
    expect(t.reduce((s, v) => s + v, 0)).toBe(205);
  });

  it('generates 10,000 images in well under 2 s of CPU time', () => {
    // CPU time of this process, not wall time: the test machine is shared and often overloaded.
    const cpu0 = process.cpuUsage(), t0 = performance.now();
    generateSynthetic({ seed: 11, trainCount: 10_000, testCount: 0 });
    const wall = performance.now() - t0, cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    console.log(`[synthetic] 10,000 images: ${cpuMs.toFixed(0)} ms CPU, ${wall.toFixed(0)} ms wall`);
    expect(cpuMs).toBeLessThan(1500);
  });

  it('is learnable but not trivially separable: a nearest-class-mean (linear) classifier is well above chance and far from 100 %', () => {
    const ds = generateSynthetic({ seed: 5, trainCount: 2000, testCount: 500 });
    const D = 3072;
    const means = Array.from({ length: 10 }, () => new Float64Array(D));
    const counts = classCounts(ds.train, 10);
    for (let i = 0; i < ds.train.count; i++) {
      const m = means[ds.train.labels[i]];
      for (let k = 0; k < D; k++) m[k] += ds.train.images[i * D + k];
    }
    means.forEach((m, c) => m.forEach((v, k) => (m[k] = v / counts[c])));
    const acc = accuracy(ds.test, means);
    console.log(`[synthetic] nearest-class-mean test accuracy ${(acc * 100).toFixed(1)} % (chance 10 %)`);
    expect(acc).toBeGreaterThan(0.13);
    expect(acc).toBeLessThan(0.6);
  });

  it('rejects bad counts', () => {
    expect(() => generateSynthetic({ seed: 1, trainCount: -1, testCount: 1 })).toThrow(/trainCount/);
    expect(() => generateSynthetic({ seed: 1, trainCount: 1, testCount: 1.5 })).toThrow(/testCount/);
  });
});

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;
}

function accuracy(set: ImageSet, means: Float64Array[]): number {
  const D = 3072;
  let ok = 0;
  for (let i = 0; i < set.count; i++) {
    let best = -1, bestD = Infinity;
    for (let c = 0; c < 10; c++) {
      let d = 0;
      for (let k = 0; k < D; k++) { const e = set.images[i * D + k] - means[c][k]; d += e * e; }
      if (d < bestD) { bestD = d; best = c; }
    }
    if (best === set.labels[i]) ok++;
  }
  return ok / set.count;
}
