import { describe, expect, it } from 'vitest';
import { Rng, hashSeed } from '../../src/engine/random/rng';

describe('Rng', () => {
  it('is reproducible from its seed and differs across seeds', () => {
    const a = new Rng(42), b = new Rng(42), c = new Rng(43);
    const da = Array.from({ length: 8 }, () => a.int(1000));
    const db = Array.from({ length: 8 }, () => b.int(1000));
    const dc = Array.from({ length: 8 }, () => c.int(1000));
    expect(da).toEqual(db);
    expect(da).not.toEqual(dc);
  });

  it('forks independent, stable streams without consuming draws', () => {
    const a = new Rng(7);
    const f1 = a.fork('augment').float();
    const first = a.float();
    const b = new Rng(7);
    expect(b.fork('augment').float()).toBe(f1);
    expect(b.float()).toBe(first);
    expect(hashSeed(7, 'x')).not.toBe(hashSeed(7, 'y'));
  });

  it('draws normals with mean 0 and variance 1', () => {
    const r = new Rng(1);
    const xs = r.fillNormal(new Float32Array(20000));
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    const variance = xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('permutation contains every index once', () => {
    const p = Array.from(new Rng(3).permutation(100)).sort((x, y) => x - y);
    expect(p).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
