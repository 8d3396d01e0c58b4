import * as tf from '@tensorflow/tfjs-core';
import type { Model, ParamOverrides } from '../models/types';
import type { Direction, EvalBatch, LossPoint } from './types';

/** Mean softmax cross-entropy of logits [B, C] against integer labels [B]. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(tf.cast(labels, 'int32'), logits.shape[1]);
    return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1))) as tf.Scalar;
  });
}

/**
 * Overrides θ + Σ c_k·d_k for the parameters touched by the given directions (others are
 * read from the model as usual). θ is the model's weights, or `base` where it has a value (a
 * snapshot of them). Tensors are new; call inside tf.tidy or dispose them.
 */
export function perturbedOverrides(
  model: Model,
  terms: readonly { readonly dir: Direction; readonly coef: number }[],
  base?: ParamOverrides,
): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const { dir, coef } of terms) {
    for (const [name, d] of dir) {
      const base0 = out.get(name) ?? base?.get(name) ?? (model.params.get(name) as tf.Tensor);
      if (!base0) throw new Error(`direction touches unknown parameter ${name}`);
      out.set(name, tf.add(base0, tf.mul(d, coef)));
    }
  }
  return out;
}

/**
 * Loss and accuracy on the fixed batch at θ + Σ c_k·d_k, in inference mode (BatchNorm uses its
 * moving statistics), through `overrides`: the model's variables are never written. `base`:
 * values that stand for the model's parameters and BatchNorm statistics (a snapshot).
 */
export async function evaluateAt(
  model: Model,
  batch: EvalBatch,
  terms: readonly { readonly dir: Direction; readonly coef: number }[],
  base?: ParamOverrides,
): Promise<LossPoint> {
  const [loss, acc] = tf.tidy(() => {
    const perturbed = terms.length ? perturbedOverrides(model, terms, base) : undefined;
    const overrides = base ? new Map([...base, ...(perturbed ?? [])]) : perturbed;
    const logits = model.forward(batch.x, { training: false, overrides });
    const l = crossEntropy(logits, batch.y);
    const a = tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(batch.y, 'int32')), 'float32'));
    return [l, a];
  });
  const [lv, av] = await Promise.all([loss.data(), acc.data()]);
  loss.dispose();
  acc.dispose();
  return { loss: lv[0], accuracy: av[0] };
}
