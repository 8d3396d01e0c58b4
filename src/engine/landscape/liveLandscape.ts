import * as tf from '@tensorflow/tfjs-core';
import type { Model } from '../models/types';
import { hashSeed } from '../random/rng';
import { complementDirection, disposeDirection, keyDirection } from './directions';
import { evaluateAt } from './evaluate';
import { refinementOrder1D, symmetricGrid } from './grid';
import type { CancelSignal, Direction, EvalBatch, PositionList } from './types';

export interface LiveLandscapeOptions {
  /** The watermark's key positions (the key subspace K). */
  readonly positions: readonly PositionList[];
  /** Seed of the two directions (drawn once, at `create`). */
  readonly seed: number;
  /** Slice radius r in direction units; also the radius of the sharpness numbers (default 1). */
  readonly radius?: number;
  /** Points per slice (odd keeps α = 0 on the grid; default 9). */
  readonly points?: number;
}

/** One live measurement: both 1-D slices and the sharpness numbers at one training step. */
export interface LiveLandscapePoint {
  /** Training steps completed when measured (0 = the freshly marked model, before training). */
  readonly step: number;
  readonly alphas: number[];
  /** L(θ + α d_K) and L(θ + α d_¬K) on the fixed batch. */
  readonly lossKey: number[];
  readonly lossComplement: number[];
  /** L(θ) on the fixed batch. */
  readonly baseLoss: number;
  readonly baseAccuracy: number;
  /**
   * Two-sided loss rise at radius r along the fixed directions, (L(θ + r d) + L(θ − r d))/2 − L(θ),
   * per subspace, and key / complement (Infinity when the complement rise is ≤ 0 and the key rise > 0,
   * NaN when both are ≤ 0), as in `computeSharpness`.
   */
  readonly sharpness: { readonly key: number; readonly complement: number; readonly ratio: number; readonly radius: number };
  /** Time spent evaluating this measurement (ms), over all its pauses. */
  readonly ms: number;
  /** How many pauses between training steps it was spread over, and the longest of them (ms). */
  readonly pauses: number;
  readonly maxPauseMs: number;
  /** True when `signal` stopped it early (values not computed are NaN). */
  readonly cancelled: boolean;
}

/**
 * The loss landscape measured again and again while a watermarked model trains (methods.md §6,
 * "live"). It owns the fixed evaluation batch and the two directions d_K and d_¬K, drawn ONCE
 * from the seed at `create` (our choice: the same seed labels as `runLandscape`, so the key
 * direction, which scales with the frozen marks, equals the one of a later full run with the
 * same seed; d_¬K is filter-normalised to the weights at creation time and then kept), so that
 * successive measurements are comparable. `measure` evaluates both 1-D slices through
 * `overrides` in inference mode: the model's variables are never written, and it holds no
 * tensor beyond the batch and the directions. Our choice for the live sharpness numbers: the
 * two-sided rise at ±r read off the slice ends (one fixed direction per subspace, no extra
 * passes); the Hessian eigenvalues are left to the full run (too slow to repeat live).
 */
export class LiveLandscape {
  private disposed = false;

  private constructor(
    private readonly batch: EvalBatch,
    private readonly dK: Direction,
    private readonly dC: Direction,
    /** The slice radius r (also the radius of the sharpness numbers). */
    readonly radius: number,
    /** Points per slice. */
    readonly points: number,
  ) {}

  /**
   * Draws d_K and d_¬K from the model's current weights and takes ownership of `batch`
   * (disposed by `dispose`, also when this throws).
   */
  static async create(model: Model, batch: EvalBatch, o: LiveLandscapeOptions): Promise<LiveLandscape> {
    const radius = o.radius ?? 1;
    const points = o.points ?? 9;
    let dK: Direction | null = null;
    try {
      if (!(radius > 0 && Number.isFinite(radius))) throw new RangeError(`live landscape: the radius must be finite and > 0, got ${radius}`);
      if (!(Number.isInteger(points) && points >= 3 && points % 2 === 1)) throw new RangeError(`live landscape: points must be an odd whole number >= 3, got ${points}`);
      if (o.positions.length === 0) throw new Error('live landscape: the key has no positions');
      dK = await keyDirection(model, o.positions, hashSeed(o.seed, 'run/key'));
      const dC = await complementDirection(model, o.positions, hashSeed(o.seed, 'run/complement'));
      return new LiveLandscape(batch, dK, dC, radius, points);
    } catch (e) {
      if (dK) disposeDirection(dK);
      tf.dispose([batch.x, batch.y]);
      throw e;
    }
  }

  /** Number of images of the fixed evaluation batch. */
  get evalSize(): number {
    return this.batch.x.shape[0];
  }

  /** The fixed directions (read-only view, for tests and diagnostics; owned by this object). */
  get directions(): { readonly key: ReadonlyMap<string, tf.Tensor>; readonly complement: ReadonlyMap<string, tf.Tensor> } {
    return { key: this.dK, complement: this.dC };
  }

  /**
   * Both 1-D slices around the model's current weights along the fixed directions, and the
   * sharpness numbers read off them, in one go. `step` is recorded in the result; `signal` (e.g.
   * the run's cancel) stops between evaluations. Never writes the model.
   */
  async measure(model: Model, step = 0, signal?: CancelSignal): Promise<LiveLandscapePoint> {
    const m = this.begin(model, step);
    try {
      return (await m.advance(Infinity, signal)) as LiveLandscapePoint;
    } finally {
      m.dispose();
    }
  }

