import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ParamInfo } from '../../../src/engine/models/types';
import { SeedStream } from '../../../src/engine/watermark/seed/seedStream';
import { selectPositions, positionCount, toFrozenPositions, WEIGHT_BIAS_NORM_ROLES } from '../../../src/engine/watermark/keys';
import { randomSeed, seedFromHex, seedFromPassphrase, seedToHex } from '../../../src/engine/watermark/seed/seed';
import { architectureFingerprint } from '../../../src/engine/watermark/fingerprint';

const PARAMS: ParamInfo[] = [
  { name: 'a/kernel', shape: [3, 3, 3, 8], role: 'conv-kernel' }, // 216
  { name: 'a/bias', shape: [8], role: 'bias' },
  { name: 'bn/gamma', shape: [8], role: 'bn-gamma' },
  { name: 'b/kernel', shape: [3, 3, 8, 16], role: 'conv-kernel' }, // 1152
  { name: 'head/kernel', shape: [16, 10], role: 'dense-kernel' }, // 160
];
const seedA = seedFromHex('00'.repeat(31) + '01');
const seedB = seedFromHex('00'.repeat(31) + '02');

describe('key positions', () => {
  it("allocation 'equal' spreads draws evenly over the tensors, then fills the others when one is full", () => {
    const prop = selectPositions(PARAMS, 300, seedA);
    const equal = selectPositions(PARAMS, 300, seedA, { allocation: 'equal' });
    const count = (groups: typeof prop, name: string) => groups.find((g) => g.tensor === name)?.indices.length ?? 0;
    expect(count(prop, 'b/kernel')).toBeGreaterThan(200); // ∝ size: 1152 of 1528 weights
    for (const name of ['a/kernel', 'b/kernel', 'head/kernel']) expect(Math.abs(count(equal, name) - 100)).toBeLessThan(25);
    expect(positionCount(equal)).toBe(300);
    // more draws than the smallest tensor holds: it is filled, the rest goes elsewhere, no duplicates
    const full = selectPositions(PARAMS, 700, seedB, { allocation: 'equal' });
    expect(count(full, 'head/kernel')).toBe(160);
    for (const g of full) expect(new Set(g.indices).size).toBe(g.indices.length);
    expect(positionCount(full)).toBe(700);
    expect(selectPositions(PARAMS, 300, seedA, { allocation: 'equal' })).toEqual(equal);
  });

  it('same seed reproduces the positions, another seed does not', () => {
    const p1 = selectPositions(PARAMS, 200, seedA);
    const p2 = selectPositions(PARAMS, 200, new Uint8Array(seedA));
    const p3 = selectPositions(PARAMS, 200, seedB);
    expect(p2).toEqual(p1);
    expect(p3).not.toEqual(p1);
  });

  it('is counter-mode HMAC-SHA256 as documented (checked against node:crypto)', () => {
    const s = new SeedStream(seedA, 'test');
    const words = Array.from({ length: 10 }, () => s.uint32());
    const expected: number[] = [];
    for (let c = 0; c < 2; c++) {
      const msg = Buffer.concat([Buffer.from('test', 'utf8'), Buffer.from([0, 0, 0, 0, c])]);
      const block = createHmac('sha256', Buffer.from(seedA)).update(msg).digest();
      for (let i = 0; i < 8; i++) expected.push(block.readUInt32BE(4 * i));
    }
    expect(words).toEqual(expected.slice(0, 10));
    expect(new SeedStream(seedA, 'other').uint32()).not.toBe(words[0]);
  });

  it('gives unique, in-range positions over the weight tensors only by default', () => {
    const groups = selectPositions(PARAMS, 1500, seedA); // all 1528 weights but 28
    expect(positionCount(groups)).toBe(1500);
    const sizes = new Map(PARAMS.map((p) => [p.name, p.shape.reduce((a, b) => a * b, 1)]));
    for (const g of groups) {
      expect(['a/kernel', 'b/kernel', 'head/kernel']).toContain(g.tensor);
      expect(new Set(g.indices).size).toBe(g.indices.length);
      for (const i of g.indices) {
        expect(Number.isInteger(i)).toBe(true);
        expect(i).toBeGreaterThanOrEqual(0);
        expect(i).toBeLessThan(sizes.get(g.tensor)!);
      }
      expect([...g.indices]).toEqual([...g.indices].sort((a, b) => a - b));
    }
    // exhausting the tensors is allowed and gives every weight exactly once
    const all = selectPositions(PARAMS, 1528, seedB);
    expect(positionCount(all)).toBe(1528);
    expect(all.map((g) => g.indices.length)).toEqual([216, 1152, 160]);
    expect(() => selectPositions(PARAMS, 1529, seedA)).toThrow(/only 1528/);
    const withBias = selectPositions(PARAMS, 1544, seedA, { roles: WEIGHT_BIAS_NORM_ROLES });
    expect(withBias.map((g) => g.tensor)).toEqual(['a/kernel', 'a/bias', 'bn/gamma', 'b/kernel', 'head/kernel']);
    const frozen = toFrozenPositions(groups);
    expect(frozen.get('b/kernel')).toBeInstanceOf(Int32Array);
  });

  it('selects tensors in proportion to their size', () => {
    const counts = new Map<string, number>();
    const trials = 300;
    for (let t = 0; t < trials; t++) {
      const seed = new Uint8Array(32);
      seed[0] = t & 255;
      seed[1] = t >> 8;
      for (const g of selectPositions(PARAMS, 20, seed)) counts.set(g.tensor, (counts.get(g.tensor) ?? 0) + g.indices.length);
    }
    const total = trials * 20;
    const expected = { 'a/kernel': 216 / 1528, 'b/kernel': 1152 / 1528, 'head/kernel': 160 / 1528 };
    for (const [name, frac] of Object.entries(expected)) {
      const got = (counts.get(name) ?? 0) / total;
      // binomial standard error ≤ sqrt(0.25/6000) ≈ 0.0065; allow 4 s.e.
      expect(Math.abs(got - frac)).toBeLessThan(0.026);
    }
  });

  it('indices inside a tensor are uniform', () => {
    const one: ParamInfo[] = [{ name: 'k', shape: [10], role: 'dense-kernel' }];
    const hits = new Array(10).fill(0);
    for (let t = 0; t < 2000; t++) {
      const seed = new Uint8Array(32);
      seed[0] = t & 255;
      seed[1] = t >> 8;
      for (const i of selectPositions(one, 1, seed)[0].indices) hits[i]++;
    }
    for (const h of hits) expect(Math.abs(h - 200)).toBeLessThan(60); // ~4.5 s.e.
  });
});

