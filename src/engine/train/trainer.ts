import * as tf from '@tensorflow/tfjs-core';
import type { Model } from '../models/types';
import { correctCount, crossEntropyObjective } from './crossEntropy';
import { snapshotFrozen, snapshotsBitwiseEqual, validateFrozen } from './frozen';
import { createOptimizer, type OptimizerConfig, type OptimizerState } from './optimizers';
import { RunControl } from './runControl';
import { ModelCheckpoint } from './checkpoint';
import { learningRateAt, validateSchedule, type ScheduleConfig } from './schedules';
import type { BatchSource, FrozenPositions, GradientResult, Objective, StepContext, StepPhase } from './types';

export interface TrainConfig extends OptimizerConfig {
  readonly epochs: number;
  /** Base learning rate. */
  readonly lr: number;
  /** Default constant. */
  readonly schedule?: ScheduleConfig;
  /**
   * Recorded in reports for reproducibility. The trainer itself draws nothing at random:
   * shuffling/augmentation belong to the BatchSource, replica noise to the Objective.
   */
  readonly seed?: number;
  /** Report progress (and read the loss back) every N steps (default 10). */
  readonly logEvery?: number;
  /** Stop after this many steps (default: epochs x batchesPerEpoch). */
  readonly maxSteps?: number;
  /**
   * A reported loss above explodeFactor x max(first reported loss, 1) counts as diverged, as a
   * NaN/Inf does (default 1e3; Infinity = only non-finite losses).
   */
  readonly explodeFactor?: number;
  /** With hooks.checkpoint: save at a good report at most every N steps (default 5). */
  readonly checkpointEvery?: number;
  /**
   * Resume: steps already done (the model holds their result). The loop starts at epoch
   * floor(startStep / batchesPerEpoch) and skips the batches of that epoch already seen, so the
   * data order and the schedule continue where they stopped (default 0).
   */
  readonly startStep?: number;
}

export interface TrainProgress {
  /** Steps completed. */
  readonly step: number;
  /** 0-based epoch of the last step. */
  readonly epoch: number;
  readonly totalSteps: number;
  /** Mean training loss over the steps since the previous report. */
  readonly loss: number;
  /** Training accuracy over the same steps (NaN when the objective returns no logits). */
  readonly accuracy: number;
  readonly lr: number;
  readonly imagesPerSecond: number;
  readonly etaSeconds: number;
  readonly msPerStep: number;
  /** Means of the objective's extra metrics over the same steps. */
  readonly metrics: Readonly<Record<string, number>>;
}

export interface EpochSummary {
  readonly epoch: number;
  readonly step: number;
  readonly loss: number;
  readonly accuracy: number;
  /** Training seconds so far (pauses excluded). */
  readonly seconds: number;
}

export interface TrainHooks {
  /** Default: cross-entropy. */
  readonly objective?: Objective;
  /** Positions that must stay bitwise unchanged (watermark keys). */
  readonly frozen?: FrozenPositions;
  /** Pause / resume / cancel; checked between steps. */
  readonly control?: RunControl;
  onProgress?(p: TrainProgress): void | Promise<void>;
  /**
   * After each epoch (and after the last, partial epoch when maxSteps stops the run);
   * `run.optimizerState()` copies the optimizer's state to the host (for a resumable checkpoint).
   */
  onEpochEnd?(s: EpochSummary, run: { optimizerState(): Promise<OptimizerState> }): void | Promise<void>;
  /** Resume: the optimizer state saved at config.startStep (default: a fresh optimizer). */
  readonly optimizerState?: OptimizerState;
  /** Before each step: the place to change objective settings (UI sliders). */
  beforeStep?(ctx: StepContext): void | Promise<void>;
  /**
   * Last good weights; on divergence the trainer restores it into the model and stops. Holds
   * the start weights, then, every config.checkpointEvery steps, weights that proved good: a
   * copy taken at a report becomes this checkpoint only once the next report's losses (computed
   * with those weights) are finite and not exploded; until then it waits as a candidate.
   */
  readonly checkpoint?: ModelCheckpoint;
  /** Live base learning rate (UI slider), read before each step; the schedule applies to it. Default config.lr. */
  baseLr?(): number;
  /** Phases of each step: clean pass, the objective's replica passes, update (lecture mode). */
  onPhase?(phase: StepPhase, ctx: StepContext): void;
  /** Checked before each step: true stops the run with status 'cancelled' (e.g. a lost GPU device). */
  interrupt?(): boolean;
}

export type TrainStatus = 'completed' | 'cancelled' | 'diverged';

