/**
 * Function-coupled watermark (FCW, methods.md §3) driving a training run: triggers fused from the
 * run's training images, appended to every batch, random weight masking, live trigger accuracy
 * and the final report (the worker's trigger gallery: workers/watermark/fcwGallery.ts). The same engine calls as `wmlab train --method fcw`
 * (src/cli/methods/fcw.ts): triggers and embedding seeded by the run's seed, the key
 * stores the trigger pixels (it verifies without the data set) and no measured chance rate.
 */
import type { ImageSet, Normalization } from '../../data/types';
import {
  FCW_DEFAULT_MASK_FRACTION,
  FCW_DEFAULT_MASK_PERIOD,
  FCW_DEFAULT_PER_BATCH,
  FCW_DEFAULT_RATIO,
  FCW_DEFAULT_TRIGGER_COUNT,
  createFcwKey,
  fcwTrainingSetup,
  committedTriggers,
  fcwNonce,
  triggerAccuracy,
  verifyFcw,
  type FcwTrainingSetup,
  type FcwTriggers,
} from '../../fcw';
import type { Model } from '../../models/types';
import type { FcwConfig, FcwMarkConfig, WatermarkLiveSettings } from '../../../protocol/watermark';
import { FIXED_SETTINGS, type MethodSession, type SessionContext } from '../session';

/** Most triggers in the lab (our choice: the gallery and every progress report run them all). */
export const MAX_FCW_TRIGGERS = 500;

/** The engine's (and the CLI's) FCW defaults: 30 direct triggers, r = 0.5, 10 per batch, 0.2 % every 10 steps. */
export const FCW_DEFAULTS: FcwConfig = {
  triggers: FCW_DEFAULT_TRIGGER_COUNT,
  mode: 'direct',
  ratio: FCW_DEFAULT_RATIO,
  perBatch: FCW_DEFAULT_PER_BATCH,
  maskFraction: FCW_DEFAULT_MASK_FRACTION,
  maskPeriod: FCW_DEFAULT_MASK_PERIOD,
};

/** The FCW settings of a config, engine defaults where absent. */
export function fcwConfigOf(c: Pick<FcwMarkConfig, 'fcw'>): FcwConfig {
  return { ...FCW_DEFAULTS, ...c.fcw };
}

/** Checks FCW settings; throws a one-line reason. */
export function validateFcwConfig(f: FcwConfig): void {
  if (!(Number.isInteger(f.triggers) && f.triggers >= 1 && f.triggers <= MAX_FCW_TRIGGERS)) throw new Error(`trigger count must be a whole number in 1..${MAX_FCW_TRIGGERS}, got ${f.triggers}`);
  if (f.mode !== 'direct' && f.mode !== 'invisible') throw new Error(`unknown fusion mode "${String(f.mode)}"`);
  if (!(f.ratio >= 0 && f.ratio <= 1)) throw new Error(`blend ratio must be in [0, 1], got ${f.ratio}`);
  if (!(Number.isInteger(f.perBatch) && f.perBatch >= 1 && f.perBatch <= f.triggers)) throw new Error(`triggers per batch must be a whole number in 1..${f.triggers} (the trigger count), got ${f.perBatch}`);
  if (!(f.maskFraction >= 0 && f.maskFraction <= 1)) throw new Error(`mask fraction must be in [0, 1], got ${f.maskFraction}`);
  if (!(Number.isInteger(f.maskPeriod) && f.maskPeriod >= 1)) throw new Error(`mask period must be a whole number >= 1, got ${f.maskPeriod}`);
}

/**
 * The triggers a run with these settings fuses from its training images: committed to the nonce
 * the run's seed gives (engine/fcw/keyFile.ts, committedTriggers), so the key can prove them.
 */
export function fcwTriggersFor(trainSet: ImageSet, numClasses: number, seed: number, f: FcwConfig): FcwTriggers {
  validateFcwConfig(f);
  return committedTriggers(trainSet, { nonce: fcwNonce(seed), mode: f.mode, count: f.triggers, ratio: f.ratio, numClasses });
}

