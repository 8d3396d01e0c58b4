import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeNormalization } from '../../../src/engine/data/normalize';
import { generateSynthetic } from '../../../src/engine/data/synthetic';
import { createFcwKey, fcwTriggersFromKey, parseFcwKeyFile, serializeFcwKey } from '../../../src/engine/fcw/keyFile';
import { generateTriggers } from '../../../src/engine/fcw/triggers';
import { verifyFcwKey } from '../../../src/engine/fcw/verifyKey';
import { createModel } from '../../../src/engine/models';
import { KeyFileError } from '../../../src/engine/watermark/keyFile';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const data = generateSynthetic({ seed: 4, trainCount: 40, testCount: 0 }).train;
const norm = computeNormalization(data);
const trig = generateTriggers(data, { seed: 2, count: 6, mode: 'invisible' });
const pixelKey = createFcwKey(trig, {
  numClasses: 10,
  normalization: norm,
  arch: 'cnn',
  embedding: { seed: 1, perBatch: 10, maskFraction: 0.002, maskPeriod: 10 },
  createdAt: '2026-01-01T00:00:00Z',
});
const recipeKey = createFcwKey(trig, {
  numClasses: 10,
  normalization: norm,
  store: { kind: 'recipe', dataset: { name: 'synthetic', seed: 4, count: 40 }, seed: 2 },
  chanceRate: 0.05,
  createdAt: '2026-01-01T00:00:00Z',
});

function errorCode(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof KeyFileError) return e.code;
    throw e;
  }
  throw new Error('no error');
}

const edit = (mut: (o: Record<string, unknown>) => void, key: object = pixelKey) => {
  const o = JSON.parse(JSON.stringify(key)) as Record<string, unknown>;
  mut(o);
  return JSON.stringify(o);
};

describe('FCW key file', () => {
  it('round-trips a pixel key and gives back the exact triggers', () => {
    const text = serializeFcwKey(pixelKey);
    const parsed = parseFcwKeyFile(text);
    expect(parsed).toEqual(pixelKey);
    expect(parsed.method).toBe('fcw');
    expect(parsed.format).toBe('watermas-lab-key');
    const t = fcwTriggersFromKey(parsed);
    expect(t.images.images).toEqual(trig.images.images);
    expect(Array.from(t.images.labels)).toEqual(Array.from(trig.images.labels));
    expect(t.target).toBe(trig.target);
    expect(t.mode).toBe('invisible');
    expect(t.sources).toEqual(trig.sources);
  });

  it('round-trips a recipe key and regenerates the triggers from the data set (checked by SHA-256)', () => {
    const parsed = parseFcwKeyFile(serializeFcwKey(recipeKey));
    expect(parsed).toEqual(recipeKey);
    expect(JSON.stringify(parsed)).not.toContain('pixels"');
    expect(() => fcwTriggersFromKey(parsed)).toThrow(/recipe/);
    expect(fcwTriggersFromKey(parsed, data).images.images).toEqual(trig.images.images);
    // a different data set: labels or pixels do not match
    const other = generateSynthetic({ seed: 5, trainCount: 40, testCount: 0 }).train;
    expect(['payload-mismatch']).toContain(errorCode(() => fcwTriggersFromKey(parsed, other)));
    const small = generateSynthetic({ seed: 4, trainCount: 5, testCount: 0 }).train;
    const needsBig = parsed.sources.some((s) => s.a >= 5 || s.b >= 5);
    expect(needsBig).toBe(true);
    expect(errorCode(() => fcwTriggersFromKey(parsed, small))).toBe('index-out-of-range');
    // same labels, altered pixels -> digest mismatch
    const altered = { ...data, images: data.images.map((v) => 255 - v) };
    expect(errorCode(() => fcwTriggersFromKey(parsed, altered))).toBe('payload-mismatch');
  });

  it('rejects malformed keys with specific errors', () => {
    expect(errorCode(() => parseFcwKeyFile('{not json'))).toBe('not-json');
    expect(errorCode(() => parseFcwKeyFile(edit((o) => (o.format = 'x'))))).toBe('wrong-format');
    expect(errorCode(() => parseFcwKeyFile(edit((o) => (o.version = 3))))).toBe('unsupported-version');
    expect(errorCode(() => parseFcwKeyFile(edit((o) => (o.method = 'uchida'))))).toBe('wrong-method');
    expect(errorCode(() => parseFcwKeyFile(edit((o) => (o.mode = 'visible'))))).toBe('invalid-schema');
    expect(errorCode(() => parseFcwKeyFile(edit((o) => delete o.target)))).toBe('invalid-schema');
    expect(errorCode(() => parseFcwKeyFile(edit((o) => (o.target = 10))))).toBe('invalid-schema');
    expect(errorCode(() => parseFcwKeyFile(edit((o) => (o.target = (o.sources as { classA: number }[])[0].classA))))).toBe('invalid-schema');
    expect(errorCode(() => parseFcwKeyFile(edit((o) => ((o.triggers as { pixels: string }).pixels = '!!!!'))))).toBe('invalid-schema');
    expect(errorCode(() => parseFcwKeyFile(edit((o) => ((o.triggers as { pixels: string }).pixels = 'AAAA'))))).toBe('payload-length');
    expect(
      errorCode(() =>
        parseFcwKeyFile(
          edit((o) => {
            const px = (o.triggers as { pixels: string }).pixels;
            (o.triggers as { pixels: string }).pixels = (px[0] === 'A' ? 'B' : 'A') + px.slice(1);
          }),
        ),
      ),
    ).toBe('payload-mismatch');
    expect(errorCode(() => parseFcwKeyFile(edit((o) => (o.chanceRate = 0))))).toBe('invalid-schema');
    expect(errorCode(() => parseFcwKeyFile(edit((o) => ((o.normalization as { std: number[] }).std = [1, 0, 1]))))).toBe('invalid-schema');
  });

  it('verifies a model from a key (the key chance rate is used; class count must match)', async () => {
    const model = createModel('cnn', { seed: 1, options: { width: 4, hidden: 8 } });
    const r = await verifyFcwKey(model, recipeKey, { trainSet: data });
    expect(r.chanceRate).toBe(0.05);
    expect(r.n).toBe(6);
    expect(r.predictions).toHaveLength(6);
    expect(r.hits).toBe(Array.from(r.predictions).filter((p) => p === trig.target).length);
    const r2 = await verifyFcwKey(model, pixelKey);
    expect(r2.chanceRate).toBeCloseTo(0.1, 12);
    expect(Array.from(r2.predictions)).toEqual(Array.from(r.predictions));
    const four = createModel('cnn', { seed: 1, numClasses: 4, options: { width: 4, hidden: 8 } });
    await expect(verifyFcwKey(four, pixelKey)).rejects.toThrow(/10-class/);
    model.dispose();
    four.dispose();
  });
});
