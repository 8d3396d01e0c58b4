import type { Dataset, Normalization } from '../../engine/data/types';
import { BatchStream, evalBatches } from '../../engine/data/batches';
import { sliceImageSet } from '../../engine/data/imageset';
import { createModel, isArchName } from '../../engine/models';
import type { ArchOptions } from '../../engine/models/options';
import type { Model } from '../../engine/models/types';
import { evaluate, namedSchedule, train, type RunControl, type ScheduleConfig, type TrainHooks, type TrainProgress as EngineProgress } from '../../engine/train';
import type { TrainOutcome, TrainProgress, TrainSettings } from '../../protocol/api';
import type { AnyKey, Key } from '../../engine/watermark';
import { startWatermarkSession, validateWatermarkConfig, type LiveWatermarkSettings } from '../../engine/methods/watermas/session';
import type { MethodSession } from '../../engine/methods/session';
import type { LiveLandscapeDriver, LiveLandscapeHub } from '../landscape/liveLandscapeRun';
import { ModelCheckpoint } from '../../engine/train/checkpoint';
import type { TrainResult } from '../../engine/train';
import { withSession, type SessionLive } from './sessionLive';
import type { DivergenceReport } from '../../protocol/session';
import { trainWithDeviceFallback } from './sessionResume';
import { watchDeviceLoss } from './sessionDevice';

/** Keep the last good weights at most every this many steps (our choice: cheap on the small models, at most 5 steps lost). */
export const CHECKPOINT_EVERY = 5;

/** The divergence report of a run stopped on its checkpoint (null when it did not diverge or had none). */
export function divergenceOf(r: TrainResult): DivergenceReport | null {
  if (r.status !== 'diverged' || r.restoredStep === undefined || r.divergedAtStep === undefined) return null;
  const loss = r.divergedLoss ?? NaN;
  return {
    step: r.divergedAtStep,
    loss: Number.isFinite(loss) ? loss.toPrecision(3) : String(loss),
    checkpointStep: r.restoredStep,
    message: r.message ?? `The loss diverged at step ${r.divergedAtStep}. Training stopped; the model is the last good checkpoint from step ${r.restoredStep}.`,
  };
}

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

/** The UI's schedule names as engine schedules (the CLI's definition, with its default 'auto' warm-up: engine/train/schedules.ts). */
export function scheduleFor(s: TrainSettings): ScheduleConfig {
  return namedSchedule(s.schedule, s.epochs, 'auto');
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
  /** Live landscape of WaterMAS runs (Landscape panel), measured between steps. */
  readonly liveLandscape?: LiveLandscapeHub;
  /** Lecture mode: live learning rate, change log with steps, step phases. */
  readonly session?: SessionLive;
  /** Switches to the fallback backend after a lost GPU device; resolves to its name. */
  readonly switchBackend?: (reason: string) => Promise<string>;
  /** Device-loss watcher (default: the WebGPU device's `lost` promise; tests inject their own). */
  readonly watchDevice?: (onLost: (reason: string) => void) => () => void;
  /** Architecture options (default: the architecture's defaults). */
  readonly modelOptions?: ArchOptions;
  /**
   * Fine-tuning: a fresh copy of a trained model (weights and BatchNorm statistics) to start from
   * instead of the seeded initialisation; it must match the settings' architecture and the data.
   */
  readonly initialModel?: () => Model;
  /** Compare mode: every step first waits for this run's turn; `finish` once training ends (before evaluation). */
  readonly turn?: TurnTaking;
  /**
   * Called after every progress report of the training steps, with the model as it is between
   * two steps (nothing updates it meanwhile) and the run's key: the caller saves the run in
   * progress when its time budget says so (engineService: the Runs drawer's in-progress record).
   */
  readonly persist?: (snapshot: RunSnapshot) => Promise<void>;
}

/** The initial model of a fine-tuning run, refused (and disposed) when it does not fit the settings and the data. */
function checkedInitialModel(model: Model, arch: string, numClasses: number, inputShape: readonly [number, number, number]): Model {
  const c = model.config;
  const problem =
    c.arch !== arch ? `it is a '${c.arch}' model and the settings ask for '${arch}'`
      : c.numClasses !== numClasses ? `it has ${c.numClasses} classes and the data ${numClasses}`
        : c.inputShape.join('x') !== inputShape.join('x') ? `it takes ${c.inputShape.join('x')} images and the data has ${inputShape.join('x')}`
          : null;
  if (problem) {
    model.dispose();
    throw new Error(`cannot fine-tune this model: ${problem}`);
  }
  return model;
}

/** Steps in turn with another run (compare mode's gate, bound to one lane). */
export interface TurnTaking {
  acquire(): Promise<void>;
  /** Releases the gate for good: the other run never waits for this one again. */
  finish(): void;
}

/** `hooks` whose every step first waits for the run's turn. */
function withTurn(hooks: TrainHooks, turn: TurnTaking | undefined): TrainHooks {
  if (!turn) return hooks;
  const inner = hooks.beforeStep;
  return {
    ...hooks,
    beforeStep: async (ctx) => {
      await turn.acquire();
      await inner?.(ctx);
    },
  };
}

