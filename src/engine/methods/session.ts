/**
 * One watermark method driving a training run (WaterMAS, Uchida or FCW): what
 * trainRun needs from it, whatever the method.
 */
import type { ImageSet, Normalization } from '../data/types';
import type { Model } from '../models/types';
import type { TrainHooks } from '../train';
import type { BatchSource } from '../train/types';
import type { WatermarkLiveSettings, WatermarkMethodId, WatermarkProgress, WatermarkReport } from '../../protocol/watermark';
import type { LiveWatermarkSettings } from './watermas/session';
import type { MethodKey } from './registry';

export interface MethodSession {
  readonly method: WatermarkMethodId;
  /** The key of the run, tagged by method. */
  readonly methodKey: MethodKey;
  /** The training source of the run (FCW appends triggers to every batch; the others pass it through). */
  source(stream: BatchSource): BatchSource;
  /** The trainer hooks: objective (WaterMAS, Uchida), frozen positions (WaterMAS), beforeStep (live settings, FCW masking). */
  trainHooks(): Pick<TrainHooks, 'objective' | 'frozen' | 'beforeStep'>;
  /** Live evidence for a progress report (BER, or FCW trigger accuracy). */
  progress(metrics: Readonly<Record<string, number>>): Promise<WatermarkProgress>;
  /** Verifies the trained model against the key. */
  report(model: Model, frozenUnchanged: boolean): Promise<WatermarkReport>;
  /**
   * Moves the session to `model` after a lost GPU device: a fresh model on the backend the run
   * goes on with, whose weights hold the run's host checkpoint of step `fromStep`. Every tensor
   * the session holds is rebuilt there from host data (its old tensors went with the device and
   * are only released), the live settings keep their current values, and later progress reads
   * `model`. Rejects when the checkpoint would break the method's guarantee (WaterMAS: the marked
   * weights must equal the embedded key values bitwise).
   */
  moveTo(model: Model, fromStep: number): Promise<void>;
  dispose(): void;
}

/** What a method needs from the run besides the model and its config. */
export interface SessionContext {
  /** The run's seed (WaterMAS replica noise; FCW triggers, trigger cycling and masking). */
  readonly seed: number;
  /** The run's training images (FCW fuses its triggers from them). */
  readonly trainSet: ImageSet;
  readonly normalization: Normalization;
  /** Slider changes (WaterMAS only). */
  readonly live: LiveWatermarkSettings | null;
}

/**
 * The objective settings a progress report of a method without live settings (Uchida, FCW)
 * carries: no replicas, no hinge (Uchida puts its fixed λ in).
 */
export const FIXED_SETTINGS: WatermarkLiveSettings = { replicas: 0, sigma: 0, lambda: 0, mode: 'gaussian', rho: 0, margin: Infinity };
