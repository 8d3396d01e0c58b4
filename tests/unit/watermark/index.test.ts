import { describe, expect, it } from 'vitest';
import * as wm from '../../../src/engine/watermark';

describe('watermark index', () => {
  it('re-exports the public API', () => {
    for (const name of [
      'selectPositions', 'randomSeed', 'seedFromPassphrase', 'architectureFingerprint', 'parseKeyFile', 'serializeKey',
      'checkKeyAgainstModel', 'createKey', 'applyKey', 'embedWatermark', 'WaterMASObjective', 'createWaterMASObjective',
      'verifyWatermark', 'calibrateNull', 'binomialPValue', 'textToBits', 'bitsToText', 'encodeImageValues',
      'createUchidaKey', 'UchidaObjective', 'verifyUchida', 'parseAnyKeyFile', 'subspaceSensitivity', 'readKeyValues',
    ]) {
      expect(typeof (wm as Record<string, unknown>)[name], name).toBe('function');
    }
    expect(wm.DEFAULT_P_THRESHOLD).toBe(1e-6);
    expect(wm.DEFAULT_STRENGTH).toBe(0.5);
  });
});
