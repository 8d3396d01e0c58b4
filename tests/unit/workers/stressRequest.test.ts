import { describe, expect, it } from 'vitest';
import { DEFAULT_STRESS_ATTACKS, stressRequestFrom } from '../../../src/ui/verify/StressForm';
import { limitsFromSearch } from '../../../src/ui/verify/verifyLimits';
import { attackCatalog } from '../../../src/workers/attack/attackRun';
import { validateLimits } from '../../../src/workers/verify/stressService';

describe('"Stress it" form and Verify limits (page side)', () => {
  const catalog = attackCatalog();
  const defaults = Object.fromEntries(catalog.map((a) => [a.id, { on: DEFAULT_STRESS_ATTACKS.includes(a.id), strengths: a.defaultStrengths.join(', ') }]));

  it('the default selection is noise, global pruning and quantization with their registry grids, on 256 images', () => {
    const r = stressRequestFrom(catalog, defaults, 256, 0);
    expect(r).toEqual({
      attacks: [
        { attack: 'noise', strengths: [0, 1, 2, 7, 10] },
        { attack: 'prune-global', strengths: [0, 0.5, 0.91, 0.95, 0.98, 0.99] },
        { attack: 'quantize', strengths: [16, 8, 6, 4, 2] },
      ],
      testLimit: 256,
      seed: 0,
    });
  });

  it('bad forms give a one-line reason instead of a request', () => {
    expect(stressRequestFrom(catalog, { ...defaults, noise: { on: true, strengths: '0, x' } }, 16, 0)).toMatch(/Gaussian noise: strengths must be/);
    expect(stressRequestFrom(catalog, Object.fromEntries(catalog.map((a) => [a.id, { on: false, strengths: '' }])), 16, 0)).toBe('choose at least one attack');
    expect(stressRequestFrom(catalog, defaults, 0, 0)).toMatch(/test images/);
  });

  it('limits come from ?verifyLimits= and the worker accepts only whole numbers >= 1 under known names', () => {
    const l = limitsFromSearch('?a=1&verifyLimits=maxTotalBytes:40000,maxJsonDepth:32');
    expect(l).toEqual({ maxTotalBytes: 40000, maxJsonDepth: 32 });
    expect(validateLimits(l)).toEqual(l);
    expect(limitsFromSearch('?x=1')).toBeUndefined();
    expect(() => validateLimits(limitsFromSearch('?verifyLimits=maxJsonDepth:abc'))).toThrow(/maxJsonDepth must be a whole number/);
    expect(() => validateLimits({ nope: 3 })).toThrow(/unknown import limit "nope"/);
    expect(validateLimits(undefined)).toBeUndefined();
  });
});