export interface TrainResult {
  readonly status: TrainStatus;
  readonly steps: number;
  /** Training seconds (pauses excluded). */
  readonly seconds: number;
  readonly imagesPerSecond: number;
  /** Mean loss of the last reported window (NaN if none). */
  readonly finalLoss: number;
  readonly finalAccuracy: number;
  /** Present when frozen positions were given: true iff they are bitwise unchanged. */
  readonly frozenUnchanged?: boolean;
  /** Human-readable reason for 'diverged' / 'cancelled'. */
  readonly message?: string;
  /** 'diverged': the step of the report that saw it, and the loss there (NaN, ±Inf or the exploded value). */
  readonly divergedAtStep?: number;
  readonly divergedLoss?: number;
  /** 'diverged' with a checkpoint: the step of the restored weights (the model now holds them). */
  readonly restoredStep?: number;
}

/** Yield to the event loop at most this often (ms), so control messages get through. */
const YIELD_INTERVAL_MS = 50;

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(() => resolve(), 0));

/** Running sums over the steps since the last report, kept on the device until read. */
class Window {
  loss: tf.Scalar | null = null;
  correct: tf.Scalar | null = null;
  metrics = new Map<string, tf.Scalar>();
  steps = 0;
  samples = 0;
  images = 0;

  add(r: GradientResult, labels: tf.Tensor1D): void {
    const acc = (prev: tf.Scalar | null, t: tf.Scalar): tf.Scalar => {
      const next = tf.tidy(() => (prev ? tf.add(prev, t) : tf.clone(t)) as tf.Scalar);
      prev?.dispose();
      return next;
    };
    this.loss = acc(this.loss, r.loss);
    if (r.logits) {
      const c = correctCount(r.logits, labels);
      this.correct = acc(this.correct, c);
      c.dispose();
      this.samples += labels.shape[0];
    }
    for (const [k, v] of Object.entries(r.metrics ?? {})) this.metrics.set(k, acc(this.metrics.get(k) ?? null, v));
    this.steps += 1;
    this.images += labels.shape[0];
  }

  /**
   * The window's means, and `extra`'s value when given (the checkpoint's finiteness probe), in
   * one read-back: the only host read of a report (a GPU pipeline stall each, so one).
   */
  async read(extra?: tf.Scalar): Promise<{ loss: number; accuracy: number; metrics: Record<string, number>; extra: number }> {
    const names = [...this.metrics.keys()];
    const parts = [this.loss, this.correct, ...this.metrics.values(), extra ?? null];
    // (cast: an objective may report a metric of another dtype; stack needs one)
    const packed = tf.tidy(() => tf.stack(parts.map((t) => (t ? tf.cast(t, 'float32') : tf.scalar(NaN)))));
    const values = await packed.data();
    packed.dispose();
    const metrics: Record<string, number> = {};
    names.forEach((k, i) => (metrics[k] = values[2 + i] / this.steps));
    return {
      loss: this.loss ? values[0] / this.steps : NaN,
      accuracy: this.correct && this.samples > 0 ? values[1] / this.samples : NaN,
      metrics,
      extra: values[values.length - 1],
    };
  }

  reset(): void {
    this.loss?.dispose();
    this.correct?.dispose();
    for (const v of this.metrics.values()) v.dispose();
    this.loss = null;
    this.correct = null;
    this.metrics.clear();
    this.steps = 0;
    this.samples = 0;
    this.images = 0;
  }
}

function disposeResult(r: GradientResult): void {
  r.loss.dispose();
  r.logits?.dispose();
  for (const g of r.grads.values()) g.dispose();
  for (const m of Object.values(r.metrics ?? {})) m.dispose();
}

/**
 * Trains `model` in place with a hand-written loop: objective gradients, freeze masks,
 * weight decay, SGD/Adam, learning-rate schedule; progress every `logEvery` steps (the
 * only time values are read back), pause/resume/cancel between steps, divergence guard
 * (a NaN/Inf loss at a report stops with status 'diverged'), and, with frozen positions,
 * a bitwise check that they did not change. Each batch from `source` is disposed after its step.
 */
