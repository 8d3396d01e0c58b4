import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../../../src/engine/models';
import { createKey } from '../../../src/engine/watermark/embed';
import {
  checkKeyAgainstModel,
  KeyFileError,
  KeyModelMismatchError,
  objectiveInForce,
  parseKeyFile,
  serializeKey,
  type WatermasKey,
} from '../../../src/engine/watermark/keyFile';
import { seedFromHex } from '../../../src/engine/watermark/seed/seed';
import { parseMethodKeyFile } from '../../../src/engine/methods';
import { objectiveFromKey } from '../../../src/engine/watermark/objective';
import { createTinyModel, GAP_TINY } from '../../fixtures/tinyModel';

const seed = seedFromHex('5a'.repeat(32));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function expectKeyError(text: string, code: string, message: RegExp): void {
  let err: unknown;
  try {
    parseKeyFile(text);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(KeyFileError);
  expect((err as KeyFileError).code).toBe(code);
  expect((err as KeyFileError).message).toMatch(message);
}

describe('key file', () => {
  const model = createTinyModel(3, GAP_TINY);
  const key = createKey(model, {
    seed,
    payload: { kind: 'random-bits', count: 40 },
    objective: { replicas: 4, margin: Infinity },
    seedHint: { source: 'hex' },
    createdAt: '2026-11-23T00:00:00.000Z',
  });
  const mutate = (f: (k: Record<string, unknown> & WatermasKey) => void): string => {
    const k = JSON.parse(JSON.stringify(key));
    f(k);
    return JSON.stringify(k);
  };

  it('round-trips through JSON and never stores the seed by default', () => {
    const text = serializeKey(key);
    const back = parseKeyFile(text);
    expect(back).toEqual(key);
    expect(back.objective.margin).toBeNull(); // Infinity written as null
    expect(text).not.toContain('5a5a5a');
    expect(back.seed).toBeUndefined();
    expect(parseMethodKeyFile(text)).toEqual({ method: 'watermas', key });
    const obj = objectiveFromKey(model, back, { seed: 1 });
    expect(obj.getSettings()).toMatchObject({ replicas: 4, margin: Infinity });
    obj.dispose();
    expect(text.split('\n').length).toBeLessThan(80); // index arrays stay on one line
    const stored = createKey(model, { seed, payload: { kind: 'text', text: 'hi' }, storeSeed: true });
    expect(parseKeyFile(serializeKey(stored)).seed).toBe('5a'.repeat(32));
  });

  it('records live objective changes in step order; objectiveInForce folds them over the start', () => {
    const changed = { ...key, objectiveChanges: [{ step: 3, changes: { replicas: 0 } }, { step: 7, changes: { sigma: 0.03, margin: 0.5 } }] };
    const back = parseKeyFile(serializeKey(changed));
    expect(back.objectiveChanges).toEqual(changed.objectiveChanges);
    expect(objectiveInForce(back)).toMatchObject({ replicas: 0, sigma: 0.03, margin: 0.5, lambda: key.objective.lambda });
    expect(objectiveInForce(key)).toEqual(key.objective);
    expectKeyError(mutate((k) => (k.objectiveChanges = [{ step: 7, changes: { replicas: 1 } }, { step: 3, changes: { replicas: 2 } }])), 'invalid-schema', /objectiveChanges\[1\] \(step 3\).*step order/);
    expectKeyError(mutate((k) => (k.objectiveChanges = [{ step: -1, changes: {} }] as never)), 'invalid-schema', /objectiveChanges/);
  });

  it('rejects each malformed case with its specific error', () => {
    expectKeyError('{"format": ', 'not-json', /not valid JSON/);
    expectKeyError('[1,2]', 'wrong-format', /JSON object/);
    expectKeyError(mutate((k) => (k.format = 'something-else' as never)), 'wrong-format', /Not a WaterMAS Lab key file.*something-else/);
    expectKeyError(mutate((k) => (k.version = 3 as never)), 'unsupported-version', /version 3.*reads version 1/);
    expectKeyError(mutate((k) => (k.positions[0].indices[0] = -1)), 'invalid-schema', /positions\.0\.indices\.0/);
    expectKeyError(mutate((k) => delete (k as Partial<WatermasKey>).payload), 'invalid-schema', /payload/);
    expectKeyError(
      mutate((k) => {
        const g = k.positions[0];
        g.indices.push(g.indices[0]);
        k.payload = { kind: 'bits', bits: (k.payload as { bits: string }).bits + '1' };
      }),
      'duplicate-position',
      new RegExp(`Duplicate position: tensor '${key.positions[0].tensor}', index ${key.positions[0].indices[0]}`),
    );
    expectKeyError(
      mutate((k) => {
        k.positions[0].indices[0] = 10_000;
        k.positions[0].indices.sort((a, b) => a - b);
      }),
      'index-out-of-range',
      /Position 10000 is out of range for tensor '.*' of shape \[/,
    );
    expectKeyError(
      mutate((k) => (k.payload = { kind: 'bits', bits: '0101' })),
      'payload-length',
      /4 bits but the key has 40 positions/,
    );
    expectKeyError(mutate((k) => (k.positions[0].tensor = 'nope/kernel')), 'unknown-tensor', /'nope\/kernel'/);
    expectKeyError(mutate((k) => (k.architecture.tensors[0].shape = [3, 3, 3, 5])), 'fingerprint-mismatch', /fingerprint/);
    expectKeyError(
      mutate((k) => (k.payload = { kind: 'text', text: 'hello', bits: (k.payload as { bits: string }).bits })),
      'payload-mismatch',
      /UTF-8/,
    );
  });

  it('rejects a key for another architecture, naming the first mismatching tensor', () => {
    checkKeyAgainstModel(key, model); // same architecture: fine
    checkKeyAgainstModel(key, createTinyModel(99, GAP_TINY)); // other weights, same architecture: fine
    const wider = createTinyModel(3, { ...GAP_TINY, c1: 5 });
    expect(() => checkKeyAgainstModel(key, wider)).toThrow(KeyModelMismatchError);
    try {
      checkKeyAgainstModel(key, wider);
    } catch (e) {
      expect((e as KeyModelMismatchError).tensor).toBe('conv/kernel');
      expect((e as Error).message).toMatch(/'conv\/kernel' has shape \[3, 3, 3, 4\] in the key but \[3, 3, 3, 5\] in the model/);
    }
    // only the head differs: the first mismatch is the head kernel, not the conv
    const otherHead = createTinyModel(3, { ...GAP_TINY, classes: 5 });
    expect(() => checkKeyAgainstModel(key, otherHead)).toThrow(/'head\/dense\/kernel'/);
    const cnn = createModel('cnn', { seed: 1, inputShape: [8, 8, 3], numClasses: 3, options: { width: 4, hidden: 8 } });
    expect(() => checkKeyAgainstModel(key, cnn)).toThrow(/tensor 'conv\/kernel' is missing from the model/);
    // and a cnn key against the tiny model names the cnn's first tensor
    const cnnKey = createKey(cnn, { seed, payload: { kind: 'random-bits', count: 16 } });
    expect(() => checkKeyAgainstModel(cnnKey, model)).toThrow(/'conv1\/kernel' is missing/);
    cnn.dispose();
    wider.dispose();
    otherHead.dispose();
  });
});
