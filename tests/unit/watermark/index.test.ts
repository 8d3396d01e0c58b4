import { describe, expect, it } from 'vitest';
import * as wm from '../../../src/engine/watermark';
import * as methods from '../../../src/engine/methods';

describe('watermark index', () => {
  it('re-exports the public API', () => {
    for (const name of [
      'selectPositions', 'randomSeed', 'seedFromPassphrase', 'architectureFingerprint', 'parseKeyFile', 'serializeKey',
      'checkKeyAgainstModel', 'createKey', 'applyKey', 'embedWatermark', 'WaterMASObjective', 'createWaterMASObjective',
      'verifyWatermark', 'calibrateNull', 'binomialPValue', 'textToBits', 'bitsToText', 'encodeImageValues',
      'createUchidaKey', 'UchidaObjective', 'verifyUchida', 'subspaceSensitivity', 'readKeyValues',
    ]) {
      expect(typeof (wm as Record<string, unknown>)[name], name).toBe('function');
    }
    expect(wm.DEFAULT_P_THRESHOLD).toBe(1e-6);
    expect(wm.DEFAULT_STRENGTH).toBe(0.5);
  });

  it('leaves the key of any method to engine/methods (the registry)', () => {
    expect('parseMethodKeyFile' in wm).toBe(false);
    for (const name of ['parseMethodKeyFile', 'serializeMethodKey', 'checkMethodKeyAgainstModel', 'keyEvidence', 'getMethod', 'startWatermarkSession', 'validateWatermarkConfig']) {
      expect(typeof (methods as Record<string, unknown>)[name], name).toBe('function');
    }
    expect(methods.METHODS.map((m) => m.id)).toEqual(['watermas', 'uchida', 'fcw']);
  });
});
