import type { Dataset, Normalization } from '../engine/data/types';
import { BatchStream, evalBatches } from '../engine/data/batches';
import { sliceImageSet } from '../engine/data/imageset';
import { createModel, isArchName } from '../engine/models';
import type { Model } from '../engine/models/types';
import { evaluate, train, type RunControl, type ScheduleConfig, type TrainProgress as EngineProgress } from '../engine/train';
import type { TrainOutcome, TrainProgress, TrainSettings } from './api';
import type { Key } from '../engine/watermark';
import { startWatermark, validateWatermarkConfig, type LiveWatermarkSettings, type WatermarkSession } from './watermarkRun';

/** Checks settings that came over the worker boundary; throws a one-line reason. */
export function validateTrainSettings(s: TrainSettings): void {
  if (!isArchName(s.arch)) throw new Error(`unknown model "${s.arch}"`);
  const posInt = (v: number) => Number.isInteger(v) && v >= 1;
  const nonNegInt = (v: number) => Number.isInteger(v) && v >= 0;
  if (!posInt(s.epochs)) throw new Error(`epochs must be a whole number >= 1, got ${s.epochs}`);
  if (!posInt(s.batchSize) || s.batchSize > 4096) throw new Error(`batch size must be a whole number in 1..4096, got ${s.batchSize}`);
  if (!(s.learningRate > 0 && Number.isFinite(s.learningRate))) throw new Error(`learning rate must be > 0, got ${s.learningRate}`);
  if (s.optimizer !== 'sgd' && s.optimizer !== 'adam') throw new Error(`unknown optimizer "${String(s.optimizer)}"`);
  if (!(s.momentum >= 0 && s.momentum < 1)) throw new Error(`momentum must be in [0, 1), got ${s.momentum}`);
  if (!(s.weightDecay >= 0 && Number.isFinite(s.weightDecay))) throw new Error(`weight decay must be >= 0, got ${s.weightDecay}`);
  if (!['constant', 'step', 'cosine'].includes(s.schedule)) throw new Error(`unknown schedule "${String(s.schedule)}"`);
  if (!nonNegInt(s.seed)) throw new Error(`seed must be a whole number >= 0, got ${s.seed}`);
  if (!nonNegInt(s.trainLimit)) throw new Error(`train images must be a whole number >= 0, got ${s.trainLimit}`);
  if (!nonNegInt(s.testLimit)) throw new Error(`test images must be a whole number >= 0, got ${s.testLimit}`);
  if (s.watermark) validateWatermarkConfig(s.watermark);
}

/** The UI's schedule names as engine schedules ("step": x0.1 at 50 % and 75 % of the epochs, our choice). */
export function scheduleFor(s: TrainSettings): ScheduleConfig {
  switch (s.schedule) {
    case 'step':
      return { kind: 'step', milestones: [Math.round(s.epochs * 0.5), Math.round(s.epochs * 0.75)].filter((m) => m >= 1), gamma: 0.1 };
    case 'cosine':
      return { kind: 'cosine' };
    default:
      return { kind: 'constant' };
  }
}

/** Progress every ~1 % of the run, at most every 10 steps (each report reads values back from the device). */
export function logEveryFor(totalSteps: number): number {
  return Math.max(1, Math.min(10, Math.floor(totalSteps / 100)));
}

export interface RunInput {
  readonly settings: TrainSettings;
  readonly dataset: Dataset;
  readonly normalization: Normalization;
  readonly control: RunControl;
  readonly backend: () => string;
  readonly onProgress: (p: TrainProgress) => void | Promise<void>;
  /** Slider changes for a watermarked run, applied at the next step. */
  readonly watermarkLive?: LiveWatermarkSettings;
}

export interface RunOutput {
  readonly outcome: TrainOutcome;
  readonly model: Model;
  /** The key of a watermarked run. */
  readonly watermarkKey?: Key;
}

/**
 * One complete run: fresh model (seeded), training on the first `trainLimit` images with a
 * seeded, optionally augmented BatchStream, then evaluation on the first `testLimit` test
 * images. The returned model belongs to the caller (dispose it).
 */