export async function train(model: Model, source: BatchSource, config: TrainConfig, hooks: TrainHooks = {}): Promise<TrainResult> {
  if (!(Number.isInteger(config.epochs) && config.epochs >= 1)) throw new Error(`epochs must be a positive integer, got ${config.epochs}`);
  if (!(config.lr >= 0 && Number.isFinite(config.lr))) throw new Error(`lr must be finite and >= 0, got ${config.lr}`);
  if (!(source.batchesPerEpoch >= 1)) throw new Error('the batch source has no batches');
  const logEvery = config.logEvery ?? 10;
  if (!(Number.isInteger(logEvery) && logEvery >= 1)) throw new Error(`logEvery must be a positive integer, got ${logEvery}`);
  const schedule = config.schedule ?? { kind: 'constant' };
  validateSchedule(schedule);
  if (hooks.frozen) validateFrozen(model, hooks.frozen);
  const explodeFactor = config.explodeFactor ?? 1e3;
  if (!(explodeFactor > 1)) throw new Error(`explodeFactor must be > 1, got ${explodeFactor}`);
  const checkpointEvery = config.checkpointEvery ?? 5;
  if (!(Number.isInteger(checkpointEvery) && checkpointEvery >= 1)) throw new Error(`checkpointEvery must be a positive integer, got ${checkpointEvery}`);
  const startStep = config.startStep ?? 0;
  if (!(Number.isInteger(startStep) && startStep >= 0)) throw new Error(`startStep must be a whole number >= 0, got ${startStep}`);

  const objective = hooks.objective ?? crossEntropyObjective();
  const control = hooks.control ?? new RunControl();
  const stepsPerEpoch = source.batchesPerEpoch;
  const totalSteps = Math.min(config.maxSteps ?? Infinity, config.epochs * stepsPerEpoch);
  const timing = { totalSteps, stepsPerEpoch };

  const snapshot = hooks.frozen ? await snapshotFrozen(model, hooks.frozen) : undefined;
  const optimizer = createOptimizer(model, config, hooks.frozen);
  if (hooks.optimizerState) {
    try {
      optimizer.importState(hooks.optimizerState);
    } catch (e) {
      optimizer.dispose();
      throw e;
    }
  }
  // the copy taken at a report, adopted by hooks.checkpoint once the next report's losses are fine
  const candidate = hooks.checkpoint ? new ModelCheckpoint('device') : null;
  const win = new Window();

  const start = performance.now();
  let pausedMs = 0;
  let lastYield = start;
  let lastReportTime = start;
  let step = startStep;
  let images = 0;
  let firstLoss: number | null = null;
  let divergedAtStep: number | undefined;
  let divergedLoss: number | undefined;
  let restoredStep: number | undefined;
  let status: TrainStatus = 'completed';
  let message: string | undefined;
  let finalLoss = NaN;
  let finalAccuracy = NaN;
  const baseLr = (): number => {
    const v = hooks.baseLr?.() ?? config.lr;
    return v >= 0 && Number.isFinite(v) ? v : config.lr;
  };
  let lr = learningRateAt(schedule, baseLr(), startStep, timing);
  let epochLossSum = 0;
  let epochLossSteps = 0;
  let epochCorrect = 0;
  let epochSamples = 0;
  const activeSeconds = () => (performance.now() - start - pausedMs) / 1000;

  /** Reads the window, reports progress; false when the loss diverged. */
  const report = async (epoch: number): Promise<boolean> => {
    // A checkpoint copy due at this report is taken on the device now; its finiteness probe is read with the losses.
    // (due: checkpointEvery steps after the newest copy, the candidate's or else the adopted one's)
    const staged = hooks.checkpoint && candidate && step - (candidate.step ?? hooks.checkpoint.step ?? -Infinity) >= checkpointEvery ? candidate.stage(model, step) : null;
    let read: Awaited<ReturnType<Window['read']>>;
    try {
      read = await win.read(staged?.probe);
    } catch (e) {
      staged?.commit(false);
      throw e;
    }
    const { loss, accuracy, metrics } = read;
    const now = performance.now();
    const windowMs = Math.max(1e-3, now - lastReportTime);
    const msPerStep = windowMs / win.steps;
    const imagesPerSecond = (win.images * 1000) / windowMs;
    epochLossSum += loss * win.steps;
    epochLossSteps += win.steps;
    if (win.samples > 0) {
      epochCorrect += accuracy * win.samples;
      epochSamples += win.samples;
    }
    win.reset();
    lastReportTime = now;
    finalLoss = loss;
    finalAccuracy = accuracy;
    firstLoss ??= Number.isFinite(loss) ? loss : null;
    const exploded = Number.isFinite(loss) && firstLoss !== null && loss > explodeFactor * Math.max(firstLoss, 1);
    if (!Number.isFinite(loss) || exploded) {
      staged?.commit(false);
      const what = exploded ? `loss ${loss.toPrecision(3)}, over ${explodeFactor}× the first loss ${firstLoss!.toPrecision(3)}` : String(loss);
      return diverge(`The loss diverged at step ${step} (${what}).`, loss, epoch);
    }
    if (hooks.checkpoint && candidate) {
      hooks.checkpoint.adopt(candidate); // the losses since the candidate was taken are fine
      if (staged && !staged.commit(Number.isFinite(read.extra))) return diverge(`The weights became non-finite by step ${step}.`, loss, epoch);
    }
    await hooks.onProgress?.({
      step,
      epoch,
      totalSteps,
      loss,
      accuracy,
      lr,
      imagesPerSecond,
      etaSeconds: ((totalSteps - step) * msPerStep) / 1000,
      msPerStep,
      metrics,
    });
    return true;
  };

  /** Stops the run as diverged; restores the checkpoint when there is one. */
  const diverge = (what: string, loss: number, epoch: number): false => {
    status = 'diverged';
    divergedAtStep = step;
    divergedLoss = loss;
    if (hooks.checkpoint?.step != null) {
      restoredStep = hooks.checkpoint.restore(model);
      message = `${what} Training stopped; the model is the last good checkpoint from step ${restoredStep}.`;
    } else {
      message = `training diverged: the loss is ${loss} at step ${step} (epoch ${epoch}); lower the learning rate or the objective's weights`;
    }
    return false;
  };

  const waitForControl = async (): Promise<boolean> => {
    const now = performance.now();
    if (control.state === 'running' && control.slowMotionMs === 0 && now - lastYield < YIELD_INTERVAL_MS) return true;
    await yieldToEventLoop();
    const t0 = performance.now();
    const goOn = await control.checkpoint();
    const waited = performance.now() - t0;
    pausedMs += waited;
    lastReportTime += waited;
    lastYield = performance.now();
    return goOn;
  };

  try {
    if (hooks.checkpoint && !(await hooks.checkpoint.save(model, step))) {
      throw new Error(`the model holds non-finite weights at step ${step}: nothing to train from`);
    }
    await hooks.checkpoint?.flushHost(); // 'host' storage: the start weights are on the host before the first step
    outer: for (let epoch = Math.floor(startStep / stepsPerEpoch); epoch < config.epochs && step < totalSteps; epoch++) {
      epochLossSum = 0;
      epochLossSteps = 0;
      epochCorrect = 0;
      epochSamples = 0;
      // Resume: the batches of this epoch that ran before the restart.
      let skip = epoch === Math.floor(startStep / stepsPerEpoch) ? startStep % stepsPerEpoch : 0;
      for await (const { batch } of source.epoch(epoch)) {
        if (skip > 0) {
          skip -= 1;
          tf.dispose([batch.x, batch.y]);
          continue;
        }
        try {
          if (!(await waitForControl())) {
            status = 'cancelled';
            message = `cancelled at step ${step}`;
            break outer;
          }
          if (hooks.interrupt?.()) {
            status = 'cancelled';
            message = `interrupted at step ${step}`;
            break outer;
          }
          // A step granted while paused (step mode) or a slow-motion step is reported on its own.
          const reportThisStep = control.state === 'paused' || control.slowMotionMs > 0;
          const onPhase = hooks.onPhase;
          const ctx: StepContext = onPhase ? { step, epoch, onPhase: (p) => onPhase(p, ctx) } : { step, epoch };
          await hooks.beforeStep?.(ctx);
          lr = learningRateAt(schedule, baseLr(), step, timing);
          ctx.onPhase?.({ kind: 'clean' });
          const result = objective.computeGradients(model, batch, ctx);
          try {
            ctx.onPhase?.({ kind: 'update' });
            optimizer.apply(result.grads, lr);
            win.add(result, batch.y);
          } finally {
            disposeResult(result);
          }
          step += 1;
          images += batch.x.shape[0];
          if (step % logEvery === 0 || step >= totalSteps || reportThisStep) {
            if (!(await report(epoch))) break outer;
          }
        } finally {
          tf.dispose([batch.x, batch.y]);
        }
        if (step >= totalSteps) break;
      }
      if (win.steps > 0 && !(await report(epoch))) break outer;
      if (control.cancelled) {
        status = 'cancelled';
        message = `cancelled at step ${step}`;
        break;
      }
      await hooks.onEpochEnd?.({
        epoch,
        step,
        loss: epochLossSteps > 0 ? epochLossSum / epochLossSteps : NaN,
        accuracy: epochSamples > 0 ? epochCorrect / epochSamples : NaN,
        seconds: activeSeconds(),
      }, { optimizerState: () => optimizer.exportState() });
    }
  } finally {
    win.reset();
    optimizer.dispose();
    candidate?.dispose();
  }

  const seconds = activeSeconds();
  let frozenUnchanged: boolean | undefined;
  if (hooks.frozen && snapshot) {
    frozenUnchanged = snapshotsBitwiseEqual(snapshot, await snapshotFrozen(model, hooks.frozen));
    if (!frozenUnchanged) {
      message = `${message ? message + '; ' : ''}frozen positions changed during training (bug)`;
      console.error(message);
    }
  }
  return {
    status,
    steps: step,
    seconds,
    imagesPerSecond: seconds > 0 ? images / seconds : 0,
    finalLoss,
    finalAccuracy,
    ...(frozenUnchanged === undefined ? {} : { frozenUnchanged }),
    ...(message === undefined ? {} : { message }),
    ...(divergedAtStep === undefined ? {} : { divergedAtStep, divergedLoss }),
    ...(restoredStep === undefined ? {} : { restoredStep }),
  };
}
