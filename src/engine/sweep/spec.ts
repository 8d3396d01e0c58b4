/**
 * The sweep spec (issue 19): one JSON (or YAML) document that names many runs. Each run is a
 * `wmlab train` with the spec's `train` options, overridden by one entry of `runs` (a list) and
 * one point of `grid` (the cross product of its value lists), then the spec's attacks,
 * landscapes and verification on the trained model.
 *
 *   { "name": "r-vs-seed", "data": "synthetic",
 *     "train": { "model": "cnn", "modelOptions": { "width": 4 }, "epochs": 1, "method": "watermas" },
 *     "grid": { "replicas": [0, 2], "seed": [1, 2] },
 *     "attacks": [{ "attack": "noise", "strengths": [0, 1] }],
 *     "landscapes": [{ "controls": 4, "evalSize": 256 }] }
 *
 * Option names are `wmlab train`'s flags in camelCase (`--train-limit` → `trainLimit`); the CLI
 * checks ranges again when it runs a cell. Parsing fails with the path of the bad field.
 */
import { z } from 'zod';
import { FINE_TUNE_MODES, INTERCEPT_MODES } from '../../protocol/analysis';
import { BALANCE_MODES, REPLICA_BATCH_MODES, REPLICA_BN_MODES, REPLICA_MODES, WATERMAS_LIMITS, watermasLimitSchema } from '../../protocol/watermasSettings';
import { CLI_EPOCHS_LIMIT, TRAIN_ARCHS, TrainSettingsSchema, limitSchema } from '../../protocol/training';

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.number().int().min(min).max(max);
const num = (min: number, max: number) => z.number().min(min).max(max);
const scalar = z.union([z.number(), z.string(), z.boolean()]);

/** Architectures (the training contract's, protocol/training.ts) and methods as `wmlab train` takes them (kept in step by the CLI test). */
export const SWEEP_ARCHS = TRAIN_ARCHS;
export const SWEEP_METHODS = ['none', 'watermas', 'uchida', 'fcw'] as const;

/**
 * The `wmlab train` options a sweep may set, by camelCase name (data and out belong to the sweep).
 * The training settings' limits are the training contract's (protocol/training.ts), as the CLI's.
 */
export const TRAIN_OPTION_SCHEMAS = {
  model: TrainSettingsSchema.shape.arch,
  modelOptions: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/, 'an option name (letters and digits)'), scalar),
  epochs: limitSchema(CLI_EPOCHS_LIMIT, 'epochs'),
  batch: TrainSettingsSchema.shape.batchSize,
  lr: TrainSettingsSchema.shape.learningRate,
  optimizer: TrainSettingsSchema.shape.optimizer,
  momentum: TrainSettingsSchema.shape.momentum,
  weightDecay: TrainSettingsSchema.shape.weightDecay,
  schedule: TrainSettingsSchema.shape.schedule,
  warmup: z.union([int(0, 1_000_000), z.literal('auto')]),
  augment: TrainSettingsSchema.shape.augment,
  seed: TrainSettingsSchema.shape.seed,
  trainLimit: TrainSettingsSchema.shape.trainLimit,
  testLimit: TrainSettingsSchema.shape.testLimit,
  backend: z.enum(['auto', 'wasm', 'cpu', 'webgpu']),
  logEvery: int(1),
  method: z.enum(SWEEP_METHODS),
  // the WaterMAS objective: the contract's limits (protocol/watermasSettings.ts)
  replicas: watermasLimitSchema('replicas', 'replicas'),
  sigma: watermasLimitSchema('sigma', 'sigma'),
  lambda: watermasLimitSchema('lambda', 'lambda'),
  replicaMode: z.enum(REPLICA_MODES),
  rho: watermasLimitSchema('rho', 'rho'),
  margin: z.union([limitSchema(WATERMAS_LIMITS.margin, 'margin'), z.literal('inf')]),
  antithetic: z.boolean(),
  replicaBn: z.enum(REPLICA_BN_MODES),
  replicaBatch: z.enum(REPLICA_BATCH_MODES),
  balance: z.enum(BALANCE_MODES),
  allocation: z.enum(['proportional', 'equal']),
  bits: int(1, 1_000_000),
  message: z.string().min(1),
  strength: num(0, 1),
  keySeed: z.string().regex(/^[0-9a-fA-F]{64}$/, '64 hex digits'),
  passphrase: z.string().min(1),
  uchidaLayer: z.string().min(1),
  triggers: int(1),
  fcwMode: z.enum(['direct', 'invisible']),
  triggersPerBatch: int(0),
  maskFraction: num(0, 1),
  maskPeriod: int(1),
  init: z.string().min(1),
} as const;

