/**
 * One run of a comparison: a normal training run (trainRun.ts's runTraining: the seeded model,
 * the WaterMAS mark, checkpoints, divergence stop) whose every step first waits for its lane's
 * turn, so that two lanes step in turn. Not wired: the device-loss fallback (two lanes on one
 * device would both switch the backend; a lost device fails both runs with the reason).
 */
import { sliceImageSet } from '../../engine/data/imageset';
import type { Dataset, ImageSet, Normalization } from '../../engine/data/types';
import type { ArchOptions } from '../../engine/models/options';
import type { Model } from '../../engine/models/types';
import type { RunControl } from '../../engine/train';
import type { WatermasKey } from '../../engine/watermark';
import { WATERMAS, isConfigOf, keyOfMethod } from '../../engine/methods';
import type { TrainOutcome, TrainProgress, TrainSettings } from '../../protocol/api';
import { runTraining } from '../training/trainRun';
import type { CompareLane } from '../../protocol/compareMode';
import type { TurnGate } from './turnGate';

/** The first `limit` images of a split (0 = all). */
export function firstImages(set: ImageSet, limit: number): ImageSet {
  return limit > 0 ? sliceImageSet(set, 0, Math.min(limit, set.count)) : set;
}

export interface LaneInput {
  readonly lane: CompareLane;
  /** Validated settings with a WaterMAS watermark. */
  readonly settings: TrainSettings;
  readonly dataset: Dataset;
  readonly normalization: Normalization;
  /** Shared by both lanes: pause / resume / cancel act on both. */
  readonly control: RunControl;
  readonly gate: TurnGate;
  /** Architecture options (default: the architecture's defaults, as in a normal run). */
  readonly modelOptions?: ArchOptions;
  readonly backend: () => string;
  /** Start from this trained model's weights (a fresh copy per call) instead of a seeded one. */
  readonly initialModel?: () => Model;
  readonly onProgress: (p: TrainProgress) => void | Promise<void>;
}

export interface LaneOutput {
  /** The trained model (the caller disposes it). */
  readonly model: Model;
  readonly key: WatermasKey;
  readonly outcome: TrainOutcome;
  readonly stepsPerEpoch: number;
}

/**
 * Trains one lane. Every step waits for the lane's turn; the gate is released for good when the
 * loop ends (finished, cancelled, diverged or failed), so the other lane never waits for a lane
 * that stopped. A diverging lane ends on its last good checkpoint (outcome.diverged), like a
 * normal run; the model is disposed on any failure.
 */
export async function trainLane(input: LaneInput): Promise<LaneOutput> {
  const { lane, gate } = input;
  try {
    if (!isConfigOf(input.settings.watermark, WATERMAS)) throw new Error('a comparison needs a WaterMAS watermark');
    const out = await runTraining({
      settings: input.settings,
      dataset: input.dataset,
      normalization: input.normalization,
      control: input.control,
      backend: input.backend,
      onProgress: input.onProgress,
      ...(input.modelOptions ? { modelOptions: input.modelOptions } : {}),
      ...(input.initialModel ? { initialModel: input.initialModel } : {}),
      turn: { acquire: () => gate.acquire(lane), finish: () => gate.finish(lane) },
    });
    const key = out.methodKey ? keyOfMethod(out.methodKey, WATERMAS) : undefined;
    if (!key) {
      out.model.dispose();
      throw new Error('the comparison run came back without its WaterMAS key');
    }
    return { model: out.model, key, outcome: out.outcome, stepsPerEpoch: out.stepsPerEpoch };
  } finally {
    gate.finish(lane);
  }
}
