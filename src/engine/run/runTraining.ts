/**
 * One complete training run, the same for the browser (the worker's training feature) and
 * `wmlab train`: the model, the run's watermark method, the named schedule (runPlan.ts), the
 * last-good-weights checkpoint, the device-loss fallback, the live hooks (lecture session, live
 * landscape, compare mode's turns), evaluation and the method's report.
 */
import { BatchStream, evalBatches } from '../data/batches';
import { sliceImageSet } from '../data/imageset';
import type { LiveLandscapeDriver } from '../landscape';
import { WATERMAS, keyOfMethod, startWatermarkSession } from '../methods';
import { createModel } from '../models';
import type { Model } from '../models/types';
import { ModelCheckpoint, RunControl, evaluate, train, warmupStepsOf, type OptimizerState, type TrainProgress as EngineProgress, type TrainResult } from '../train';
import type { DeviceLossReport } from '../../protocol/session';
import { trainWithDeviceFallback } from './deviceFallback';
import { TrainingDivergedError, divergenceOf } from './divergence';
import { CHECKPOINT_EVERY, logEveryFor, scheduleFor } from './runPlan';
import { withSession } from './sessionLive';
import { withTurn } from './turnTaking';
import type { RunInput, RunMethod, RunOutput } from './types';

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

/** The result of a run of 0 epochs (the CLI's null models): nothing trained, marks untouched. */
function untrained(method: RunMethod | null): TrainResult {
  const frozen = method?.trainHooks().frozen;
  return { status: 'completed', steps: 0, seconds: 0, imagesPerSecond: 0, finalLoss: NaN, finalAccuracy: NaN, ...(frozen ? { frozenUnchanged: true } : {}) };
}

/**
 * One complete run: the model (seeded, a fine-tuning copy, or the caller's), training on the
 * first `trainLimit` images with a seeded, optionally augmented BatchStream, then evaluation on
 * the first `testLimit` test images and the method's report. The settings are taken as they are
 * (the worker validates what came over its boundary, the CLI its flags). The returned model
 * belongs to the caller (dispose it).
 */
