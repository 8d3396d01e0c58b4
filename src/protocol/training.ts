/**
 * Training settings: the one contract the training form, the worker (`validateTrainSettings`),
 * the URL registry and `wmlab train` (and the sweep spec's train options) check against (issue 18).
 * The type, the defaults, the limits and the zod schema are written here once; re-exported by api.ts.
 *
 * Limits: where the four places differed, the widest of them that is still sane was kept (each
 * limit below says where it comes from), so that every setting one of them accepted for a real use
 * stays valid.
 */
import { z } from 'zod';
import type { WatermarkConfig } from './watermark';

/**
 * The architectures a run may name. The engine's model registry (src/engine/models/registry.ts,
 * ARCH_NAMES) must list the same names: tests/unit/protocol/trainSettings.test.ts checks it.
 */
export const TRAIN_ARCHS = ['cnn', 'resnet20', 'vgg11', 'mobilenetv3s', 'vit-tiny'] as const;
export type TrainArch = (typeof TRAIN_ARCHS)[number];

export const OPTIMIZER_NAMES = ['sgd', 'adam'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];
/** The engine's named schedules (src/engine/train/schedules.ts, SCHEDULE_NAMES). */
export const SCHEDULE_NAMES = ['constant', 'step', 'cosine'] as const;
export type ScheduleName = (typeof SCHEDULE_NAMES)[number];

export interface TrainSettings {
  readonly arch: string;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly optimizer: OptimizerName;
  readonly momentum: number;
  readonly weightDecay: number;
  readonly schedule: ScheduleName;
  readonly seed: number;
  /** Use only the first N training images (0 = all). */
  readonly trainLimit: number;
  /** Evaluate on the first N test images (0 = all). */
  readonly testLimit: number;
  readonly augment: boolean;
  /** Watermark embedded before training (absent or method 'none' = plain training). */
  readonly watermark?: WatermarkConfig;
}

/**
 * Sensible defaults for a first run in a browser (a few minutes on a decent GPU): the page's
 * defaults; lecture presets start from them, and `wmlab train` takes its hyper-parameter
 * defaults from them (batch, learning rate, optimizer, momentum, weight decay, schedule, seed).
 */
export const TRAIN_DEFAULTS: TrainSettings = {
  arch: 'cnn',
  epochs: 2,
  batchSize: 64,
  learningRate: 0.05,
  optimizer: 'sgd',
  momentum: 0.9,
  weightDecay: 5e-4,
  schedule: 'cosine',
  seed: 1,
  trainLimit: 5000,
  testLimit: 1000,
  augment: true,
};

/** A numeric setting's range; bounds are inclusive unless marked exclusive. */
export interface NumberLimit {
  /** A whole number. */
  readonly int?: boolean;
  readonly min: number;
  readonly minExclusive?: boolean;
  /** Number.MAX_SAFE_INTEGER: no upper limit. */
  readonly max: number;
  readonly maxExclusive?: boolean;
}

export type NumericTrainSetting = 'epochs' | 'batchSize' | 'learningRate' | 'momentum' | 'weightDecay' | 'seed' | 'trainLimit' | 'testLimit';

/** The limits of the numeric training settings, each written once. */
export const TRAIN_LIMITS: Readonly<Record<NumericTrainSetting, NumberLimit>> = {
  // >= 1: form, worker, URL (the engine's trainer needs a whole number >= 1; `wmlab train --epochs 0`,
  // the untrained "null model", is the CLI's own switch, not a training setting).
  // <= 10 000: the CLI's and the sweep spec's limit (the URL stopped at 500, the form's input hinted 500; the worker had none).
  epochs: { int: true, min: 1, max: 10_000 },
  // <= 4096: the worker's, the CLI's and the sweep spec's limit (the URL stopped at 1024, the form's input hinted 1024).
  batchSize: { int: true, min: 1, max: 4096 },
  // > 0: form, worker, URL (the CLI took 0: a run that learns nothing). <= 10: the URL's and the CLI's limit.
  learningRate: { min: 0, minExclusive: true, max: 10 },
  // [0, 1): form, worker, URL (the CLI stopped at 0.9999).
  momentum: { min: 0, max: 1, maxExclusive: true },
  // <= 1: the URL's and the CLI's limit (form and worker: none).
  weightDecay: { min: 0, max: 1 },
  // <= 2^31 - 1: the URL's and the CLI's limit (form and worker: none).
  seed: { int: true, min: 0, max: 0x7fff_ffff },
  // >= 0 (0 = all): form, worker, URL (the CLI's --train-limit / --test-limit took >= 1; absent = all).
  trainLimit: { int: true, min: 0, max: Number.MAX_SAFE_INTEGER },
  testLimit: { int: true, min: 0, max: Number.MAX_SAFE_INTEGER },
};

