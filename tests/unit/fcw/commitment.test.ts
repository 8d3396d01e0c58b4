import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeNormalization } from '../../../src/engine/data/normalize';
import { generateSynthetic } from '../../../src/engine/data/synthetic';
import { committedTriggers, createFcwKey, fcwDigest, fcwNonce, fuseTriggers, parseFcwKeyFile, serializeFcwKey, triggerDigest, verifyFcwKey, type FcwKey } from '../../../src/engine/fcw';
import { bytesToBase64 } from '../../../src/engine/watermark/payload/base64';
import { sliceImageSet } from '../../../src/engine/data/imageset';
import { createModel } from '../../../src/engine/models';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('committed FCW keys (version 2)', () => {
  const set = generateSynthetic({ seed: 3, trainCount: 120, testCount: 0 }).train;
  const norm = computeNormalization(set);
  const nonce = fcwNonce(5);
  const triggers = committedTriggers(set, { nonce, numClasses: 10, mode: 'direct', ratio: 0.5, count: 12 });
  const key = createFcwKey(triggers, { numClasses: 10, normalization: norm, commit: { nonce, trainCount: set.count }, createdAt: '2026-12-06T00:00:00Z' });
  const model = createModel('cnn', { seed: 1, options: { width: 4, hidden: 8 } });

  it('carry a nonce and a digest, round-trip, and re-derive their triggers on the training set', async () => {
    expect(key.version).toBe(2);
    expect(key.commitment).toMatchObject({ scheme: 'watermas-lab/fcw-commit/v1', nonce, digest: fcwDigest(key) });
    expect(parseFcwKeyFile(serializeFcwKey(key))).toEqual(key);
    const r = await verifyFcwKey(model, key, { trainSet: set });
    expect(r.commitment).toEqual({ committed: true, digest: key.commitment!.digest, derivationChecked: true });
    expect((await verifyFcwKey(model, key)).commitment).toMatchObject({ committed: true, derivationChecked: false });
    // drawn from a prefix: a larger training set (the full split behind a --train-limit run) checks the same way
    const prefixKey = createFcwKey(committedTriggers(sliceImageSet(set, 0, 60), { nonce, numClasses: 10, mode: 'direct', ratio: 0.5, count: 12 }), {
      numClasses: 10, normalization: norm, commit: { nonce, trainCount: 60 },
    });
    expect((await verifyFcwKey(model, prefixKey, { trainSet: set })).commitment).toMatchObject({ derivationChecked: true });
    await expect(verifyFcwKey(model, prefixKey, { trainSet: sliceImageSet(set, 0, 50) })).rejects.toThrow(/first 60 training images; this training set has only 50/);
  });

  it('refuse hand-picked triggers (e.g. images a model already sends to the target), even with a fresh digest', async () => {
    // the forger keeps nonce and target but picks its own source pairs
    const sources = key.sources.map((s, i) => ({ ...s, b: key.sources[(i + 1) % key.sources.length].b, classB: key.sources[(i + 1) % key.sources.length].classB })).filter((s) => s.classA !== s.classB);
    const images = fuseTriggers(set, sources, key.mode, key.ratio, key.target);
    const forged = { ...key, sources, pixelsSha256: triggerDigest(images.images), triggers: { kind: 'pixels' as const, pixels: bytesToBase64(images.images) } } as FcwKey;
    forged.commitment = { ...key.commitment!, digest: fcwDigest(forged) };
    const parsed = parseFcwKeyFile(JSON.stringify(forged)); // self-consistent: only the training set exposes it
    await expect(verifyFcwKey(model, parsed, { trainSet: set })).rejects.toThrow(/triggers do not follow from its commitment/);
    // edited without a new digest: refused on parse
    expect(() => parseFcwKeyFile(JSON.stringify({ ...key, ratio: 0.3 }))).toThrow(/edited after it was made/);
  });
});