describe('seeds', () => {
  it('random seeds are 256-bit and differ', () => {
    const a = randomSeed(), b = randomSeed();
    expect(a.length).toBe(32);
    expect(seedToHex(a)).not.toBe(seedToHex(b));
    expect(seedFromHex(seedToHex(a))).toEqual(a);
    expect(() => seedFromHex('abc')).toThrow(/64 hexadecimal/);
  });

  it('passphrase derivation is deterministic and passphrase-dependent', async () => {
    const a = await seedFromPassphrase('correct horse', 1000);
    const b = await seedFromPassphrase('correct horse', 1000);
    const c = await seedFromPassphrase('correct horsf', 1000);
    expect(a.length).toBe(32);
    expect(seedToHex(a)).toBe(seedToHex(b));
    expect(seedToHex(a)).not.toBe(seedToHex(c));
    await expect(seedFromPassphrase('')).rejects.toThrow(/empty/);
  });

  it('passphrase derivation with the default count agrees with WebCrypto PBKDF2-SHA256', async () => {
    const { PASSPHRASE_SALT, PASSPHRASE_ITERATIONS } = await import('../../../src/engine/watermark/seed/seed');
    const t0 = performance.now();
    const ours = await seedFromPassphrase('My Lab 2026');
    const ms = performance.now() - t0;
    const enc = new TextEncoder();
    const base = await globalThis.crypto.subtle.importKey('raw', enc.encode('My Lab 2026'), 'PBKDF2', false, ['deriveBits']);
    const ref = new Uint8Array(
      await globalThis.crypto.subtle.deriveBits(
        { name: 'PBKDF2', hash: 'SHA-256', salt: enc.encode(PASSPHRASE_SALT), iterations: PASSPHRASE_ITERATIONS },
        base,
        256,
      ),
    );
    expect(seedToHex(ours)).toBe(seedToHex(ref));
    console.info(`PBKDF2 ${PASSPHRASE_ITERATIONS} iterations (noble, pure JS): ${ms.toFixed(0)} ms`);
  });
});

describe('architecture fingerprint', () => {
  it('hashes ordered names and shapes', () => {
    const f = architectureFingerprint(PARAMS);
    expect(f).toMatch(/^[0-9a-f]{64}$/);
    expect(architectureFingerprint(PARAMS.map((p) => ({ ...p })))).toBe(f);
    const changed = PARAMS.map((p, i) => (i === 1 ? { ...p, shape: [9] } : p));
    expect(architectureFingerprint(changed)).not.toBe(f);
    expect(architectureFingerprint([...PARAMS].reverse())).not.toBe(f);
  });
});
