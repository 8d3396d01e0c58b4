/**
 * Function-coupled watermark (FCW, methods.md §3) in the lab's worker: triggers fused from the
 * run's training images, appended to every batch, random weight masking, live trigger accuracy,
 * the final report and the trigger gallery. The same engine calls as `wmlab train --method fcw`
 * (src/cli/trainMethods.ts setupFcw): triggers and embedding seeded by the run's seed, the key
 * stores the trigger pixels (it verifies without the data set) and no measured chance rate.
 */
import { sliceImageSet } from '../../engine/data/imageset';
import type { ImageSet, Normalization } from '../../engine/data/types';
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
  type FcwKey,
  type FcwTrainingSetup,
  type FcwTriggers,
} from '../../engine/fcw';
import type { Model } from '../../engine/models/types';
import { toRgba } from '../dataset/thumbnails';
import type { FcwConfig, FcwPreviewRequest, FcwTriggerGallery, WatermarkConfig, WatermarkLiveSettings } from '../../protocol/watermark';
import type { MethodSession, SessionContext } from './watermarkSession';

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
export function fcwConfigOf(c: Pick<WatermarkConfig, 'fcw'>): FcwConfig {
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

/** The gallery's view of a trigger set (RGBA thumbnails, source classes, target) with optional predictions. */
export function galleryOf(t: Pick<FcwTriggers, 'images' | 'target' | 'mode' | 'ratio' | 'sources'>, origin: FcwTriggerGallery['origin'], predictions: ArrayLike<number> | null): FcwTriggerGallery {
  const { images } = t;
  const preds = predictions ? Array.from(predictions) : null;
  return {
    origin,
    width: images.width,
    height: images.height,
    count: images.count,
    rgba: toRgba(images, Array.from({ length: images.count }, (_, i) => i)),
    mode: t.mode,
    ratio: t.ratio,
    target: t.target,
    sources: t.sources.map((s) => ({ classA: s.classA, classB: s.classB })),
    predictions: preds,
    accuracy: preds ? preds.filter((p) => p === t.target).length / Math.max(1, preds.length) : null,
  };
}

/** Gallery preview before training: the triggers the settings would generate from the first `trainLimit` images. */
export function previewGallery(train: ImageSet, numClasses: number, req: FcwPreviewRequest): FcwTriggerGallery {
  if (!(Number.isInteger(req.seed) && req.seed >= 0)) throw new Error(`seed must be a whole number >= 0, got ${req.seed}`);
  if (!(Number.isInteger(req.trainLimit) && req.trainLimit >= 0)) throw new Error(`train images must be a whole number >= 0, got ${req.trainLimit}`);
  const pool = req.trainLimit > 0 ? sliceImageSet(train, 0, Math.min(req.trainLimit, train.count)) : train;
  return galleryOf(fcwTriggersFor(pool, numClasses, req.seed, fcwConfigOf(req)), 'preview', null);
}

/** Gallery of a trained FCW model: its key's triggers and the model's current predictions. */
export async function modelGallery(model: Model, key: FcwKey, triggers: FcwTriggers): Promise<FcwTriggerGallery> {
  const acc = await triggerAccuracy(model, triggers.images, key.target, { normalization: key.normalization });
  return galleryOf(triggers, 'model', acc.predictions);
}

/**
 * Starts an FCW-marked run on the fresh `model`: fuses the triggers from the run's training
 * images (seed = the run's seed; the target class is drawn from it too) and builds the key.
 * `source()` wraps the run's batches (triggers appended) and creates the masker; the
 * trainer's beforeStep does the masking.
 */
export function startFcw(model: Model, config: WatermarkConfig, ctx: SessionContext): MethodSession & { readonly triggers: FcwTriggers } {
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
  const anyKey = { method: 'fcw' as const, key };
  const settings: WatermarkLiveSettings = { replicas: 0, sigma: 0, lambda: 0, mode: config.mode, rho: 0, margin: config.margin };
  return {
    method: 'fcw',
    anyKey,
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
    outputKeys: () => ({ methodKey: anyKey }),
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