/**
 * Starts an FCW-marked run on the fresh `model`: fuses the triggers from the run's training
 * images (seed = the run's seed; the target class is drawn from it too) and builds the key.
 * `source()` wraps the run's batches (triggers appended) and creates the masker; the
 * trainer's beforeStep does the masking.
 */
export function startFcw(model: Model, config: FcwMarkConfig, ctx: SessionContext): MethodSession & { readonly triggers: FcwTriggers } {
  const f = fcwConfigOf(config);
  validateFcwConfig(f);
  const numClasses = model.config.numClasses;
  const triggers = fcwTriggersFor(ctx.trainSet, numClasses, ctx.seed, f);
  const normalization: Normalization = ctx.normalization;
  const embedding = { seed: ctx.seed, perBatch: f.perBatch, maskFraction: f.maskFraction, maskPeriod: f.maskPeriod };
  const key = createFcwKey(triggers, { numClasses, normalization, arch: model.config.arch, embedding, commit: { nonce: fcwNonce(ctx.seed), trainCount: ctx.trainSet.count } });
  // Triggers, key and masking seeds are host data; only the model changes after a lost device.
  let current = model;
  let setup: FcwTrainingSetup | null = null;
  /** Mask events of the setups before a move that the restored checkpoint holds. */
  let earlierEvents = 0;
  const maskEvents = () => earlierEvents + (setup?.masker.events.length ?? 0);
  const methodKey = { method: 'fcw' as const, key };
  const settings: WatermarkLiveSettings = FIXED_SETTINGS;
  return {
    method: 'fcw',
    methodKey,
    triggers,
    source(stream) {
      setup = fcwTrainingSetup(current, stream, { triggers, normalization, ...embedding });
      return setup.source;
    },
    trainHooks: () => ({
      beforeStep: (s) => {
        if (!setup) throw new Error('FCW: source() must wrap the training batches before the first step');
        setup.beforeStep(s);
      },
    }),
    async progress(metrics) {
      const a = await triggerAccuracy(current, triggers.images, triggers.target, { normalization });
      return {
        method: 'fcw',
        ber: 1 - a.accuracy,
        errors: a.n - a.hits,
        bits: a.n,
        frozenUnchanged: true,
        triggerAccuracy: { hits: a.hits, n: a.n, accuracy: a.accuracy, target: triggers.target },
        maskEvents: maskEvents(),
        settings,
        settingsSinceStep: 0,
        metrics: { ...metrics },
      };
    },
    async report(trained) {
      const v = await verifyFcw(trained, triggers.images, triggers.target, { normalization });
      return {
        method: 'fcw',
        payloadKind: 'triggers',
        bits: v.n,
        errors: v.n - v.hits,
        erasures: 0,
        ber: 1 - v.accuracy,
        pValue: v.pValue,
        log10PValue: v.log10PValue,
        threshold: v.threshold,
        detected: v.detected,
        frozenUnchanged: true,
        perTensor: [],
        keyTensors: 0,
        seedSource: 'run-seed',
        fcw: {
          hits: v.hits, n: v.n, accuracy: v.accuracy, target: v.target, chanceRate: v.chanceRate, mode: triggers.mode,
          predictions: Array.from(v.predictions), maskEvents: maskEvents(),
          perBatch: f.perBatch, maskFraction: f.maskFraction, maskPeriod: f.maskPeriod,
        },
      };
    },
    async moveTo(next, fromStep) {
      // An event before step k runs after k steps, so the checkpoint of step `fromStep` holds the
      // events before it; the resumed setup (source() on `next`) masks again from `fromStep` on
      // (the same seeded positions).
      earlierEvents += setup ? setup.masker.events.filter((e) => e.step < fromStep).length : 0;
      setup = null;
      current = next;
    },
    dispose: () => undefined,
  };
}
