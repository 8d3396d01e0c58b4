import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_BN_MOMENTUM } from '../models/functionalModel';
import { disposeStats } from '../models/layers';
import type { BatchNormStats, Model } from '../models/types';
import { paramGradients } from './gradients';
import type { Batch, GradientResult, Objective } from './types';

/** Per-sample softmax cross-entropy [B] from logits [B, K] and int labels [B]. */
export function perSampleCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits);
    const onehot = tf.oneHot(tf.cast(labels, 'int32'), logits.shape[1]);
    return tf.neg(tf.sum(tf.mul(onehot, logp), 1)) as tf.Tensor1D;
  });
}

/** Mean softmax cross-entropy over the batch (the task loss L). */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.mean(perSampleCrossEntropy(logits, labels)) as tf.Scalar);
}

/** Number of correct top-1 predictions (float32 scalar). */
export function correctCount(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(labels, 'int32')), 'float32')) as tf.Scalar);
}

export interface CrossEntropyOptions {
  /** BatchNorm momentum for the running statistics (default 0.9, see DEFAULT_BN_MOMENTUM). */
  readonly bnMomentum?: number;
}

/**
 * The default objective: mean softmax cross-entropy of a training-mode pass, gradients over
 * every parameter, BatchNorm running statistics updated once from this pass.
 */
export function crossEntropyObjective(opts: CrossEntropyOptions = {}): Objective {
  const bnMomentum = opts.bnMomentum ?? DEFAULT_BN_MOMENTUM;
  return {
    name: 'cross-entropy',
    computeGradients(model: Model, batch: Batch): GradientResult {
      const sink: BatchNormStats[] = [];
      let logits: tf.Tensor2D | undefined;
      try {
        const { value, grads } = paramGradients(model, () => {
          const out = model.forward(batch.x, { training: true, statsSink: sink });
          logits = tf.keep(out);
          return softmaxCrossEntropy(out, batch.y);
        });
        model.updateRunningStats(sink, bnMomentum);
        return { loss: value, logits, grads };
      } catch (e) {
        disposeStats(sink);
        logits?.dispose();
        throw e;
      }
    },
  };
}