export type TrainOptionName = keyof typeof TRAIN_OPTION_SCHEMAS;
export const TRAIN_OPTION_NAMES = Object.keys(TRAIN_OPTION_SCHEMAS) as TrainOptionName[];
export type TrainOptions = { -readonly [K in TrainOptionName]?: z.infer<(typeof TRAIN_OPTION_SCHEMAS)[K]> };

const trainOptions = z.strictObject(TRAIN_OPTION_SCHEMAS).partial();

/** A grid axis: a train option and the values it takes (each checked like the option itself). */
const grid = z
  .record(z.string(), z.array(z.unknown()).min(1, 'needs at least one value'))
  .superRefine((g, ctx) => {
    for (const [name, values] of Object.entries(g)) {
      const schema = (TRAIN_OPTION_SCHEMAS as Record<string, z.ZodType>)[name];
      if (!schema) {
        ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" is not a wmlab train option (${TRAIN_OPTION_NAMES.join(', ')})` });
        continue;
      }
      values.forEach((v, i) => {
        const r = schema.safeParse(v);
        if (!r.success) ctx.addIssue({ code: 'custom', path: [name, i], message: r.error.issues[0]?.message ?? 'invalid value' });
      });
    }
  });

/** One attack sweep on every trained model (`wmlab attack` options in camelCase: the protocol's AttackSweepSettings, plus its batch). */
const attackStep = z.strictObject({
  attack: z.enum(['noise', 'prune', 'prune-global', 'quantize', 'finetune', 'overwrite', 'intercept', 'shift', 'permute']),
  strengths: z.array(z.number().finite()).min(1).optional(),
  testLimit: int(1).optional(),
  seed: int(0).optional(),
  batch: int(1, 4096).optional(),
  finetuneMode: z.enum(FINE_TUNE_MODES).optional(),
  attackerLimit: int(1).optional(),
  interceptMode: z.enum(INTERCEPT_MODES).optional(),
});

/** One landscape measurement (`wmlab landscape` options in camelCase); WaterMAS keys only. */
const landscapeStep = z.strictObject({
  grid: int(3, 201).optional(),
  radius: num(0, 100).optional(),
  dims: z.union([z.literal(1), z.literal(2)]).optional(),
  evalSize: int(1, 10_000).optional(),
  seed: int(0).optional(),
  eigenIters: int(0, 500).optional(),
  noise: num(0, 10).optional(),
  noiseDraws: int(0, 1000).optional(),
  controls: int(0, 100).optional(),
  relativeRadius: num(0, 100).optional(),
  flip: num(0, 1).optional(),
});

/** `wmlab verify` of the trained model with its key (method none: nothing to verify). */
const verifyStep = z.strictObject({
  threshold: num(0, 1).optional(),
  nullModels: int(1, 1000).optional(),
  nullSeed: int(0).optional(),
});

export const sweepSpecSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, ".", "_" or "-" (at most 64)'),
  description: z.string().optional(),
  /** "synthetic" or a CIFAR-10 directory (relative to where the sweep runs; `--data` overrides it). */
  data: z.string().min(1),
  train: trainOptions.default({}),
  grid: grid.default({}),
  /** A list of runs (each a set of train options over `train`), crossed with the grid. */
  runs: z.array(trainOptions).min(1).optional(),
  attacks: z.array(attackStep).default([]),
  landscapes: z.array(landscapeStep).default([]),
  verify: z.union([z.boolean(), verifyStep]).default(false),
});

export type SweepSpec = z.infer<typeof sweepSpecSchema>;
export type AttackStep = z.infer<typeof attackStep>;
export type LandscapeStep = z.infer<typeof landscapeStep>;
export type VerifyStep = z.infer<typeof verifyStep>;

/** A spec that fails validation: the message names the field ("grid.replicas[1]: ..."). */
export class SweepSpecError extends Error {
  override name = 'SweepSpecError';
}

/** Validates a parsed spec document; throws SweepSpecError naming the first bad fields. */
export function parseSweepSpec(doc: unknown, source = 'spec'): SweepSpec {
  const r = sweepSpecSchema.safeParse(doc);
  if (r.success) return r.data;
  const lines = r.error.issues.slice(0, 3).map((i) => `${fieldPath(i.path)}: ${issueMessage(i)}`);
  const more = r.error.issues.length > 3 ? ` (and ${r.error.issues.length - 3} more)` : '';
  throw new SweepSpecError(`${source}: ${lines.join('; ')}${more}`);
}

function issueMessage(i: z.core.$ZodIssue): string {
  if (i.code === 'unrecognized_keys') {
    return `unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  return i.message;
}

/** ["grid", "replicas", 1] → "grid.replicas[1]"; [] → "(top level)". */
export function fieldPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}
