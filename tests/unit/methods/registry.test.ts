import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  METHODS,
  METHOD_INFOS,
  WATERMAS,
  getMethod,
  isConfigOf,
  keyOfMethod,
  methodInfo,
  uploadVerdict,
  verifyReportFields,
  type UploadVerification,
} from '../../../src/engine/methods';
import { stepApplies, trainArgv, withReplicas, type CellStep, type TrainOptions } from '../../../src/engine/sweep';
import { createKey } from '../../../src/engine/watermark/embed';
import { COMMITTED_KEY_VERSION, KEY_FORMAT, KeyFileError, parseKeyEnvelope, requireKeyMethod } from '../../../src/engine/watermark/keyFile';
import { seedFromHex } from '../../../src/engine/watermark/seed/seed';
import { methodLabel } from '../../../src/workers/runs/runRecord';
import type { TrainSettings } from '../../../src/protocol/api';
import type { WatermarkMethodId } from '../../../src/protocol/watermark';
import { createTinyModel, GAP_TINY } from '../../fixtures/tinyModel';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const keyError = (f: () => unknown): KeyFileError => {
  try {
    f();
  } catch (e) {
    if (e instanceof KeyFileError) return e;
    throw e;
  }
  throw new Error('no KeyFileError thrown');
};

describe('method registry: plain properties', () => {
  it('registers every method of the protocol\'s union', () => {
    // Fails to compile until a new method id is listed here.
    const ids: Record<WatermarkMethodId, true> = { watermas: true, uchida: true, fcw: true };
    expect(METHODS.map((m) => m.id).sort()).toEqual(Object.keys(ids).sort());
  });

  it('METHOD_INFOS lists the registered methods, in order, and every method carries its info', () => {
    expect(METHOD_INFOS.map((m) => m.id)).toEqual(METHODS.map((m) => m.id));
    for (const info of METHOD_INFOS) {
      const m = getMethod(info.id);
      for (const [name, value] of Object.entries(info)) expect(m[name as keyof typeof m], `${info.id}.${name}`).toBe(value);
      expect(methodInfo(info.id)).toBe(info);
    }
    expect(methodInfo('none')).toBeUndefined();
    expect(methodInfo(undefined)).toBeUndefined();
  });

  it('every registered method provides its properties and operations', () => {
    for (const m of METHODS) {
      for (const flag of ['committedKeys', 'hasKeyPositions', 'hasReplicas', 'keySeeded', 'triggerSet', 'needsRunnableModel'] as const) {
        expect(typeof m[flag], `${m.id}.${flag}`).toBe('boolean');
      }
      for (const op of ['replicasInForce', 'runLabel', 'uploadVerdict', 'verifyReport'] as const) expect(typeof m[op], `${m.id}.${op}`).toBe('function');
      expect(m.runLabel(undefined)).toBe(m.label);
    }
  });

  it('the properties that replaced the method switches keep their values', () => {
    const by = (flag: 'hasKeyPositions' | 'hasReplicas' | 'keySeeded' | 'triggerSet' | 'committedKeys') => METHODS.filter((m) => m[flag]).map((m) => m.id);
    expect(by('hasKeyPositions')).toEqual(['watermas']);
    expect(by('hasReplicas')).toEqual(['watermas']);
    expect(by('keySeeded')).toEqual(['watermas', 'uchida']);
    expect(by('triggerSet')).toEqual(['fcw']);
    expect(by('committedKeys')).toEqual(['watermas', 'uchida', 'fcw']);
  });

  it('labels a run with its main setting (methodLabel)', () => {
    const settings = (watermark: Record<string, unknown> | undefined) => ({ watermark }) as unknown as TrainSettings;
    expect(methodLabel('none', settings(undefined))).toBe('plain');
    expect(methodLabel('watermas', settings({ method: 'watermas', replicas: 4 }))).toBe('WaterMAS R=4');
    expect(methodLabel('watermas', settings(undefined))).toBe('WaterMAS');
    expect(methodLabel('uchida', settings({ method: 'uchida', lambda: 0.01 }))).toBe('Uchida λ=0.01');
    expect(methodLabel('uchida', settings({ method: 'uchida' }))).toBe('Uchida');
    expect(methodLabel('fcw', settings({ method: 'fcw', replicas: 4 }))).toBe('FCW');
    expect(methodLabel('something-else', settings(undefined))).toBe('something-else');
  });
});

