/**
 * A run that survives a lost GPU device: train; if the device is lost, switch to the fallback
 * backend, rebuild the model there from the last host mirror of the checkpoint (Float32Arrays,
 * which outlive the device; taken in the background at most every HOST_MIRROR_EVERY_MS) and go
 * on from that mirror's step.
 */
import type { Model } from '../models/types';
import type { ModelCheckpoint, TrainResult } from '../train';
import type { DeviceLossReport } from '../../protocol/session';

export interface DeviceFallbackInput {
  /** The run's model on the current backend. */
  readonly model: Model;
  /** Saved by the training segments; must hold host copies ('host' storage) to resume. */
  readonly checkpoint: ModelCheckpoint;
  /** The first segment's start step (a resumed run's; default 0). */
  readonly startStep?: number;
  /** Trains `model` from `startStep`; `interrupt()` turns true once the device is lost. */
  train(model: Model, startStep: number, interrupt: () => boolean): Promise<TrainResult>;
  /** Watches the device; calls onLost(reason) when it is lost; returns a function that stops watching. */
  watch(onLost: (reason: string) => void): () => void;
  /** Switches to the fallback backend; resolves to its name. */
  switchBackend(reason: string): Promise<string>;
  /** Creates a fresh model of the run's architecture on the (new) current backend. */
  rebuild(): Model;
  /** Null when the run can move to another model, else why not (e.g. its watermark objective holds device tensors). */
  readonly cannotMove: string | null;
  /**
   * Moves the run's other device state (a watermark objective, a live view...) to the rebuilt
   * `model`, called once its weights hold the checkpoint of step `fromStep` and before training
   * resumes. The old state's tensors went with the lost device: rebuild from host data.
   */
  moveState?(model: Model, fromStep: number): Promise<void>;
  /** Name of the current backend (for the report). */
  backendName(): string;
  /** Told as soon as the run resumes (progress reports can say so). */
  onResume?(report: DeviceLossReport): void;
}

/** How long a failed segment waits for the device watcher before its error counts as not a device loss (our choice). */
export const LOST_GRACE_MS = 1000;

/** Resolves when `listen`'s callback is called or after `ms`, whichever comes first. */
function lostWithin(ms: number, listen: (heard: () => void) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => resolve(), ms);
    listen(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export interface DeviceFallbackOutput {
  /** The model that holds the result (a new one after a device loss; the input one otherwise). */
  readonly model: Model;
  readonly result: TrainResult;
  readonly deviceLoss?: DeviceLossReport;
}

/**
 * Runs `train` once; on a lost device (seen by the watcher, whether the segment stopped through
 * `interrupt` or threw on a failed read) resumes once on the fallback backend from the checkpoint.
 * The input model is disposed once its device is lost, and the backend is switched even when the
 * run cannot resume (it then rejects with the reason). After the restore, `moveState` moves the
 * run's other state to the new model (a rejection there disposes the new model and rejects).
 * Optimizer state restarts (our choice: the checkpoint keeps weights and BatchNorm statistics
 * only). A segment that throws before the watcher reports waits up to LOST_GRACE_MS for it.
 */
export async function trainWithDeviceFallback(input: DeviceFallbackInput): Promise<DeviceFallbackOutput> {
  let lost: string | null = null;
  let heard: (() => void) | null = null;
  const stop = input.watch((reason) => {
    lost ??= reason;
    heard?.();
  });
  let first: TrainResult | null = null;
  try {
    first = await input.train(input.model, input.startStep ?? 0, () => lost !== null);
  } catch (e) {
    // A read in flight when the device goes (mapAsync: "Buffer was unmapped before mapping was
    // resolved") rejects before the device's `lost` promise resolves: give the watcher a moment.
    if (lost === null) await lostWithin(LOST_GRACE_MS, (h) => (heard = h));
    if (lost === null) throw e;
  } finally {
    stop();
  }
  if (lost === null && first) return { model: input.model, result: first };
  const reason: string = lost ?? 'the GPU device was lost';
  const from = input.backendName();
  // the host mirror (at most HOST_MIRROR_EVERY_MS old): the device copy went with the device; a
  // mirror in flight either lands or fails with the device (bounded wait, in case a read hangs)
  await Promise.race([input.checkpoint.flushHost(), new Promise((resolve) => setTimeout(resolve, LOST_GRACE_MS))]);
  const step = input.checkpoint.hostStep;
  try {
    input.model.dispose();
  } catch {
    /* its buffers went with the device */
  }
  // The lost backend is useless for this run and the next ones: switch in any case.
  const to = await input.switchBackend(reason);
  if (input.cannotMove !== null) throw new Error(`The GPU device was lost (${reason}); ${input.cannotMove}. The lab now uses ${to}: start the run again.`);
  if (step === null || !input.checkpoint.hostValues()) throw new Error(`The GPU device was lost (${reason}) and the run kept no host checkpoint to resume from. The lab now uses ${to}: start the run again.`);
  const model = input.rebuild();
  try {
    input.checkpoint.restoreHost(model);
    await input.moveState?.(model, step);
    const deviceLoss: DeviceLossReport = { resumedFromStep: step, from, to, reason };
    input.onResume?.(deviceLoss);
    const result = await input.train(model, step, () => false);
    return { model, result, deviceLoss };
  } catch (e) {
    model.dispose();
    throw e;
  }
}
