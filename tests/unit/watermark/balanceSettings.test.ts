import { describe, expect, it } from 'vitest';
import { DEFAULT_WATERMAS_SETTINGS, RECIPE_2020_SETTINGS, settingsFromKey, settingsToKey, validateSettings } from '../../../src/engine/watermark/settings';
import { validateLiveSettings } from '../../../src/engine/methods/watermas/session';

// What λ scales (settings.ts, `balance`): recorded in the key file, read back, and checked at each boundary.
describe('balance setting', () => {
  it('round-trips through the key file form; a key written before it existed reads the loss form', () => {
    for (const replicaBatch of ['split', 'half'] as const) {
      const s = { ...DEFAULT_WATERMAS_SETTINGS, balance: 'gradient' as const, replicaBatch };
      expect(settingsFromKey(settingsToKey(s))).toEqual(s);
      expect(() => validateSettings(s)).not.toThrow();
    }
    const { balance: _omitted, ...older } = settingsToKey(RECIPE_2020_SETTINGS);
    expect(settingsFromKey(older).balance).toBe('loss');
  });

  it('refuses an unknown value in the engine and over the worker boundary', () => {
    expect(() => validateSettings({ ...DEFAULT_WATERMAS_SETTINGS, balance: 'norm' as never })).toThrow(/balance/);
    expect(() => validateLiveSettings({ balance: 'norm' as never })).toThrow(/balance/);
    expect(() => validateLiveSettings({ balance: 'gradient' })).not.toThrow();
    expect(() => validateLiveSettings({ balance: 'gradient', replicaBatch: 'half' })).not.toThrow();
    expect(() => validateLiveSettings({ replicaBatch: 'quarter' as never })).toThrow(/replica batch mode "quarter" \(full, split, half\)/);
  });
});