/** A training run between two steps, for `RunInput.persist`. */
export interface RunSnapshot {
  readonly model: Model;
  /** Steps completed. */
  readonly step: number;
  readonly totalSteps: number;
  readonly elapsedSeconds: number;
  readonly trainImages: number;
  /** The run's key (watermarked runs), else null. */
  readonly key: AnyKey | null;
}

export interface RunOutput {
  readonly outcome: TrainOutcome;
  readonly model: Model;
  /** The key of a WaterMAS run. */
  readonly watermarkKey?: Key;
  /** The key of a watermarked run of any method (WaterMAS, Uchida, FCW). */
  readonly methodKey?: AnyKey;
  /** Training steps per epoch (full batches of the training images). */
  readonly stepsPerEpoch: number;
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
  // The data set's image shape (32x32x3 for CIFAR-10 and the synthetic set; smaller sets in tests).
  const inputShape = [trainSet.height, trainSet.width, trainSet.channels] as const;
  const seeded = () =>
    createModel(s.arch as Parameters<typeof createModel>[0], { seed: s.seed, numClasses: dataset.classNames.length, inputShape, ...(input.modelOptions ? { options: input.modelOptions } : {}) });
  const newModel = input.initialModel ? () => checkedInitialModel(input.initialModel!(), s.arch, dataset.classNames.length, inputShape) : seeded;
  let model = newModel();
  let wm: MethodSession | null = null;
  let live: LiveLandscapeDriver | null = null;
  // Last good weights: host copies on WebGPU (they survive a lost device), tensors elsewhere.
  const checkpoint = new ModelCheckpoint(input.backend() === 'webgpu' ? 'host' : 'device');
  try {
    // Watermark: embed into the fresh model before the first step (θ_K := v, then frozen).
    if (s.watermark) wm = await startWatermarkSession(model, s.watermark, { seed: s.seed, trainSet, normalization, live: input.watermarkLive ?? null });
    const session = wm;
    if (session?.anyKey.method === 'watermas') live = input.liveLandscape?.startRun({ model, key: session.anyKey.key, dataset, normalization, totalSteps, control }) ?? null;
    const finite = (x: number) => (Number.isFinite(x) ? x : null);
    const segment = (m: Model, startStep: number, interrupt: () => boolean) => train(
      m,
      session ? session.source(stream) : stream,
      {
        epochs: s.epochs,
        lr: s.learningRate,
        optimizer: s.optimizer,
        momentum: s.momentum,
        weightDecay: s.weightDecay,
        schedule: scheduleFor(s),
        seed: s.seed,
        logEvery: logEveryFor(totalSteps),
        checkpointEvery: CHECKPOINT_EVERY,
        startStep,
      },
      withTurn(withSession(input.session, checkpoint, {
        control,
        interrupt,
        ...(session ? session.trainHooks() : {}),
        ...(live ? { beforeStep: live.beforeStep(session?.trainHooks().beforeStep) } : {}),
        onProgress: async (p: EngineProgress) => {
          await input.onProgress({
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
          });
          await input.persist?.({ model: m, step: p.step, totalSteps, elapsedSeconds: elapsed(), trainImages: trainSet.count, key: session?.anyKey ?? null });
        },
      }), input.turn),
    );
    // A lost WebGPU device: resume from the host checkpoint on the fallback backend; the watermark
    // session and the live landscape move to the rebuilt model (every method can: MethodSession.moveTo).
    let fallback: Awaited<ReturnType<typeof trainWithDeviceFallback>>;
    try {
      fallback = await trainWithDeviceFallback({
        model,
        checkpoint,
        train: segment,
        watch: input.watchDevice ?? watchDeviceLoss,
        switchBackend: input.switchBackend ?? (async (reason) => { throw new Error(`The GPU device was lost (${reason}) and this run has no fallback backend: start it again.`); }),
        rebuild: newModel,
        cannotMove: null,
        moveState: async (moved, fromStep) => {
          await session?.moveTo(moved, fromStep);
          live?.moveTo(moved);
        },
        backendName: input.backend,
        onResume: (r) => input.session?.noteDeviceLoss(r),
      });
    } finally {
      input.turn?.finish();
    }
    model = fallback.model;
    const result = fallback.result;
    // Diverged: the trainer restored the last good checkpoint; the run ends on it (evaluated, kept).
    const diverged = divergenceOf(result);
    if (result.status === 'diverged' && !diverged) throw new Error(result.message ?? 'training diverged');
    if (result.status === 'completed') await live?.finish(result.steps);
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
      ...(session ? session.outputKeys() : {}),
      stepsPerEpoch: stream.batchesPerEpoch,
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
        ...(diverged ? { diverged } : {}),
        ...(fallback.deviceLoss ? { deviceLoss: fallback.deviceLoss } : {}),
      },
    };
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    input.turn?.finish();
    live?.dispose();
    wm?.dispose();
    checkpoint.dispose();
  }
}