  /**
   * Starts a measurement of the model as it is now, evaluated a few points at a time between
   * training steps (LiveMeasurement.advance): its weights and BatchNorm statistics are copied
   * now, so the steps taken meanwhile do not change what is measured. Dispose it when done.
   */
  begin(model: Model, step: number): LiveMeasurement {
    if (this.disposed) throw new Error('live landscape: measure after dispose');
    const snapshot = new Map<string, tf.Tensor>();
    for (const [name, v] of model.params) snapshot.set(name, tf.clone(v));
    for (const [name, v] of model.state) snapshot.set(name, tf.clone(v));
    return new LiveMeasurement(model, this.batch, { key: this.dK, complement: this.dC }, this.radius, this.points, snapshot, step);
  }

  /** Releases the directions and the evaluation batch (idempotent). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    disposeDirection(this.dK);
    disposeDirection(this.dC);
    tf.dispose([this.batch.x, this.batch.y]);
  }
}

/**
 * One live measurement in progress (LiveLandscape.begin): both slices of a snapshot of the
 * weights, evaluated coarse points first, as many per call as a time budget allows, so that a
 * refresh can pause training for less than a step at a time. Owns the snapshot (`dispose`).
 */
export class LiveMeasurement {
  private readonly alphas: number[];
  private readonly order: ReadonlyArray<{ readonly index: number; readonly subspace: 'key' | 'complement' }>;
  private next = 0;
  private readonly lossKey: number[];
  private readonly accuracyKey: number[];
  private readonly lossComplement: number[];
  private spentMs = 0;
  /** Calls of `advance` that evaluated something, and the longest of them (ms). */
  pauses = 0;
  maxPauseMs = 0;
  private disposed = false;

  constructor(
    private readonly model: Model,
    private readonly batch: EvalBatch,
    private readonly dirs: { readonly key: Direction; readonly complement: Direction },
    private readonly radius: number,
    points: number,
    private readonly snapshot: Map<string, tf.Tensor>,
    /** Training steps completed when the snapshot was taken. */
    readonly step: number,
  ) {
    this.alphas = symmetricGrid(radius, points);
    this.order = refinementOrder1D(points).flatMap((index) => [
      { index, subspace: 'key' as const },
      { index, subspace: 'complement' as const },
    ]);
    this.lossKey = new Array<number>(points).fill(NaN);
    this.accuracyKey = new Array<number>(points).fill(NaN);
    this.lossComplement = new Array<number>(points).fill(NaN);
  }

  /** Points evaluated so far, and in all. */
  get progress(): { readonly done: number; readonly total: number } {
    return { done: this.next, total: this.order.length };
  }

  /**
   * Evaluates points while the next one still fits in `budgetMs` (judged by the mean time of
   * those so far; always at least one). Returns the measurement once every point is evaluated,
   * a cancelled one when `signal` is aborted, else null (call again at the next pause).
   */
  async advance(budgetMs: number, signal?: CancelSignal): Promise<LiveLandscapePoint | null> {
    if (this.disposed) throw new Error('live landscape: advance after dispose');
    const t0 = performance.now();
    let evaluated = 0;
    while (this.next < this.order.length) {
      if (signal?.aborted) return this.result(true);
      const mean = this.next > 0 ? this.spentMs / this.next : 0;
      if (evaluated > 0 && performance.now() - t0 + mean > budgetMs) break;
      const { index, subspace } = this.order[this.next];
      const t = performance.now();
      const p = await evaluateAt(this.model, this.batch, [{ dir: this.dirs[subspace], coef: this.alphas[index] }], this.snapshot);
      this.spentMs += performance.now() - t;
      if (subspace === 'key') {
        this.lossKey[index] = p.loss;
        this.accuracyKey[index] = p.accuracy;
      } else {
        this.lossComplement[index] = p.loss;
      }
      this.next++;
      evaluated++;
    }
    if (evaluated > 0) {
      this.pauses++;
      this.maxPauseMs = Math.max(this.maxPauseMs, performance.now() - t0);
    }
    return this.next < this.order.length ? null : this.result(false);
  }

  private result(cancelled: boolean): LiveLandscapePoint {
    const mid = (this.alphas.length - 1) / 2;
    const last = this.alphas.length - 1;
    // Both slices evaluate α = 0 (θ + 0·d = θ); the key slice's value is the base loss.
    const baseLoss = this.lossKey[mid];
    const rise = (l: number[]) => (l[0] + l[last]) / 2 - baseLoss;
    const key = rise(this.lossKey);
    const complement = rise(this.lossComplement);
    const ratio = complement > 0 ? key / complement : key > 0 ? Infinity : NaN;
    return {
      step: this.step,
      alphas: [...this.alphas],
      lossKey: [...this.lossKey],
      lossComplement: [...this.lossComplement],
      baseLoss,
      baseAccuracy: this.accuracyKey[mid],
      sharpness: { key, complement, ratio, radius: this.radius },
      ms: this.spentMs,
      pauses: this.pauses,
      maxPauseMs: this.maxPauseMs,
      cancelled,
    };
  }

  /** Releases the snapshot (idempotent). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose([...this.snapshot.values()]);
    this.snapshot.clear();
  }
}
