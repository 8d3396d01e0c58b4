import * as tf from '@tensorflow/tfjs-core';
import { BN_TRAIN } from '../backend/wasm-kernels/batch-norm-train';

/** What a training-mode BatchNorm produces: the output and the batch statistics it used. */
export interface BatchNormTrainResult<T extends tf.Tensor> {
  readonly y: T;
  /** Batch mean and biased variance over all axes but the last, on the tape like y. */
  readonly mean: tf.Tensor1D;
  readonly variance: tf.Tensor1D;
}

/**
 * Training-mode BatchNorm over all axes but the last, with batch statistics:
 * y = γ·(x − μ)/√(σ² + ε) + β with μ, σ² the batch mean and biased variance (as Keras).
 *
 * Where the lab's kernels for it are registered (wasm and cpu: `LabBatchNormTrain` and its
 * gradient, backend/wasm-kernels/batch-norm-train.ts) this is one kernel forward and one
 * backward (two passes over the data each); elsewhere (webgl, webgpu) the composed formula,
 * differentiated op by op. Both put μ and σ² on the tape: a replica pass normalised with the
 * clean pass's statistics passes its gradient back through them, as the objective needs
 * (tests/unit/watermark/replicaModes.test.ts). Same values and gradients up to float rounding
 * (tests/unit/models/batchNormTrain.test.ts).
 */
export function batchNormTrain<T extends tf.Tensor>(x: T, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): BatchNormTrainResult<T> {
  if (tf.getKernel(BN_TRAIN, tf.getBackend()) != null) {
    const [y, mean, variance] = tf.engine().runKernel(BN_TRAIN, { x, gamma, beta }, { epsilon }) as [T, tf.Tensor1D, tf.Tensor1D];
    return { y, mean, variance };
  }
  const { mean, variance } = tf.moments(x, Array.from({ length: x.rank - 1 }, (_, i) => i));
  const scale = tf.mul(gamma, tf.rsqrt(tf.add(variance, epsilon)));
  const y = tf.add(tf.mul(tf.sub(x, mean), scale), beta) as T;
  return { y, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}