describe('method registry: keys', () => {
  const model = createTinyModel(3, GAP_TINY);
  const key = createKey(model, { seed: seedFromHex('5a'.repeat(32)), payload: { kind: 'random-bits', count: 16 }, objective: { replicas: 3 } });

  it('replicasInForce: the WaterMAS key\'s R, null for the other methods', () => {
    expect(WATERMAS.replicasInForce(key)).toBe(3);
    expect(getMethod('uchida').replicasInForce({})).toBeNull();
    expect(getMethod('fcw').replicasInForce({})).toBeNull();
  });

  it('keyOfMethod and isConfigOf pick one method\'s keys and configs', () => {
    expect(keyOfMethod({ method: 'watermas', key }, WATERMAS)).toBe(key);
    expect(keyOfMethod({ method: 'fcw', key: {} } as never, WATERMAS)).toBeUndefined();
    expect(isConfigOf({ method: 'watermas' }, WATERMAS)).toBe(true);
    expect(isConfigOf({ method: 'uchida' }, WATERMAS)).toBe(false);
    expect(isConfigOf({}, WATERMAS)).toBe(false);
    expect(isConfigOf(undefined, WATERMAS)).toBe(false);
  });

  it('the shared envelope reads version 2 for a method with committed keys only', () => {
    const envelope = (o: Record<string, unknown>) => JSON.stringify({ format: KEY_FORMAT, ...o });
    for (const m of METHODS) expect(parseKeyEnvelope(envelope({ version: COMMITTED_KEY_VERSION, method: m.id })).method).toBe(m.id);
    expect(parseKeyEnvelope(envelope({ version: 1 })).version).toBe(1);
    for (const method of [undefined, 'none', 'other']) {
      expect(keyError(() => parseKeyEnvelope(envelope({ version: COMMITTED_KEY_VERSION, method }))).code).toBe('unsupported-version');
    }
  });

  it('requireKeyMethod names the key\'s method and the one expected', () => {
    expect(() => requireKeyMethod({ method: 'fcw' }, 'fcw', 'an FCW')).not.toThrow();
    const e = keyError(() => requireKeyMethod({ method: 'uchida' }, 'fcw', 'an FCW'));
    expect(e.code).toBe('wrong-method');
    expect(e.message).toBe('This is a "uchida" key, not an FCW key.');
    expect(keyError(() => requireKeyMethod({}, 'uchida', 'an Uchida')).message).toBe('This is a undefined key, not an Uchida key.');
  });
});

describe('method registry: sweeps', () => {
  it('landscapes and key interception apply to methods with key positions; derived key seeds to keyed methods', () => {
    const intercept = { kind: 'attack', file: 'attack-intercept.json', options: { attack: 'intercept' } } as CellStep;
    const noise = { kind: 'attack', file: 'attack-noise.json', options: { attack: 'noise' } } as CellStep;
    const landscape = { kind: 'landscape', file: 'landscape.json', options: {} } as CellStep;
    for (const m of METHODS) {
      expect(stepApplies(intercept, m.id)).toBe(m.hasKeyPositions);
      expect(stepApplies(landscape, m.id)).toBe(m.hasKeyPositions);
      expect(stepApplies(noise, m.id)).toBe(true);
      const argv = trainArgv({ model: 'cnn', method: m.id } as TrainOptions);
      expect(argv.includes('--key-seed'), m.id).toBe(m.keySeeded);
      expect(withReplicas(m.id)).toBe(m.hasReplicas);
    }
    expect(stepApplies(noise, 'none')).toBe(false);
    expect(trainArgv({ model: 'cnn', method: 'watermas', keySeed: 'ab' } as TrainOptions)).toEqual(['--model', 'cnn', '--method', 'watermas', '--key-seed', 'ab']);
    expect(withReplicas('none')).toBe(false);
    expect(withReplicas(undefined)).toBe(false);
  });
});

