import type { ImageSet } from '../data/types';

/**
 * Function-coupled watermark (FCW; Wen, Li, Jiang, Xu, arXiv 2302.10296; methods.md §3):
 * a black-box trigger-set watermark. Triggers fuse two in-distribution training images of
 * different classes; the model is trained to send every trigger to one target class t.
 */

/** 'direct': 2×2 mosaic with two white quadrants; 'invisible': pixel blend (1 − r)·x_i + r·x_j. */
export type FcwMode = 'direct' | 'invisible';

/** Default number of triggers (the paper's code: 30). */
export const FCW_DEFAULT_TRIGGER_COUNT = 30;
/** Default blend ratio r of invisible fusion. */
export const FCW_DEFAULT_RATIO = 0.5;
/** Default number of triggers appended to every mini-batch. */
export const FCW_DEFAULT_PER_BATCH = 10;
/** Default fraction of conv weights zeroed at each masking event (0.2 %). */
export const FCW_DEFAULT_MASK_FRACTION = 0.002;
/** Default masking period, in training steps. */
export const FCW_DEFAULT_MASK_PERIOD = 10;
/** Default decision threshold on the p-value (as for the white-box methods). */
export const FCW_DEFAULT_P_THRESHOLD = 1e-6;

/** Where one trigger comes from: images `a` (class `classA`, the top-left / weight 1 − r one) and `b`. */
export interface FcwTriggerSource {
  readonly a: number;
  readonly b: number;
  readonly classA: number;
  readonly classB: number;
}

/** A generated trigger set. */
export interface FcwTriggers {
  /** The fused images (uint8 HWC); every label is `target`. */
  readonly images: ImageSet;
  /** The one target class of all triggers; never a source class. */
  readonly target: number;
  readonly mode: FcwMode;
  /** Blend ratio r (used by 'invisible'; recorded as given for 'direct'). */
  readonly ratio: number;
  /** One entry per trigger, in order. */
  readonly sources: readonly FcwTriggerSource[];
}
