import { describe, expect, it } from 'vitest';
import {
  CLI_EPOCHS_LIMIT,
  SCHEDULE_NAMES,
  TRAIN_ARCHS,
  TRAIN_DEFAULTS,
  TRAIN_LIMITS,
  TrainSettingsSchema,
  limitText,
  parseTrainSettings,
  trainSettingsError,
  type NumericTrainSetting,
  type TrainSettings,
} from '../../../src/protocol/training';
import { ARCH_NAMES } from '../../../src/engine/models/registry';
import { SCHEDULE_NAMES as ENGINE_SCHEDULE_NAMES } from '../../../src/engine/train/schedules';
import { PRESETS } from '../../../src/ui/lecture/presets';
import { parseView } from '../../../src/ui/lecture/urlRegistry';
import { validateSettings } from '../../../src/ui/training/validateSettings';
import { validateTrainSettings } from '../../../src/workers/training/trainRun';
import { parseSweepSpec } from '../../../src/engine/sweep';
import { trainCommand } from '../../../src/cli/commands/train';
import { trainNum } from '../../../src/cli/trainFlags';
import { UsageError } from '../../../src/cli/args';

const D = TRAIN_DEFAULTS;

/** Each numeric setting's name in the URL hash, on `wmlab train`'s command line and in a sweep spec's train options. */
const NAMES: Record<NumericTrainSetting, { url: string; flag: string; sweep: string }> = {
  epochs: { url: 'epochs', flag: 'epochs', sweep: 'epochs' },
  batchSize: { url: 'batch', flag: 'batch', sweep: 'batch' },
  learningRate: { url: 'lr', flag: 'lr', sweep: 'lr' },
  momentum: { url: 'momentum', flag: 'momentum', sweep: 'momentum' },
  weightDecay: { url: 'wd', flag: 'weight-decay', sweep: 'weightDecay' },
  seed: { url: 'seed', flag: 'seed', sweep: 'seed' },
  trainLimit: { url: 'train', flag: 'train-limit', sweep: 'trainLimit' },
  testLimit: { url: 'test', flag: 'test-limit', sweep: 'testLimit' },
};

/** Just outside the contract's limits: every place must refuse them. */
const BAD: readonly (readonly [NumericTrainSetting, number])[] = [
  ['epochs', 10_001], ['epochs', 2.5], ['batchSize', 0], ['batchSize', 4097], ['learningRate', 0], ['learningRate', 10.5],
  ['momentum', 1], ['momentum', -0.1], ['weightDecay', -0.001], ['weightDecay', 1.5], ['seed', -1], ['seed', 2 ** 31], ['seed', 1.5],
  ['trainLimit', -1], ['trainLimit', 2.5], ['testLimit', -1],
];
/** At the edges of the limits: every place must take them (each was refused by one of the four places before issue 18). */
const EDGE: readonly (readonly [NumericTrainSetting, number])[] = [
  ['epochs', 1], ['epochs', 10_000], ['batchSize', 1], ['batchSize', 4096], ['learningRate', 1e-6], ['learningRate', 10],
  ['momentum', 0], ['momentum', 0.99995], ['weightDecay', 0], ['weightDecay', 1], ['seed', 0], ['seed', 2 ** 31 - 1],
  ['trainLimit', 0], ['testLimit', 0], ['testLimit', 100_000],
];

const cliArgs = (setting: NumericTrainSetting, v: number, ...more: string[]) => ['--data', 'synthetic', '--out', '/nonexistent/wmlab-out', `--${NAMES[setting].flag}=${v}`, ...more];
const sweepDoc = (setting: NumericTrainSetting, v: number) => ({ name: 't', data: 'synthetic', train: { [NAMES[setting].sweep]: v } });

