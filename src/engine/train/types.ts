import type * as tf from '@tensorflow/tfjs-core';
import type { Model } from '../models/types';

export interface Batch {
  /** Normalised images [B, H, W, C] float32. */
  readonly x: tf.Tensor4D;
  /** Integer labels [B] int32. */
  readonly y: tf.Tensor1D;
}

/**
 * The phases of one training step, as the JavaScript side issues them (tfjs runs GPU work
 * asynchronously, so a phase is "being issued", not "finished"): the clean pass, each replica
 * pass of an objective that has them, then the optimizer update.
 */
export type StepPhase =
  | { readonly kind: 'clean' }
  | { readonly kind: 'replica'; readonly index: number; readonly of: number }
  | { readonly kind: 'update' };

export interface StepContext {
  readonly step: number;
  readonly epoch: number;
  /** Phase callback (lecture mode): objectives with extra passes report them here; never reads values. */
  readonly onPhase?: (phase: StepPhase) => void;
}

export interface GradientResult {
  /** The task loss L(theta) on the batch (for display). */
  readonly loss: tf.Scalar;
  /** Logits of the clean pass (for training accuracy); optional. */
  readonly logits?: tf.Tensor2D;
  /** Gradients of the objective w.r.t. the trainable parameters, by name (missing = zero). */
  readonly grads: Map<string, tf.Tensor>;
  /** Extra scalar metrics for progress reports (e.g. mean replica loss). */
  readonly metrics?: Record<string, tf.Scalar>;
}

/**
 * What the trainer minimises. The default is cross-entropy; watermark methods plug in
 * their own (WaterMAS replicas, Uchida regulariser...). Implementations must update the
 * model's BatchNorm running statistics exactly once per step (from the clean pass) and
 * must not write any variable themselves. Everything returned is disposed by the trainer.
 */
export interface Objective {
  readonly name: string;
  computeGradients(model: Model, batch: Batch, ctx: StepContext): GradientResult;
}

/** Flat indices, per parameter name, that training must never change (bitwise). */
export type FrozenPositions = ReadonlyMap<string, Int32Array>;

/**
 * One batch from a batch source. Batches have a fixed shape; when the last batch of a set is
 * padded, the padding rows come last and `realCount` says how many rows are real samples.
 * Ownership: the consumer (trainer, evaluate) disposes `batch.x` and `batch.y` after use.
 */
export interface LabeledBatch {
  readonly batch: Batch;
  readonly realCount: number;
}

/**
 * The minimal batch interface the trainer consumes (the data layer's BatchStream satisfies
 * it). `epoch(e)` yields the batches of epoch e (shuffled/augmented by the source's own
 * seeded Rng); it may be sync or async.
 */
export interface BatchSource {
  readonly batchesPerEpoch: number;
  epoch(e: number): Iterable<LabeledBatch> | AsyncIterable<LabeledBatch>;
}