describe('method registry: upload verdicts and verify reports', () => {
  const commitment = { committed: false } as const;
  const bits = { n: 8, errors: 1, erasures: 1, ber: 0.125, pValue: 0.03, log10PValue: Math.log10(0.03), threshold: 1e-6, detected: false, decodedBits: '01010101', commitment };

  it('WaterMAS: per-tensor errors, payload, calibration; the CLI report names bits and a commitment note', () => {
    const result = {
      ...bits, payloadKind: 'bits', bitsLog10PValue: bits.log10PValue,
      calibration: { test: 'poisson-binomial', expectedErrors: 4, exact: true, signRates: [{ tensor: 'c1', positiveFraction: 0.5, extra: 1 }], uniformLog10PValue: -1 },
      perTensor: [{ tensor: 'c1', n: 8, errors: 1, erasures: 1 }],
    };
    const v = { method: 'watermas', keyFile: 'key.json', result } as unknown as UploadVerification;
    expect(uploadVerdict(v)).toEqual({
      method: 'watermas', keyFile: 'key.json',
      detected: false, n: 8, errors: 1, erasures: 1, ber: 0.125, pValue: 0.03, log10PValue: bits.log10PValue, threshold: 1e-6, commitment,
      perTensor: [{ tensor: 'c1', n: 8, errors: 1, erasures: 1 }], payloadKind: 'bits', decodedBits: '01010101',
      calibration: { test: 'poisson-binomial', signRates: [{ tensor: 'c1', positiveFraction: 0.5 }], uniformLog10PValue: -1 },
    });
    const report = verifyReportFields(v);
    expect(Object.keys(report)).toEqual(['bits', 'errors', 'erasures', 'ber', 'pValue', 'log10PValue', 'threshold', 'detected', 'calibration', 'commitment', 'payload', 'perTensor']);
    expect(report.commitment).toMatchObject({ committed: false, note: expect.stringMatching(/^uncommitted \(version 1\) key/) });
  });

  it('Uchida: the bit verdict without tensors; the CLI report is the result', () => {
    const result = { ...bits, message: 'hi' };
    const v = { method: 'uchida', keyFile: 'k.json', result } as unknown as UploadVerification;
    expect(uploadVerdict(v)).toEqual({
      method: 'uchida', keyFile: 'k.json',
      detected: false, n: 8, errors: 1, erasures: 1, ber: 0.125, pValue: 0.03, log10PValue: bits.log10PValue, threshold: 1e-6, message: 'hi', commitment,
      perTensor: [], payloadKind: 'text', decodedBits: '01010101',
    });
    expect(verifyReportFields(v)).toEqual(result);
  });

  it('FCW: trigger accuracy and no BER; the CLI report has the predictions as a plain array', () => {
    const result = { n: 10, hits: 9, accuracy: 0.9, pValue: 1e-8, log10PValue: -8, threshold: 1e-6, detected: true, predictions: Int32Array.from([1, 2]) };
    const v = { method: 'fcw', keyFile: 'k.json', result } as unknown as UploadVerification;
    expect(uploadVerdict(v)).toEqual({
      method: 'fcw', keyFile: 'k.json',
      detected: true, n: 10, errors: 1, erasures: 0, ber: null, triggerAccuracy: 0.9, pValue: 1e-8, log10PValue: -8, threshold: 1e-6, perTensor: [],
    });
    expect(verifyReportFields(v)).toEqual({ ...result, predictions: [1, 2] });
  });
});
