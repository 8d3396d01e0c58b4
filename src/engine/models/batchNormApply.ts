import * as tf from '@tensorflow/tfjs-core';
import { BN_APPLY } from '../backend/wasm-kernels/batch-norm-apply';

/**
 * BatchNorm over all axes but the last with given per-channel statistics ([C] each):
 * y = γ·(x − μ)/√(σ² + ε) + β. Used with the moving statistics (inference) and with another
 * pass's batch statistics (a WaterMAS replica normalised with the clean pass's).
 *
 * Where the lab's kernels for it are registered (wasm and cpu: `LabBatchNormApply` and its
 * gradient, backend/wasm-kernels/batch-norm-apply.ts) this is one kernel forward and one backward,
 * with gradients for x, μ, σ², γ and β; elsewhere (webgl, webgpu) the composed formula,
 * differentiated op by op. Same values and gradients up to float rounding
 * (tests/unit/models/batchNormApply.test.ts).
 */
export function batchNormApply<T extends tf.Tensor>(x: T, mean: tf.Tensor, variance: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): T {
  const c = x.shape[x.rank - 1];
  const perChannel = [mean, variance, gamma, beta].every((t) => t.rank === 1 && t.shape[0] === c && t.dtype === 'float32');
  if (perChannel && x.dtype === 'float32' && x.rank >= 2 && tf.getKernel(BN_APPLY, tf.getBackend()) != null) {
    return tf.engine().runKernel(BN_APPLY, { x, mean, variance, gamma, beta }, { epsilon }) as T;
  }
  const scale = tf.mul(gamma, tf.rsqrt(tf.add(variance, epsilon)));
  return tf.add(tf.mul(tf.sub(x, mean), scale), beta) as T;
}
