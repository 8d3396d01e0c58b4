import { describe, expect, it } from 'vitest';
import { DEFAULT_WATERMAS_SETTINGS, UCHIDA_DEFAULT_LAMBDA } from '../../../src/engine/watermark';
import { FCW_DEFAULTS } from '../../../src/engine/methods/fcw/session';
import { uchidaConfigOf } from '../../../src/engine/methods/uchida/session';
import { validateWatermarkConfig } from '../../../src/engine/methods';
import { DEFAULT_FCW, DEFAULT_UCHIDA, DEFAULT_WATERMARK, builtInLogo, withMethod } from '../../../src/ui/watermark/watermarkDefaults';

describe('Watermark panel defaults', () => {
  it('WaterMAS: the panel starts from the engine defaults', () => {
    const { replicas, sigma, lambda, mode, rho, margin, replicaBatch, balance } = DEFAULT_WATERMAS_SETTINGS;
    expect(DEFAULT_WATERMARK).toMatchObject({ replicas, sigma, lambda, mode, rho, margin, replicaBatch, balance });
  });


  it('Uchida and FCW: equal the engine defaults (the UI cannot import the engine)', () => {
    expect(DEFAULT_FCW).toEqual(FCW_DEFAULTS);
    expect(DEFAULT_UCHIDA).toEqual({ layer: '', lambda: UCHIDA_DEFAULT_LAMBDA });
    expect(uchidaConfigOf({ ...DEFAULT_WATERMARK, method: 'uchida' })).toEqual(DEFAULT_UCHIDA);
  });

  it('picking a method gives a valid, JSON-serialisable config (Uchida drops an image payload)', () => {
    const withImage = { ...DEFAULT_WATERMARK, payload: builtInLogo() };
    for (const m of ['none', 'watermas', 'uchida', 'fcw'] as const) {
      const c = withMethod(withImage, m);
      expect(c.method).toBe(m);
      expect(() => validateWatermarkConfig(c)).not.toThrow();
      expect(JSON.parse(JSON.stringify(c))).toEqual(c);
    }
    expect(withMethod(withImage, 'uchida').payload.kind).toBe('text');
    expect(withMethod(withImage, 'watermas').payload.kind).toBe('image');
    expect(withMethod(withImage, 'fcw').fcw).toEqual(DEFAULT_FCW);
    expect(() => validateWatermarkConfig({ ...withImage, method: 'uchida' })).toThrow(/not an image/);
  });
});