describe('the training contract (protocol/training.ts)', () => {
  it('accepts the defaults and every lecture preset', () => {
    expect(parseTrainSettings(D)).toBe(D);
    expect(trainSettingsError(D)).toBeNull();
    for (const p of PRESETS) expect(trainSettingsError(p.settings), p.id).toBeNull();
  });

  it('refuses out-of-range values with a one-line reason in validateTrainSettings\'s words', () => {
    const reason = (patch: Partial<Record<keyof TrainSettings, unknown>>) => trainSettingsError({ ...D, ...patch });
    expect(reason({ arch: 'alexnet' })).toMatch(/^unknown model "alexnet"/);
    expect(reason({ epochs: 0 })).toBe('epochs must be a whole number in 1..10000, got 0');
    expect(reason({ batchSize: 4097 })).toBe('batch size must be a whole number in 1..4096, got 4097');
    expect(reason({ learningRate: 0 })).toBe('learning rate must be in (0, 10], got 0');
    expect(reason({ learningRate: Infinity })).toBe('learning rate must be in (0, 10], got Infinity');
    expect(reason({ optimizer: 'rmsprop' })).toMatch(/^unknown optimizer "rmsprop"/);
    expect(reason({ momentum: 1 })).toBe('momentum must be in [0, 1), got 1');
    expect(reason({ weightDecay: -1 })).toBe('weight decay must be in [0, 1], got -1');
    expect(reason({ schedule: 'linear' })).toMatch(/^unknown schedule "linear"/);
    expect(reason({ seed: 1.5 })).toBe('seed must be a whole number in 0..2147483647, got 1.5');
    expect(reason({ trainLimit: -1 })).toBe('train images must be a whole number >= 0, got -1');
    expect(reason({ testLimit: NaN })).toBe('test images must be a whole number >= 0, got NaN');
    expect(reason({ epochs: '3' })).toBe('epochs must be a whole number in 1..10000, got "3"');
    expect(reason({ augment: 'yes' })).toBe('augment must be true or false, got "yes"');
    expect(reason({ watermark: 3 })).toBe('watermark must be an object');
    expect(trainSettingsError(null)).toBe('training settings must be an object');
    expect(() => parseTrainSettings({ ...D, batchSize: 0 })).toThrow(/^batch size must be a whole number in 1\.\.4096, got 0$/);
  });

  it('lists the architectures, optimizers and schedules the engine has', () => {
    expect([...TRAIN_ARCHS]).toEqual([...ARCH_NAMES]);
    expect([...SCHEDULE_NAMES].sort()).toEqual([...ENGINE_SCHEDULE_NAMES].sort());
    expect(TrainSettingsSchema.shape.arch.options).toEqual([...TRAIN_ARCHS]);
  });
});

describe('every place that takes training settings uses the contract\'s limits', () => {
  it.each(BAD)('refuses %s = %s: schema, worker, form, URL registry, sweep spec, CLI flag', async (setting, v) => {
    const bad = { ...D, [setting]: v };
    expect(trainSettingsError(bad)).toMatch(new RegExp(`must be ${limitText(TRAIN_LIMITS[setting]).replace(/[.()[\]]/g, '\\$&')}`));
    expect(() => validateTrainSettings(bad)).toThrow(/must be/);
    expect(validateSettings(bad)).toMatch(/must be/);
    const url = parseView(`#${NAMES[setting].url}=${v}`, D);
    expect(url.state.settings).toEqual(D);
    expect(url.notices.join(' ')).toContain(`"${v}"`);
    expect(() => parseSweepSpec(sweepDoc(setting, v))).toThrow(/must be/);
    expect(() => trainNum(String(v), NAMES[setting].flag, setting, 0)).toThrow(UsageError);
    if (!(setting === 'epochs' && v === 0)) {
      await expect(trainCommand(cliArgs(setting, v), () => {})).rejects.toThrow(new RegExp(`^--${NAMES[setting].flag} must be`));
    }
  });

  it.each(EDGE)('takes %s = %s: schema, worker, form, URL registry, sweep spec, CLI flag', async (setting, v) => {
    const ok = { ...D, [setting]: v };
    expect(trainSettingsError(ok)).toBeNull();
    expect(() => validateTrainSettings(ok)).not.toThrow();
    expect(validateSettings(ok)).toBeNull();
    const url = parseView(`#${NAMES[setting].url}=${v}`, D);
    expect(url.notices).toEqual([]);
    expect(url.state.settings[setting]).toBe(v);
    expect(() => parseSweepSpec(sweepDoc(setting, v))).not.toThrow();
    expect(trainNum(String(v), NAMES[setting].flag, setting, 0)).toBe(v);
    // `wmlab train` parses its training flags before --log-every: a refusal of --log-every means the flag was taken.
    await expect(trainCommand(cliArgs(setting, v, '--log-every=0'), () => {})).rejects.toThrow(/^--log-every must be/);
  });

  it('lets only `wmlab train` (and a sweep spec) ask for 0 epochs: the untrained null model', async () => {
    expect(trainSettingsError({ ...D, epochs: 0 })).not.toBeNull();
    expect(trainNum('0', 'epochs', CLI_EPOCHS_LIMIT, 1)).toBe(0);
    expect(() => parseSweepSpec(sweepDoc('epochs', 0))).not.toThrow();
    await expect(trainCommand(cliArgs('epochs', 0, '--log-every=0'), () => {})).rejects.toThrow(/^--log-every must be/);
  });

  it('keeps the form\'s own check that a limited training set holds a batch', () => {
    expect(validateSettings({ ...D, trainLimit: 10, batchSize: 64 })).toBe('Train images must be at least one batch.');
    expect(validateSettings({ ...D, epochs: 0 })).toBe('Epochs must be a whole number in 1..10000.');
  });
});
