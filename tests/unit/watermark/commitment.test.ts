import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { commitmentDigest } from '../../../src/engine/watermark/commitment';
import { createKey, embedWatermark, keyBits } from '../../../src/engine/watermark/embed';
import { readKeyValues } from '../../../src/engine/watermark/extract';
import { KeyFileError, parseKeyFile, serializeKey, type WatermasKey } from '../../../src/engine/watermark/keyFile';
import { textToBits } from '../../../src/engine/watermark/payload/payloadBits';
import { seedFromHex } from '../../../src/engine/watermark/seed/seed';
import { verifyWatermark } from '../../../src/engine/watermark/verify';
import { createUchidaKey, parseUchidaKeyFile, serializeUchidaKey, uchidaDigest, uchidaMatrix, verifyUchida, type UchidaKey } from '../../../src/engine/watermark/uchida';
import { createModel } from '../../../src/engine/models';
import { createTinyModel, GAP_TINY } from '../../fixtures/tinyModel';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const textToBitsOf = (bits: string): Uint8Array => Uint8Array.from(bits, (c) => (c === '1' ? 1 : 0));

function keyError(text: string): KeyFileError {
  try {
    parseKeyFile(text);
  } catch (e) {
    if (e instanceof KeyFileError) return e;
    throw e;
  }
  throw new Error('the key was accepted');
}

describe('committed keys (version 2)', () => {
  const seed = seedFromHex('5a'.repeat(32));
  const model = createTinyModel(3, GAP_TINY);
  const key = createKey(model, { seed, payload: { kind: 'random-bits', count: 40 }, createdAt: '2026-12-06T00:00:00.000Z' });
  const edit = (f: (k: WatermasKey) => void): string => {
    const k = JSON.parse(JSON.stringify(key)) as WatermasKey;
    f(k);
    return JSON.stringify(k);
  };

  it('carry a nonce (not the seed), the eligible tensors and a digest of their content, and round-trip', () => {
    expect(key.version).toBe(2);
    expect(key.commitment).toMatchObject({ scheme: 'watermas-lab/commit/v1', allocation: 'proportional' });
    expect(key.commitment!.nonce).not.toBe('5a'.repeat(32));
    expect(key.commitment!.digest).toBe(commitmentDigest(key));
    expect(serializeKey(key)).not.toContain('5a5a5a');
    expect(parseKeyFile(serializeKey(key))).toEqual(key);
  });

  it('refuse a key whose positions, payload or strength were edited, and one edited after the digest', () => {
    const moved = keyError(
      edit((k) => {
        const g = k.positions[0] as { indices: number[] };
        const free = Array.from({ length: 200 }, (_, i) => i).find((i) => !g.indices.includes(i))!;
        g.indices[0] = free;
        g.indices.sort((a, b) => a - b);
      }),
    );
    expect(moved.code).toBe('commitment-mismatch');
    expect(moved.message).toMatch(/positions do not follow from its commitment .*edited or forged/);
    const bits = (key.payload as { bits: string }).bits;
    expect(keyError(edit((k) => (k.payload = { kind: 'bits', bits: (bits[0] === '0' ? '1' : '0') + bits.slice(1) }))).code).toBe('commitment-mismatch');
    expect(keyError(edit((k) => (k.codec.strength = 0.9))).code).toBe('commitment-mismatch');
    const digest = keyError(edit((k) => (k.commitment = { ...k.commitment!, digest: '0'.repeat(64) })));
    expect(digest.code).toBe('commitment-edited');
    expect(keyError(edit((k) => delete (k as Partial<WatermasKey>).commitment)).message).toMatch(/version 2 key must have a commitment/);
  });

  it('a forger who picks positions from an unmarked model\'s signs gets a key that is refused', async () => {
    const unmarked = createTinyModel(8, GAP_TINY);
    // the forgery: keep the key's payload and nonce, move every position to a weight whose sign already "matches"
    const forged = JSON.parse(JSON.stringify(key)) as WatermasKey;
    const want = textToBitsOf((key.payload as { bits: string }).bits); // the payload's bits, as a version-1 key writes them
    let o = 0;
    for (const g of forged.positions as { tensor: string; indices: number[] }[]) {
      const w = await unmarked.params.get(g.tensor)!.data();
      let j = 0; // scan upwards, taking the next weight whose sign is the wanted bit: ascending indices
      g.indices = g.indices.map(() => {
        const bit = want[o++];
        while ((w[j] > 0 ? 1 : 0) !== bit) j++;
        return j++;
      });
    }
    forged.commitment = { ...forged.commitment!, digest: commitmentDigest(forged) }; // even with a fresh digest
    expect(keyError(JSON.stringify(forged)).code).toBe('commitment-mismatch');
    // the same forgery as a version-1 (uncommitted) key is accepted and "detected": that is why v1 keys are reported as forgeable
    const v1 = { ...forged, version: 1 } as WatermasKey;
    delete (v1 as Partial<WatermasKey>).commitment;
    const r = await verifyWatermark(unmarked, parseKeyFile(JSON.stringify(v1)));
    expect(r.commitment).toEqual({ committed: false });
    expect(r).toMatchObject({ ber: 0, detected: true });
    unmarked.dispose();
  });

  it('grinding nonces does not find a key an unmarked model matches: the best of 200 tries is about p = 1/200', async () => {
    const unmarked = createTinyModel(9, GAP_TINY);
    let best = 0;
    for (let t = 0; t < 200; t++) {
      const k = createKey(unmarked, { seed: seedFromHex(t.toString(16).padStart(64, '0')), payload: { kind: 'random-bits', count: 64 } });
      const r = await verifyWatermark(unmarked, k);
      best = Math.min(best, r.log10PValue);
    }
    expect(best).toBeGreaterThan(-5); // far from the 1e-6 threshold
    expect(best).toBeLessThan(-1);
    unmarked.dispose();
  });

  it('whitening balances an unbalanced message, and the marked model decodes it', async () => {
    const m = createTinyModel(4, GAP_TINY);
    const { key: k } = await embedWatermark(m, { seed, payload: { kind: 'text', text: '@'.repeat(10) } });
    const ones = keyBits(k).reduce((s, b) => s + b, 0);
    expect(textToBits('@'.repeat(10)).reduce((s, b) => s + b, 0)).toBe(10); // 12.5 % ones in the message
    expect(ones).toBeGreaterThan(25); // about half of the 80 embedded signs
    expect(ones).toBeLessThan(55);
    const r = await verifyWatermark(m, k);
    expect(r).toMatchObject({ ber: 0, message: '@'.repeat(10), commitment: { committed: true, digest: k.commitment!.digest } });
    expect(r.commitment.committed && r.commitment.forgeryLog10Tries).toBeGreaterThan(20);
    expect((await readKeyValues(m, k)).length).toBe(80);
    m.dispose();
  });
});

