/**
 * The FCW trigger gallery (Watermark panel): RGBA thumbnails of the triggers a run would fuse
 * (preview) or of a trained model's key, with its predictions.
 */
import { sliceImageSet } from '../../engine/data/imageset';
import type { ImageSet } from '../../engine/data/types';
import { triggerAccuracy, type FcwKey, type FcwTriggers } from '../../engine/fcw';
import type { Model } from '../../engine/models/types';
import { fcwConfigOf, fcwTriggersFor } from '../../engine/methods/fcw/session';
import type { FcwPreviewRequest, FcwTriggerGallery } from '../../protocol/watermark';
import { toRgba } from '../dataset/thumbnails';

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
