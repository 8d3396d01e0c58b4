/**
 * One run of a comparison: a fresh seeded model, the WaterMAS mark, and the engine's training loop
 * with a turn gate in its `beforeStep` hook, so two lanes step in turn. The same orchestration as
 * trainRun.ts's runTraining (whose hooks cannot take a gate), built from the same pieces.
 */
import type { Dataset, ImageSet, Normalization } from '../../engine/data/types';
import { BatchStream, evalBatches } from '../../engine/data/batches';
import { sliceImageSet } from '../../engine/data/imageset';
import { createModel } from '../../engine/models';
import type { ArchOptions } from '../../engine/models/options';
import type { Model } from '../../engine/models/types';
import { evaluate, train, type RunControl, type TrainProgress as EngineProgress } from '../../engine/train';
import type { Key } from '../../engine/watermark';
import type { TrainOutcome, TrainProgress, TrainSettings } from '../api';
import { logEveryFor, scheduleFor } from '../trainRun';
import { startWatermark, type WatermarkSession } from '../watermarkRun';
import type { CompareLane } from './compareApi';
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
  readonly onProgress: (p: TrainProgress) => void | Promise<void>;
}

export interface LaneOutput {
  /** The trained model (the caller disposes it). */
  readonly model: Model;
  readonly key: Key;
  readonly outcome: TrainOutcome;
  readonly stepsPerEpoch: number;
}

/**
 * Trains one lane. Every step waits for the lane's turn; the gate is released for good when the
 * loop ends (finished, cancelled, diverged or failed), so the other lane never waits for a lane
 * that stopped. Diverging throws (like a normal run); the model is disposed on any failure.
 */
export async function trainLane(input: LaneInput): Promise<LaneOutput> {
  const { lane, settings: s, dataset, normalization, control, gate } = input;
  const mark = s.watermark;
  let model: Model | null = null;
  let session: WatermarkSession | null = null;
  try {
    if (mark?.method !== 'watermas') throw new Error('a comparison needs a WaterMAS watermark');
    const trainSet = firstImages(dataset.train, s.trainLimit);
    const testSet = firstImages(dataset.test, s.testLimit);
    const stream = new BatchStream(trainSet, { batchSize: s.batchSize, seed: s.seed, normalization, augment: s.augment, lastBatch: 'drop' });
    const totalSteps = stream.batchesPerEpoch * s.epochs;
    const t0 = performance.now();
    const elapsed = () => (performance.now() - t0) / 1000;
    const base = { totalSteps, epochs: s.epochs };
    const finite = (x: number) => (Number.isFinite(x) ? x : null);
    const idle = { loss: null, accuracy: null, learningRate: null, etaSeconds: null };
    await input.onProgress({ ...base, ...idle, phase: 'preparing', step: 0, epoch: 1, imagesPerSecond: null, elapsedSeconds: 0 });

    model = createModel(s.arch as Parameters<typeof createModel>[0], {
      seed: s.seed, numClasses: dataset.classNames.length, ...(input.modelOptions ? { options: input.modelOptions } : {}),
    });
    session = await startWatermark(model, mark, s.seed, null);
    const wm = session;
    const hooks = wm.trainHooks();
    let result;
    try {
      result = await train(
        model,
        stream,
        {
          epochs: s.epochs, lr: s.learningRate, optimizer: s.optimizer, momentum: s.momentum, weightDecay: s.weightDecay,
          schedule: scheduleFor(s), seed: s.seed, logEvery: logEveryFor(totalSteps),
        },
        {
          control,
          objective: hooks.objective,
          frozen: hooks.frozen,
          beforeStep: async (ctx) => {
            await gate.acquire(lane);
            await hooks.beforeStep?.(ctx);
          },
          onProgress: async (p: EngineProgress) =>
            input.onProgress({
              ...base,
              phase: control.state === 'paused' ? 'paused' : 'training',
              step: p.step,
              epoch: p.epoch + 1,
              loss: finite(p.loss),
              accuracy: finite(p.accuracy),
              learningRate: p.lr,
              imagesPerSecond: finite(p.imagesPerSecond),
              etaSeconds: finite(p.etaSeconds),
              elapsedSeconds: elapsed(),
              watermark: await wm.progress(p.metrics),
            }),
        },
      );
    } finally {
      gate.finish(lane);
    }
    if (result.status === 'diverged') throw new Error(result.message ?? 'training diverged');
    const cancelled = result.status === 'cancelled';
    const lastEpoch = Math.max(1, Math.ceil(result.steps / stream.batchesPerEpoch));
    let testAccuracy: number | null = null;
    let testLoss: number | null = null;
    if (!cancelled) {
      await input.onProgress({ ...base, ...idle, phase: 'evaluating', step: result.steps, epoch: lastEpoch, imagesPerSecond: result.imagesPerSecond, elapsedSeconds: elapsed() });
      const ev = await evaluate(model, evalBatches(testSet, s.batchSize, normalization));
      testAccuracy = ev.accuracy;
      testLoss = ev.loss;
    }
    const watermark = await wm.report(model, result.frozenUnchanged ?? false);
    await input.onProgress({
      ...base, ...idle, phase: cancelled ? 'cancelled' : 'done', step: result.steps, epoch: lastEpoch, etaSeconds: 0,
      imagesPerSecond: result.imagesPerSecond, elapsedSeconds: elapsed(),
    });
    const outcome: TrainOutcome = {
      cancelled,
      steps: result.steps,
      seconds: result.seconds,
      imagesPerSecond: result.imagesPerSecond > 0 ? result.imagesPerSecond : null,
      trainImages: trainSet.count,
      testImages: cancelled ? 0 : testSet.count,
      testAccuracy,
      testLoss,
      backend: input.backend(),
      watermark,
    };
    const trained = model;
    model = null;
    return { model: trained, key: wm.key, outcome, stepsPerEpoch: stream.batchesPerEpoch };
  } finally {
    gate.finish(lane);
    session?.dispose();
    model?.dispose();
  }
}