describe('committed Uchida keys', () => {
  it('bind the matrix to the payload: the ambiguity attack (declare b = sign(X·w) of an unmarked model) is refused; as a version-1 key it "verifies"', async () => {
    const unmarked = createModel('cnn', { seed: 12, options: { width: 4, hidden: 8 } });
    const key = createUchidaKey(unmarked, { seed: seedFromHex('77'.repeat(32)), payload: { kind: 'random-bits', count: 32 } });
    expect(key.version).toBe(2);
    expect(parseUchidaKeyFile(serializeUchidaKey(key))).toEqual(key);
    expect((await verifyUchida(unmarked, key)).detected).toBe(false);
    // the forger reads the unmarked model's projection and declares it the payload
    const X = uchidaMatrix(key);
    const W = (await unmarked.params.get(key.layer)!.data()) as Float32Array;
    const out = unmarked.paramInfo.find((p) => p.name === key.layer)!.shape[3];
    const M = key.matrix.cols;
    const w = Float32Array.from({ length: M }, (_, i) => {
      let s = 0;
      for (let o = 0; o < out; o++) s += W[i * out + o];
      return s / out;
    });
    let bits = '';
    for (let t = 0; t < key.matrix.rows; t++) {
      let s = 0;
      for (let i = 0; i < M; i++) s += X[t * M + i] * w[i];
      bits += s > 0 ? '1' : '0';
    }
    const forged = { ...key, payload: { kind: 'bits' as const, bits } } as UchidaKey;
    forged.commitment = { ...key.commitment!, digest: uchidaDigest(forged) };
    expect(() => parseUchidaKeyFile(JSON.stringify(forged))).toThrow(/matrix does not follow from its commitment/);
    const v1 = { ...forged, version: 1 } as UchidaKey;
    delete (v1 as Partial<UchidaKey>).commitment;
    const r = await verifyUchida(unmarked, parseUchidaKeyFile(JSON.stringify(v1)));
    expect(r).toMatchObject({ ber: 0, detected: true, commitment: { committed: false } });
    unmarked.dispose();
  });
});

