import type * as tf from '@tensorflow/tfjs-core';

/**
 * A direction in parameter space: one full-shape tensor per parameter it touches (by name);
 * parameters absent from the map have direction 0. Owned by the caller (`disposeDirection`).
 */
export type Direction = Map<string, tf.Tensor>;

/** The fixed evaluation batch (normalised images, integer labels); owned by the caller. */
export interface EvalBatch {
  readonly x: tf.Tensor4D;
  readonly y: tf.Tensor1D;
}

/** Key positions: tensor name + flat indices (row-major over the TF layout). */
export interface PositionList {
  readonly tensor: string;
  readonly indices: Int32Array | readonly number[];
}

/**
 * A coordinate subspace of the parameters: the listed flat indices of the listed tensors,
 * in this order (the order of subspace vectors).
 */
export interface Subspace {
  readonly entries: readonly { readonly name: string; readonly shape: readonly number[]; readonly indices: Int32Array }[];
  readonly dim: number;
}

/** Loss and accuracy at one point. */
export interface LossPoint {
  readonly loss: number;
  readonly accuracy: number;
}

/** Minimal cancellation signal (structurally compatible with AbortSignal). */
export interface CancelSignal {
  readonly aborted: boolean;
}
