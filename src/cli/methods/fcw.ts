/**
 * `--method fcw` (methods.md §4): a function-coupled trigger set fused from the training set
 * (seeded by the run's --seed), appended to every batch, with weight masking before steps.
 */
import type { Dataset, Normalization } from '../../engine/data/types';
import {
  FCW_DEFAULT_MASK_FRACTION,
  FCW_DEFAULT_MASK_PERIOD,
  FCW_DEFAULT_PER_BATCH,
  FCW_DEFAULT_RATIO,
  FCW_DEFAULT_TRIGGER_COUNT,
  committedTriggers,
  createFcwKey,
  fcwNonce,
  fcwTrainingSetup,
  serializeFcwKey,
  verifyFcwKey,
  type FcwEmbedOptions,
  type FcwKey,
  type FcwTrainingSetup,
  type FcwTriggers,
} from '../../engine/fcw';
import type { Model } from '../../engine/models/types';
import type { RunMethod } from '../../engine/run';
import { num, oneOf } from '../args';
import type { CliMethod, TrainOptions } from './types';

/** The FCW flags, read before any work so that a bad value is a usage error (exit 2) up front. */
interface FcwFlags {
  readonly mode: 'direct' | 'invisible';
  readonly count: number;
  readonly perBatch: number;
  readonly maskFraction: number;
  readonly maskPeriod: number;
}

/** Reads --fcw-mode, --triggers, --triggers-per-batch, --mask-fraction, --mask-period (paper defaults). */
function fcwFlags(o: TrainOptions): FcwFlags {
  const s = (k: string) => o[k] as string | undefined;
  return {
    mode: oneOf(s('fcw-mode'), 'fcw-mode', ['direct', 'invisible'] as const, 'direct'),
    count: num(s('triggers'), 'triggers', { int: true, min: 1, max: 10_000, default: FCW_DEFAULT_TRIGGER_COUNT }),
    perBatch: num(s('triggers-per-batch'), 'triggers-per-batch', { int: true, min: 1, max: 4096, default: FCW_DEFAULT_PER_BATCH }),
    maskFraction: num(s('mask-fraction'), 'mask-fraction', { min: 0, max: 1, default: FCW_DEFAULT_MASK_FRACTION }),
    maskPeriod: num(s('mask-period'), 'mask-period', { int: true, min: 1, max: 1_000_000, default: FCW_DEFAULT_MASK_PERIOD }),
  };
}

interface FcwSetup {
  readonly triggers: FcwTriggers;
  readonly embed: FcwEmbedOptions;
  readonly key: FcwKey;
}

/**
 * Triggers fused from the training set (seeded by the run's --seed; the target class is drawn
 * from it too), the embedding options, and the key. Our choice: the key stores the trigger pixels
 * (so it verifies without the data set) and no measured chance rate (the verdict tests against
 * 1 / numClasses).
 */
function setupFcw(dataset: Dataset, normalization: Normalization, seed: number, arch: string, flags: FcwFlags): FcwSetup {
  const numClasses = dataset.classNames.length;
  // committed: the trigger generator's seed follows from a nonce (the run seed's), so the key can prove its triggers
  const nonce = fcwNonce(seed);
  const triggers = committedTriggers(dataset.train, { nonce, mode: flags.mode, count: flags.count, ratio: FCW_DEFAULT_RATIO, numClasses });
  const { perBatch, maskFraction, maskPeriod } = flags;
  const embed: FcwEmbedOptions = { triggers, normalization, seed, perBatch, maskFraction, maskPeriod };
  const key = createFcwKey(triggers, { numClasses, normalization, arch, embedding: { seed, perBatch, maskFraction, maskPeriod }, commit: { nonce, trainCount: dataset.train.count } });
  return { triggers, embed, key };
}

/** An FCW run (as engine/fcw trainFcw does it): triggers appended to every batch, masking before each step; `maskEvents()` counts the masking events. */
function fcwRunMethod(model: Model, setup: FcwSetup): RunMethod & { maskEvents(): number } {
  let training: FcwTrainingSetup | null = null;
  return {
    methodKey: { method: 'fcw', key: setup.key },
    source(stream) {
      training = fcwTrainingSetup(model, stream, setup.embed);
      return training.source;
    },
    trainHooks: () => ({
      beforeStep: (ctx) => {
        if (!training) throw new Error('FCW: source() must wrap the training batches before the first step');
        training.beforeStep(ctx);
      },
    }),
    maskEvents: () => training?.masker.events.length ?? 0,
    dispose: () => undefined,
  };
}

export const FCW_CLI: CliMethod<'fcw'> = {
  id: 'fcw',
  flags: ['triggers', 'fcw-mode', 'triggers-per-batch', 'mask-fraction', 'mask-period'],
  usage: `  fcw:      [--triggers N] [--fcw-mode direct|invisible] [--triggers-per-batch K] [--mask-fraction F] [--mask-period P]
            (triggers fused from the training set, seeded by --seed)`,
  checkpoint: false,
  readFlags(o) {
    const flags = fcwFlags(o);
    return {
      async start({ model, dataset, normalization, seed, arch, log }) {
        const fcw = setupFcw(dataset, normalization, seed, arch, flags);
        const runMethod = fcwRunMethod(model, fcw);
        const keyJson = serializeFcwKey(fcw.key);
        log(`watermark: FCW, ${fcw.triggers.images.count} ${fcw.triggers.mode} triggers -> class ${fcw.triggers.target}, ${fcw.embed.perBatch} per batch, masking ${fcw.embed.maskFraction} every ${fcw.embed.maskPeriod} steps`);
        return {
          runMethod,
          keyJson,
          async report(trained) {
            const fv = await verifyFcwKey(trained, fcw.key);
            return {
              triggers: fv.n, fcwMode: fcw.triggers.mode, target: fcw.triggers.target, triggersPerBatch: fcw.embed.perBatch,
              maskFraction: fcw.embed.maskFraction, maskPeriod: fcw.embed.maskPeriod, maskEvents: runMethod.maskEvents(),
              triggerAccuracy: fv.accuracy, triggerHits: fv.hits, chanceRate: fv.chanceRate, pValue: fv.pValue, detected: fv.detected,
            };
          },
        };
      },
    };
  },
};