export async function runTraining(input: RunInput): Promise<RunOutput> {
  const { settings: s, dataset, normalization, control } = input;
  validateTrainSettings(s);
  const trainSet = s.trainLimit > 0 ? sliceImageSet(dataset.train, 0, Math.min(s.trainLimit, dataset.train.count)) : dataset.train;
  const testSet = s.testLimit > 0 ? sliceImageSet(dataset.test, 0, Math.min(s.testLimit, dataset.test.count)) : dataset.test;
  if (trainSet.count < s.batchSize) {
    throw new Error(`${trainSet.count} training images make no full batch of ${s.batchSize}: lower the batch size or use more images`);
  }
  const stream = new BatchStream(trainSet, { batchSize: s.batchSize, seed: s.seed, normalization, augment: s.augment, lastBatch: 'drop' });
  const totalSteps = stream.batchesPerEpoch * s.epochs;
  const t0 = performance.now();
  const elapsed = () => (performance.now() - t0) / 1000;
  const base = { totalSteps, epochs: s.epochs };

  await input.onProgress({
    ...base, phase: 'preparing', step: 0, epoch: 1, loss: null, accuracy: null, learningRate: null,
    imagesPerSecond: null, etaSeconds: null, elapsedSeconds: 0,
  });
  const model = createModel(s.arch as Parameters<typeof createModel>[0], { seed: s.seed, numClasses: dataset.classNames.length });
  let wm: WatermarkSession | null = null;
  try {
    // Watermark: embed into the fresh model before the first step (θ_K := v, then frozen).
    if (s.watermark?.method === 'watermas') wm = await startWatermark(model, s.watermark, s.seed, input.watermarkLive ?? null);
    const session = wm;
    const finite = (x: number) => (Number.isFinite(x) ? x : null);
    const result = await train(
      model,
      stream,
      {
        epochs: s.epochs,
        lr: s.learningRate,
        optimizer: s.optimizer,
        momentum: s.momentum,
        weightDecay: s.weightDecay,
        schedule: scheduleFor(s),
        seed: s.seed,
        logEvery: logEveryFor(totalSteps),
      },
      {
        control,
        ...(session ? session.trainHooks() : {}),
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
            ...(session ? { watermark: await session.progress(p.metrics) } : {}),
          }),
      },
    );
    if (result.status === 'diverged') throw new Error(result.message ?? 'training diverged');
    const cancelled = result.status === 'cancelled';
    let testAccuracy: number | null = null;
    let testLoss: number | null = null;
    const lastEpoch = Math.max(1, Math.ceil(result.steps / stream.batchesPerEpoch));
    if (!cancelled) {
      await input.onProgress({
        ...base, phase: 'evaluating', step: result.steps, epoch: lastEpoch, loss: null, accuracy: null, learningRate: null,
        imagesPerSecond: result.imagesPerSecond, etaSeconds: null, elapsedSeconds: elapsed(),
      });
      // Same batch size as training: no new kernel shapes to compile; the last batch is padded.
      const ev = await evaluate(model, evalBatches(testSet, s.batchSize, normalization));
      testAccuracy = ev.accuracy;
      testLoss = ev.loss;
    }
    const watermark = session ? await session.report(model, result.frozenUnchanged ?? false) : undefined;
    await input.onProgress({
      ...base, phase: cancelled ? 'cancelled' : 'done', step: result.steps, epoch: lastEpoch, loss: null, accuracy: null,
      learningRate: null, imagesPerSecond: result.imagesPerSecond, etaSeconds: 0, elapsedSeconds: elapsed(),
    });
    return {
      model,
      ...(session ? { watermarkKey: session.key } : {}),
      outcome: {
        cancelled,
        steps: result.steps,
        seconds: result.seconds,
        imagesPerSecond: result.imagesPerSecond > 0 ? result.imagesPerSecond : null,
        trainImages: trainSet.count,
        testImages: cancelled ? 0 : testSet.count,
        testAccuracy,
        testLoss,
        backend: input.backend(),
        ...(watermark ? { watermark } : {}),
      },
    };
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    wm?.dispose();
  }
}
