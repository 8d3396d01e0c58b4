import * as tf from '@tensorflow/tfjs-core';
import { Rng, hashSeed } from '../random/rng';
import type { Batch } from '../train/types';
import { IDENTITY_AUGMENT, CROP_PADDING, augmentNormalizeInto, drawAugmentParams } from './augment';
import { normalizationLut } from './normalize';
import type { ImageSet, Normalization } from './types';

/**
 * How the last, incomplete batch of an epoch is handled. Shapes never vary either way:
 * 'drop' leaves it out; 'pad' fills it up with samples from the start of the epoch's order
 * (cyclically) and reports how many entries are real.
 */
export type LastBatchPolicy = 'drop' | 'pad';

export interface BatchStreamOptions {
  readonly batchSize: number;
  /** Seeds shuffling and augmentation; each epoch (and each batch's augmentation) has its own derived stream. */
  readonly seed: number;
  readonly normalization: Normalization;
  /** Random crop (4-pixel zero padding) + horizontal flip. Default false. */
  readonly augment?: boolean;
  /** Reshuffle every epoch. Default true. */
  readonly shuffle?: boolean;
  /** Default 'drop' (training); evalBatches uses 'pad'. */
  readonly lastBatch?: LastBatchPolicy;
  /** Crop padding in pixels. Default 4. */
  readonly padding?: number;
}

/** One batch: tensors owned (and disposed) by the caller. */
export interface BatchItem {
  readonly batch: Batch;
  /** Entries [0, realCount) are real samples; the rest (pad policy, last batch) repeat earlier ones. */
  readonly realCount: number;
  /** The source index of every entry, in batch order. */
  readonly indices: Int32Array;
}

/**
 * Fixed-shape batches over a uint8 HWC ImageSet: seeded per-epoch shuffling, optional
 * augmentation, normalisation; x is float32 [B, H, W, 3], y int32 [B].
 *
 * Epoch e's order and batch b's augmentation come from streams derived from (seed, e) and
 * (seed, e, b), so any epoch or batch can be regenerated (or resumed) without replaying
 * the ones before it.
 */
export class BatchStream {
  readonly batchSize: number;
  readonly batchesPerEpoch: number;
  private readonly lut: Float32Array;
  private readonly opts: Required<Omit<BatchStreamOptions, 'normalization'>>;

  constructor(readonly set: ImageSet, options: BatchStreamOptions) {
    const { batchSize } = options;
    if (!(batchSize >= 1 && Number.isInteger(batchSize))) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
    if (set.channels !== 3) throw new Error(`BatchStream: expected 3-channel images, got ${set.channels}`);
    if (set.count === 0) throw new Error('BatchStream: the image set is empty');
    this.opts = {
      batchSize,
      seed: options.seed,
      augment: options.augment ?? false,
      shuffle: options.shuffle ?? true,
      lastBatch: options.lastBatch ?? 'drop',
      padding: options.padding ?? CROP_PADDING,
    };
    this.batchSize = batchSize;
    this.batchesPerEpoch = this.opts.lastBatch === 'drop' ? Math.floor(set.count / batchSize) : Math.ceil(set.count / batchSize);
    if (this.batchesPerEpoch === 0) {
      throw new Error(`BatchStream: ${set.count} images make no full batch of ${batchSize} with lastBatch 'drop' (use a smaller batch or 'pad')`);
    }
    this.lut = normalizationLut(options.normalization);
  }

  /** The sample order of an epoch (a seeded permutation, or 0..n-1 without shuffling). */
  epochOrder(epochIndex: number): Int32Array {
    const n = this.set.count;
    if (!this.opts.shuffle) return Int32Array.from({ length: n }, (_, i) => i);
    return new Rng(hashSeed(this.opts.seed, `batches/shuffle/epoch${epochIndex}`)).permutation(n);
  }

  /** Source indices of batch `batchIndex` of an epoch whose order is `order` (with padding). */
  batchIndices(order: Int32Array, batchIndex: number): { indices: Int32Array; realCount: number } {
    const n = order.length, B = this.batchSize;
    const start = batchIndex * B;
    const indices = new Int32Array(B);
    for (let k = 0; k < B; k++) indices[k] = order[(start + k) % n];
    return { indices, realCount: Math.max(0, Math.min(B, n - start)) };
  }

  /** Builds the tensors for the given source indices (augmented with batch `batchIndex`'s stream when enabled). */
  makeBatch(indices: Int32Array, epochIndex: number, batchIndex: number): Batch {
    const { height: h, width: w } = this.set;
    const per = h * w * 3;
    const B = indices.length;
    const x = new Float32Array(B * per);
    const y = new Int32Array(B);
    const rng = this.opts.augment ? new Rng(hashSeed(this.opts.seed, `batches/augment/epoch${epochIndex}/batch${batchIndex}`)) : null;
    for (let k = 0; k < B; k++) {
      const i = indices[k];
      y[k] = this.set.labels[i];
      const params = rng ? drawAugmentParams(rng, this.opts.padding) : IDENTITY_AUGMENT;
      augmentNormalizeInto(this.set.images, i * per, h, w, params, this.lut, x, k * per);
    }
    // Fresh buffers per batch: tfjs may keep a reference to the array it was given.
    return { x: tf.tensor4d(x, [B, h, w, 3], 'float32'), y: tf.tensor1d(y, 'int32') };
  }

  /**
   * The batches of one epoch, from batch `fromBatch` (for resuming). The caller disposes
   * each batch's x and y.
   */
  *epoch(epochIndex: number, fromBatch = 0): Generator<BatchItem, void, undefined> {
    const order = this.epochOrder(epochIndex);
    for (let b = fromBatch; b < this.batchesPerEpoch; b++) {
      const { indices, realCount } = this.batchIndices(order, b);
      yield { batch: this.makeBatch(indices, epochIndex, b), realCount, indices };
    }
  }
}

/**
 * Evaluation batches: no shuffle, no augmentation, every image exactly once; the last batch
 * is padded (entries past realCount repeat the first images) so shapes never vary.
 * The caller disposes each batch's x and y.
 */
export function* evalBatches(
  set: ImageSet, batchSize: number, normalization: Normalization,
): Generator<BatchItem, void, undefined> {
  const stream = new BatchStream(set, { batchSize, seed: 0, normalization, augment: false, shuffle: false, lastBatch: 'pad' });
  yield* stream.epoch(0);
}
