import type { Model } from '../models/types';
import type { StepContext } from '../train/types';
import type { LiveLandscape, LiveLandscapePoint } from './liveLandscape';
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
}

/**
 * Schedules live landscape measurements between optimizer steps through the trainer's
 * `beforeStep` hook (ctx.step = steps completed so far, so the first one, at step 0, shows the
 * freshly marked model). A refresh is due when the live view is on and at least `every` steps
 * passed since the last one; `finish` adds the trained model's point after the loop. Owns the
 * LiveLandscape it creates (`dispose`).
 */
export class LiveLandscapeDriver {
  private live: LiveLandscape | null = null;
  private lastStep: number | null = null;
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

  /** Measures now if due. */
  async maybeMeasure(step: number): Promise<void> {
    if (!this.due(step)) return;
    try {
      this.live ??= await this.o.create(this.model);
      const p = await this.live.measure(this.model, step, this.o.signal);
      if (p.cancelled) return;
      this.lastStep = step;
      this.count++;
      await this.o.onPoint(p);
    } catch (e) {
      this.failed = true;
      this.o.onError?.(e instanceof Error ? e : new Error(String(e)));
    }
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
    if (this.lastStep === steps || !this.active(this.o.every())) return;
    this.lastStep = null; // the final point is always due
    await this.maybeMeasure(steps);
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
    this.live?.dispose();
    this.live = null;
  }
}
