import { describe, expect, it } from 'vitest';
import { TRAIN_DEFAULTS } from '../../../src/protocol/training';
import { WATERMAS_DEFAULTS, WATERMAS_RECIPE_2020 } from '../../../src/protocol/watermarkDefaults';
import { watermasSettingsError, type NumericWatermasSetting } from '../../../src/protocol/watermasSettings';
import { validateSettings } from '../../../src/engine/watermark/settings';
import { validateLiveSettings } from '../../../src/engine/methods/watermas/session';
import { PRESETS } from '../../../src/ui/lecture/presets';
import { parseView } from '../../../src/ui/lecture/urlRegistry';
import { parseSweepSpec } from '../../../src/engine/sweep';
import { trainCommand } from '../../../src/cli/commands/train';

const D = TRAIN_DEFAULTS;

/** Each numeric setting's name in the URL hash, on `wmlab train`'s command line and in a sweep spec's train options. */
const NAMES: Record<NumericWatermasSetting, { url: string; flag: string }> = {
  replicas: { url: 'R', flag: 'replicas' },
  sigma: { url: 'sigma', flag: 'sigma' },
  lambda: { url: 'lambda', flag: 'lambda' },
  rho: { url: 'rho', flag: 'rho' },
  margin: { url: 'margin', flag: 'margin' },
};

/** Just outside the contract's limits: every place must refuse them (R 17..64 and margin 0 were taken by the URL or the CLI, then refused by the run). */
const BAD: readonly (readonly [NumericWatermasSetting, number])[] = [
  ['replicas', -1], ['replicas', 1.5], ['replicas', 17], ['replicas', 64], ['sigma', -0.01], ['sigma', 10.5], ['lambda', -1], ['lambda', 2e6],
  ['rho', -1], ['rho', 101], ['margin', 0], ['margin', -3], ['margin', 2e6],
];
/** At the edges of the limits: every place must take them (λ 10 000 was refused by the URL). */
const EDGE: readonly (readonly [NumericWatermasSetting, number])[] = [
  ['replicas', 0], ['replicas', 16], ['sigma', 0], ['sigma', 10], ['lambda', 0], ['lambda', 10_000], ['lambda', 1e6], ['rho', 0], ['rho', 100],
  ['margin', 1e-3], ['margin', 1e6],
];

const cliArgs = (flag: string, v: number | string, ...more: string[]) => ['--data', 'synthetic', '--out', '/nonexistent/wmlab-out', '--method', 'watermas', `--${flag}=${v}`, ...more];
const sweepDoc = (setting: NumericWatermasSetting, v: number) => ({ name: 't', data: 'synthetic', train: { method: 'watermas', [setting]: v } });
const urlOf = (setting: NumericWatermasSetting, v: number | string) => parseView(`#wm=watermas&${NAMES[setting].url}=${v}`, D);

describe('the WaterMAS settings contract (protocol/watermasSettings.ts)', () => {
  it('accepts the defaults, the 2020 recipe and every lecture preset\'s mark', () => {
    expect(watermasSettingsError(WATERMAS_DEFAULTS)).toBeNull();
    expect(watermasSettingsError(WATERMAS_RECIPE_2020)).toBeNull();
    expect(watermasSettingsError({ ...WATERMAS_DEFAULTS, margin: Infinity })).toBeNull();
    for (const p of PRESETS) {
      const wm = p.settings.watermark;
      if (wm?.method === 'watermas') expect(watermasSettingsError(wm), p.id).toBeNull();
    }
  });

  it('refuses with a one-line reason that names the setting and its limit', () => {
    expect(watermasSettingsError({ replicas: 17 })).toBe('R must be a whole number in 0..16, got 17');
    expect(watermasSettingsError({ sigma: -1 })).toBe('σ (sigma) must be in [0, 10], got -1');
    expect(watermasSettingsError({ lambda: NaN })).toBe('λ (lambda) must be in [0, 1000000], got NaN');
    expect(watermasSettingsError({ margin: 0 })).toBe('margin m must be in (0, 1000000] or Infinity (off), got 0');
    expect(watermasSettingsError({ mode: 'flip', sigma: 2 })).toBe('σ (sigma) is the fraction of marks flipped in flip mode: at most 1, got 2');
    expect(watermasSettingsError({ mode: 'laplace' })).toBe('unknown replica mode "laplace" (gaussian, relative, flip, adversarial)');
    expect(watermasSettingsError({ balance: 'norm' })).toBe('unknown balance "norm" (loss, gradient)');
    expect(watermasSettingsError({ antithetic: 'yes' })).toBe('antithetic must be true or false, got "yes"');
    // a live change carries only some fields: the others are not checked
    expect(watermasSettingsError({ lambda: 2 })).toBeNull();
  });
});

describe('every place that takes WaterMAS settings uses the contract\'s limits', () => {
  it.each(BAD)('refuses %s = %s: engine, live change, URL registry, sweep spec, CLI flag', async (setting, v) => {
    expect(() => validateSettings({ ...WATERMAS_DEFAULTS, [setting]: v })).toThrow(RangeError);
    expect(() => validateLiveSettings({ [setting]: v })).toThrow(/must be/);
    const url = urlOf(setting, v);
    expect(url.notices.join(' ')).toContain(`"${v}"`);
    expect(url.state.settings.watermark?.method === 'watermas' ? url.state.settings.watermark[setting] : undefined).not.toBe(v);
    expect(() => parseSweepSpec(sweepDoc(setting, v))).toThrow();
    await expect(trainCommand(cliArgs(NAMES[setting].flag, v), () => {})).rejects.toThrow(new RegExp(`^--${NAMES[setting].flag} must be`));
  });

  it.each(EDGE)('takes %s = %s: engine, live change, URL registry, sweep spec, CLI flag', async (setting, v) => {
    expect(() => validateSettings({ ...WATERMAS_DEFAULTS, [setting]: v })).not.toThrow();
    expect(() => validateLiveSettings({ [setting]: v })).not.toThrow();
    const url = urlOf(setting, v);
    expect(url.notices).toEqual([]);
    expect(url.state.settings.watermark?.method === 'watermas' ? url.state.settings.watermark[setting] : undefined).toBe(v);
    expect(() => parseSweepSpec(sweepDoc(setting, v))).not.toThrow();
    // `wmlab train` reads the method's flags before --model-options: a refusal of --model-options means the flag was taken.
    await expect(trainCommand(cliArgs(NAMES[setting].flag, v, '--model-options=bad'), () => {})).rejects.toThrow(/^--model-options/);
  });

  it('takes the margin off (Infinity) in the URL ("off") and on the command line ("inf")', async () => {
    const url = urlOf('margin', 'off');
    expect(url.notices).toEqual([]);
    expect(url.state.settings.watermark?.method === 'watermas' && url.state.settings.watermark.margin).toBe(Infinity);
    await expect(trainCommand(cliArgs('margin', 'inf', '--model-options=bad'), () => {})).rejects.toThrow(/^--model-options/);
  });

  it('refuses σ above 1 in flip mode on the command line, before any training', async () => {
    await expect(trainCommand(cliArgs('sigma', 2, '--replica-mode=flip'), () => {})).rejects.toThrow(/^σ \(sigma\) is the fraction of marks flipped/);
  });
});