export async function runTraining(input: RunInput): Promise<RunOutput> {
  const { settings: s, dataset, normalization } = input;
  const control = input.control ?? new RunControl();
  // What the caller handed over belongs to the run from here on.
  let model: Model | null = input.model ?? null;
  let session: RunMethod | null = input.method ?? null;
  let live: LiveLandscapeDriver | null = null;
  let checkpoint: ModelCheckpoint | null = null;
  try {
    const trainSet = s.trainLimit > 0 ? sliceImageSet(dataset.train, 0, Math.min(s.trainLimit, dataset.train.count)) : dataset.train;
    const testSet = s.testLimit > 0 ? sliceImageSet(dataset.test, 0, Math.min(s.testLimit, dataset.test.count)) : dataset.test;
    if (trainSet.count < s.batchSize) {
      throw new Error(`${trainSet.count} training images make no full batch of ${s.batchSize}: lower the batch size or use more images`);
    }
    const stream = new BatchStream(trainSet, { batchSize: s.batchSize, seed: s.seed, normalization, augment: s.augment, lastBatch: 'drop' });
    const totalSteps = stream.batchesPerEpoch * s.epochs;
    const schedule = scheduleFor(s, input.warmupSteps ?? 'auto');
    const t0 = performance.now();
    const elapsed = () => (performance.now() - t0) / 1000;
    const base = { totalSteps, epochs: s.epochs };

    await input.onProgress?.({
      ...base, phase: 'preparing', step: 0, epoch: 1, loss: null, accuracy: null, learningRate: null,
      imagesPerSecond: null, etaSeconds: null, elapsedSeconds: 0,
    });
    // The data set's image shape (32x32x3 for CIFAR-10 and the synthetic set; smaller sets in tests).
    const inputShape = [trainSet.height, trainSet.width, trainSet.channels] as const;
    const seeded = () =>
      createModel(s.arch as Parameters<typeof createModel>[0], { seed: s.seed, numClasses: dataset.classNames.length, inputShape, ...(input.modelOptions ? { options: input.modelOptions } : {}) });
    const initial = input.initialModel;
    const newModel = initial ? () => checkedInitialModel(initial(), s.arch, dataset.classNames.length, inputShape) : seeded;
    model ??= newModel();
    // Last good weights: host copies on WebGPU (they survive a lost device), tensors elsewhere.
    if (input.lastGoodCheckpoint ?? true) checkpoint = new ModelCheckpoint(input.backend() === 'webgpu' ? 'host' : 'device');
    // Watermark: embed into the fresh model before the first step (θ_K := v, then frozen).
    if (input.method === undefined && s.watermark) session = await startWatermarkSession(model, s.watermark, { seed: s.seed, trainSet, normalization, live: input.watermarkLive ?? null });
    const method = session;
    // The live landscape moves the marked weights: methods with key positions (WaterMAS).
    const watermasKey = method ? keyOfMethod(method.methodKey, WATERMAS) : undefined;
    if (watermasKey) live = input.liveLandscape?.startRun({ model, key: watermasKey, dataset, normalization, totalSteps, control }) ?? null;
    const view = live;
    await input.onPlan?.({ schedule, stepsPerEpoch: stream.batchesPerEpoch, totalSteps, warmupSteps: warmupStepsOf(schedule, totalSteps) });

    const finite = (x: number) => (Number.isFinite(x) ? x : null);
    const firstStep = input.resume?.startStep ?? 0;
    // A resumed run's saved optimizer state goes to its first segment only (after a lost device the optimizer restarts).
    let savedOptimizer: OptimizerState | undefined = input.resume?.optimizerState;
    const segment = (m: Model, startStep: number, interrupt: () => boolean) => {
      const optimizerState = savedOptimizer;
      savedOptimizer = undefined;
      const onEpochEnd = input.onEpochEnd;
      return train(
        m,
        method ? method.source(stream) : stream,
        {
          epochs: s.epochs,
          lr: s.learningRate,
          optimizer: s.optimizer,
          momentum: s.momentum,
          weightDecay: s.weightDecay,
          schedule,
          seed: s.seed,
          logEvery: input.logEvery ?? logEveryFor(totalSteps),
          checkpointEvery: CHECKPOINT_EVERY,
          startStep,
        },
        withTurn(withSession(input.session, checkpoint, {
          control,
          interrupt,
          ...(method ? method.trainHooks() : {}),
          ...(view ? { beforeStep: view.beforeStep(method?.trainHooks().beforeStep) } : {}),
          ...(optimizerState ? { optimizerState } : {}),
          ...(onEpochEnd ? { onEpochEnd: (summary, run) => onEpochEnd(summary, run, m) } : {}),
          onProgress: async (p: EngineProgress) => {
            await input.onTrainProgress?.(p);
            await input.onProgress?.({
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
              // (arguments of an absent onProgress are not evaluated: no watermark reads for the CLI)
              ...(method?.progress ? { watermark: await method.progress(p.metrics) } : {}),
            });
            await input.persist?.({ model: m, step: p.step, totalSteps, elapsedSeconds: elapsed(), trainImages: trainSet.count, key: method?.methodKey ?? null });
          },
        }), input.turn),
      );
    };
    let trained: { readonly model: Model; readonly result: TrainResult; readonly deviceLoss?: DeviceLossReport };
    try {
      if (s.epochs === 0) {
        trained = { model, result: untrained(method) };
      } else if (input.watchDevice) {
        // A lost WebGPU device: resume from the host checkpoint on the fallback backend; the watermark
        // session and the live landscape move to the rebuilt model (every method can: MethodSession.moveTo).
        if (!checkpoint) throw new Error('the device-loss fallback needs the last-good-weights checkpoint (lastGoodCheckpoint)');
        trained = await trainWithDeviceFallback({
          model,
          checkpoint,
          startStep: firstStep,
          train: segment,
          watch: input.watchDevice,
          switchBackend: input.switchBackend ?? (async (reason) => { throw new Error(`The GPU device was lost (${reason}) and this run has no fallback backend: start it again.`); }),
          rebuild: newModel,
          cannotMove: method && !method.moveTo ? 'its watermark method cannot move to another model' : null,
          moveState: async (moved, fromStep) => {
            await method?.moveTo?.(moved, fromStep);
            view?.moveTo(moved);
          },
          backendName: input.backend,
          onResume: (r) => input.session?.noteDeviceLoss(r),
        });
      } else {
        trained = { model, result: await segment(model, firstStep, () => false) };
      }
    } finally {
      input.turn?.finish();
    }
    model = trained.model;
    const result = trained.result;
    // Diverged: the trainer restored the last good checkpoint; the run ends on it (evaluated, kept).
    const diverged = divergenceOf(result);
    if (result.status === 'diverged' && !diverged) throw new TrainingDivergedError(result);
    if (result.status === 'completed') await view?.finish(result.steps);
    const cancelled = result.status === 'cancelled';
    let testAccuracy: number | null = null;
    let testLoss: number | null = null;
    const lastEpoch = Math.max(1, Math.ceil(result.steps / stream.batchesPerEpoch));
    if (!cancelled) {
      await input.onProgress?.({
        ...base, phase: 'evaluating', step: result.steps, epoch: lastEpoch, loss: null, accuracy: null, learningRate: null,
        imagesPerSecond: result.imagesPerSecond, etaSeconds: null, elapsedSeconds: elapsed(),
      });
      // Same batch size as training: no new kernel shapes to compile; the last batch is padded.
      const ev = await evaluate(model, evalBatches(testSet, s.batchSize, normalization));
      testAccuracy = ev.accuracy;
      testLoss = ev.loss;
    }
    const watermark = method?.report ? await method.report(model, result.frozenUnchanged ?? false) : undefined;
    await input.onProgress?.({
      ...base, phase: cancelled ? 'cancelled' : 'done', step: result.steps, epoch: lastEpoch, loss: null, accuracy: null,
      learningRate: null, imagesPerSecond: result.imagesPerSecond, etaSeconds: 0, elapsedSeconds: elapsed(),
    });
    return {
      model,
      ...(method ? { methodKey: method.methodKey } : {}),
      stepsPerEpoch: stream.batchesPerEpoch,
      result,
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
        ...(trained.deviceLoss ? { deviceLoss: trained.deviceLoss } : {}),
      },
    };
  } catch (e) {
    model?.dispose();
    throw e;
  } finally {
    input.turn?.finish();
    live?.dispose();
    session?.dispose();
    checkpoint?.dispose();
  }
}