/** How a setting's name reads in messages ("batch size must be ..."). */
export const TRAIN_SETTING_LABELS: Readonly<Record<keyof TrainSettings, string>> = {
  arch: 'model',
  epochs: 'epochs',
  batchSize: 'batch size',
  learningRate: 'learning rate',
  optimizer: 'optimizer',
  momentum: 'momentum',
  weightDecay: 'weight decay',
  schedule: 'schedule',
  seed: 'seed',
  trainLimit: 'train images',
  testLimit: 'test images',
  augment: 'augment',
  watermark: 'watermark',
};

/** "a whole number in 1..4096", "a whole number >= 0", "in (0, 10]", "in [0, 1)". */
export function limitText(l: NumberLimit): string {
  if (l.int && !l.minExclusive && !l.maxExclusive) return l.max >= Number.MAX_SAFE_INTEGER ? `a whole number >= ${l.min}` : `a whole number in ${l.min}..${l.max}`;
  return `${l.int ? 'a whole number ' : ''}in ${l.minExclusive ? '(' : '['}${l.min}, ${l.max}${l.maxExclusive ? ')' : ']'}`;
}

/** Whether a value is within a limit (finite, whole when asked). */
export function withinLimit(l: NumberLimit, v: unknown): v is number {
  if (typeof v !== 'number' || !Number.isFinite(v)) return false;
  if (l.int && !Number.isInteger(v)) return false;
  if (l.minExclusive ? !(v > l.min) : !(v >= l.min)) return false;
  return l.maxExclusive ? v < l.max : v <= l.max;
}

/** The one-line reason a numeric setting is out of its limits ("batch size must be a whole number in 1..4096, got 0"), else null. */
export function limitError(setting: NumericTrainSetting, v: unknown): string | null {
  return withinLimit(TRAIN_LIMITS[setting], v) ? null : `${TRAIN_SETTING_LABELS[setting]} must be ${limitText(TRAIN_LIMITS[setting])}, got ${show(v)}`;
}

function show(v: unknown): string {
  return typeof v === 'string' ? `"${v}"` : String(v);
}

/** A zod schema of a number within a limit; its message: "<label> must be <limit>, got <value>". */
export function limitSchema(l: NumberLimit, label: string): z.ZodType<number> {
  return z.custom<number>((v) => withinLimit(l, v), { error: (iss) => `${label} must be ${limitText(l)}, got ${show(iss.input)}` });
}
const limited = (setting: NumericTrainSetting) => limitSchema(TRAIN_LIMITS[setting], TRAIN_SETTING_LABELS[setting]);

/**
 * `wmlab train --epochs` (and a sweep spec's `epochs`): the contract's epochs, or 0, the CLI's
 * untrained "null model" (the initialised, possibly marked, model written without a training step).
 */
export const CLI_EPOCHS_LIMIT: NumberLimit = { ...TRAIN_LIMITS.epochs, min: 0 };
const oneOf = <T extends string>(setting: keyof TrainSettings, values: readonly [T, ...T[]]) =>
  z.enum(values, { error: (iss) => `unknown ${TRAIN_SETTING_LABELS[setting]} ${show(iss.input)} (${values.join(', ')})` });

/**
 * The schema of TrainSettings. Each field's schema (`TrainSettingsSchema.shape.epochs`...) is used
 * alone where one setting is read at a time (the URL registry, the sweep spec). The watermark is
 * only checked to be an object here: its method's validation is the engine's (validateWatermarkConfig).
 */
export const TrainSettingsSchema = z.object({
  arch: oneOf('arch', [...TRAIN_ARCHS]),
  epochs: limited('epochs'),
  batchSize: limited('batchSize'),
  learningRate: limited('learningRate'),
  optimizer: oneOf('optimizer', [...OPTIMIZER_NAMES]),
  momentum: limited('momentum'),
  weightDecay: limited('weightDecay'),
  schedule: oneOf('schedule', [...SCHEDULE_NAMES]),
  seed: limited('seed'),
  trainLimit: limited('trainLimit'),
  testLimit: limited('testLimit'),
  augment: z.boolean({ error: (iss) => `augment must be true or false, got ${show(iss.input)}` }),
  watermark: z.custom<WatermarkConfig>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { error: 'watermark must be an object' }).optional(),
});

/** The first reason the settings are invalid (one line), or null when they are valid. */
export function trainSettingsError(x: unknown): string | null {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return 'training settings must be an object';
  const r = TrainSettingsSchema.safeParse(x);
  if (r.success) return null;
  return r.error.issues[0]?.message ?? 'invalid training settings';
}

/** Checked training settings; throws an Error with a one-line reason ("epochs must be a whole number in 1..10000, got 0"). */
export function parseTrainSettings(x: unknown): TrainSettings {
  const error = trainSettingsError(x);
  if (error !== null) throw new Error(error);
  return x as TrainSettings;
}
