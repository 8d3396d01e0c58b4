import type { Normalization } from '../data/types';
import type { Model, ParamRole } from '../models/types';
import { hashSeed } from '../random/rng';
import { train, type TrainConfig, type TrainHooks, type TrainResult } from '../train/trainer';
import type { BatchSource, StepContext } from '../train/types';
import { withTriggers } from './triggerBatches';
import type { FcwTriggers } from './types';
import { createWeightMasker, type MaskEvent, type WeightMasker } from './weightMasking';

export interface FcwEmbedOptions {
  readonly triggers: Pick<FcwTriggers, 'images' | 'target'>;
  /** Normalisation of the training source (the triggers get the same). */
  readonly normalization: Normalization;
  /** Seeds the trigger cycling (fork 'fcw/batches') and the masking (fork 'fcw/mask'). */
  readonly seed: number;
  /** Triggers appended to each batch (default 10). */
  readonly perBatch?: number;
  /** Fraction of conv weights zeroed per masking event (default 0.002); 0 disables masking. */
  readonly maskFraction?: number;
  /** Masking period in steps (default 10). */
  readonly maskPeriod?: number;
  /** Roles masked (default conv and depthwise kernels). */
  readonly maskRoles?: readonly ParamRole[];
}

export interface FcwTrainingSetup {
  /** The training source with the triggers appended to every batch. */
  readonly source: BatchSource;
  readonly masker: WeightMasker;
  /** Trainer hook doing the masking; chain your own beforeStep after it. */
  beforeStep(ctx: StepContext): void;
}

/** The pieces of FCW embedding, for callers that drive `train` themselves. */
export function fcwTrainingSetup(model: Model, source: BatchSource, opts: FcwEmbedOptions): FcwTrainingSetup {
  const masker = createWeightMasker(model, {
    seed: hashSeed(opts.seed, 'fcw/mask'),
    fraction: opts.maskFraction,
    period: opts.maskPeriod,
    roles: opts.maskRoles,
  });
  const wrapped = withTriggers(source, {
    triggers: opts.triggers.images,
    target: opts.triggers.target,
    normalization: opts.normalization,
    perBatch: opts.perBatch,
    seed: hashSeed(opts.seed, 'fcw/batches'),
  });
  return { source: wrapped, masker, beforeStep: (ctx) => masker.beforeStep(ctx) };
}

export interface FcwTrainResult extends TrainResult {
  /** The masking events that happened (step + positions). */
  readonly maskEvents: readonly MaskEvent[];
}

/**
 * Embeds an FCW watermark (methods.md §3 step 2) by training `model` in place (start from a
 * clean or pre-trained model): every batch of `source` gets `perBatch` triggers labelled with
 * the target, plain cross-entropy (unless hooks.objective says otherwise), and random weight
 * masking between steps. `hooks` are passed through; their beforeStep runs after the masking.
 */
export async function trainFcw(
  model: Model,
  source: BatchSource,
  config: TrainConfig,
  opts: FcwEmbedOptions,
  hooks: TrainHooks = {},
): Promise<FcwTrainResult> {
  const setup = fcwTrainingSetup(model, source, opts);
  const result = await train(model, setup.source, config, {
    ...hooks,
    beforeStep: async (ctx) => {
      setup.beforeStep(ctx);
      await hooks.beforeStep?.(ctx);
    },
  });
  return { ...result, maskEvents: setup.masker.events };
}
