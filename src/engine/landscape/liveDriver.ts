import type { Model } from '../models/types';
import type { StepContext } from '../train/types';
import type { LiveLandscape, LiveLandscapePoint, LiveMeasurement } from './liveLandscape';
import type { CancelSignal } from './types';

export interface LiveLandscapeDriverOptions {
  /**
   * Refresh interval in training steps (0 = off), read before every step, so it may change while
   * the run goes on.
   */
  readonly every: () => number;
  /**
   * Builds the LiveLandscape (fixed batch + directions) for `model` at the first due refresh: a
   * run with the live view off pays nothing. Called once per driver, and once more after each
   * `moveTo`.
   */
  readonly create: (model: Model) => Promise<LiveLandscape>;
  readonly onPoint: (p: LiveLandscapePoint) => void | Promise<void>;
  /** A failed measurement: reported once; the live view then stops for this run, training goes on. */
  readonly onError?: (e: Error) => void;
  /** The run's cancel: a measurement in progress stops early and is not reported. */
  readonly signal?: CancelSignal;
  /**
   * Steps of the run. Our choice: a run shorter than `every` steps gets no live view at all
   * (nothing to watch form; keeps tiny demo and test runs free of the extra passes).
   */
  readonly totalSteps?: number;
  /**
   * How long one pause between two steps may evaluate, as a fraction of a training step's time
   * (measured between pauses; default PAUSE_SHARE). A refresh is spread over as many pauses as
   * it needs; each evaluates at least one point.
   */
  readonly pauseShare?: number;
}

/**
 * Our choice: a pause evaluates for at most 3/5 of a step's time (a margin under one step for a
 * step that runs faster than the median). The lecture preset's R = 0 run on wasm (0.76 s/step,
 * a point ~0.13 s) then spreads a 14-point refresh over ~5 pauses of at most ~0.39 s, within its
 * 'auto' interval of 7 steps (bench/liveLandscapeBench.ts; whole, a refresh held it up 1.8 s).
 */
export const PAUSE_SHARE = 0.6;

/**
 * Schedules live landscape measurements between optimizer steps through the trainer's
 * `beforeStep` hook (ctx.step = steps completed so far, so the first one, at step 0, shows the
 * freshly marked model). A refresh is due when the live view is on and at least `every` steps
 * passed since the last one; `finish` adds the trained model's point after the loop. Owns the
 * LiveLandscape it creates (`dispose`).
 */
export class LiveLandscapeDriver {
  private live: LiveLandscape | null = null;
  /** The refresh in progress, spread over pauses. */
  private pending: LiveMeasurement | null = null;
  /** Step of the last refresh started. */
  private lastStep: number | null = null;
  /** End of the last pause, and the last few times of a step between pauses (ms). */
  private pauseEnd: number | null = null;
  private readonly stepSamples: number[] = [];
  private failed = false;
  private disposed = false;
  /** Measurements streamed so far. */
  count = 0;

  constructor(
    private model: Model,
    private readonly o: LiveLandscapeDriverOptions,
  ) {}

  /** The live view is on for this run (and has not failed, been cancelled or disposed). */
  private active(every: number): boolean {
    if (this.failed || this.disposed || this.o.signal?.aborted || !(Number.isInteger(every) && every > 0)) return false;
    return this.o.totalSteps === undefined || this.o.totalSteps >= every;
  }

  /** True when a refresh is due before step `step` (steps completed). */
  due(step: number): boolean {
    const every = this.o.every();
    if (!this.active(every)) return false;
    return this.lastStep === null || step - this.lastStep >= every;
  }

  /**
   * At a pause between two steps: goes on with the refresh in progress, or starts one if due,
   * evaluating for at most `pauseShare` of a step's time; streams the point once complete.
   */
  async maybeMeasure(step: number): Promise<void> {
    const now = performance.now();
    // A step's time: from the end of the last pause to now (the pause itself excluded); the
    // median of the last few, so that a step the user held paused does not count.
    if (this.pauseEnd !== null) {
      this.stepSamples.push(now - this.pauseEnd);
      if (this.stepSamples.length > 5) this.stepSamples.shift();
    }
    const sorted = [...this.stepSamples].sort((a, b) => a - b);
    const stepMs = sorted.length > 0 ? sorted[sorted.length >> 1] : null;
    try {
      if (!this.pending && this.due(step)) {
        this.live ??= await this.o.create(this.model);
        this.pending = this.live.begin(this.model, step);
        this.lastStep = step;
      }
      if (this.pending) {
        // Before the first step there is no step to compare with (and no training to hold up):
        // the first refresh is measured at once.
        const budget = stepMs === null ? Infinity : (this.o.pauseShare ?? PAUSE_SHARE) * stepMs;
        await this.emit(await this.pending.advance(budget, this.o.signal));
      }
    } catch (e) {
      this.drop();
      this.failed = true;
      this.o.onError?.(e instanceof Error ? e : new Error(String(e)));
    } finally {
      this.pauseEnd = performance.now();
    }
  }

  /** Streams a finished measurement (a cancelled one is dropped) and frees it. */
  private async emit(p: LiveLandscapePoint | null): Promise<void> {
    if (p === null) return;
    this.drop();
    if (p.cancelled) return;
    this.count++;
    await this.o.onPoint(p);
  }

  private drop(): void {
    this.pending?.dispose();
    this.pending = null;
  }

  /** The trainer's `beforeStep`: `inner` first (e.g. the watermark's live settings), then a due refresh. */
  beforeStep(inner?: (ctx: StepContext) => void | Promise<void>): (ctx: StepContext) => Promise<void> {
    return async (ctx) => {
      await inner?.(ctx);
      await this.maybeMeasure(ctx.step);
    };
  }

  /**
   * After training: the trained model's point (step `steps`), unless the live view is off or
   * that step was already measured.
   */
  async finish(steps: number): Promise<void> {
    try {
      // A refresh still spread over pauses is completed first (its snapshot is of an earlier step).
      if (this.pending) await this.emit(await this.pending.advance(Infinity, this.o.signal));
      if (this.lastStep === steps || !this.active(this.o.every())) return;
      this.live ??= await this.o.create(this.model);
      this.pending = this.live.begin(this.model, steps);
      this.lastStep = steps;
      await this.emit(await this.pending.advance(Infinity, this.o.signal));
    } catch (e) {
      this.drop();
      this.failed = true;
      this.o.onError?.(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /**
   * Follows the run to `model`, rebuilt on another backend after a lost GPU device: the
   * LiveLandscape (its batch and directions lived on the old device) is released and made again
   * on `model` at the next step, which gets a refresh. Our choice: the directions are drawn again
   * (same seeds) from the restored weights, so slices after the move are along directions
   * normalised at the checkpoint's weights rather than at the run's first refresh.
   */
  moveTo(model: Model): void {
    try {
      this.drop();
      this.live?.dispose();
    } catch {
      /* its tensors went with the lost device */
    }
    this.live = null;
    this.model = model;
    this.lastStep = null;
  }

  /** Releases the LiveLandscape (idempotent). */
  dispose(): void {
    this.disposed = true;
    this.drop();
    this.live?.dispose();
    this.live = null;
  }
}
