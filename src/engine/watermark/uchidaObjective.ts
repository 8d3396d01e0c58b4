import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_BN_MOMENTUM } from '../models/functionalModel';
import { disposeStats } from '../models/layers';
import type { BatchNormStats, Model } from '../models/types';
import { softmaxCrossEntropy } from '../train/crossEntropy';
import { paramGradients } from '../train/gradients';
import type { Batch, GradientResult, Objective } from '../train/types';
import { bitsFromString } from './payload/payloadBits';
import { uchidaMatrix, type UchidaKey } from './uchida';

/**
 * Uchida et al. 2017 objective: J = L(θ) + λ · Σ_t BCE(sigmoid((X·w)_t), b_t), w = mean of the
 * marked conv kernel over its out axis (flattened). One forward+backward per step; BatchNorm
 * statistics updated once from that pass. Reports the task loss L and the metric `uchidaLoss`
 * (the BCE sum).
 */
export class UchidaObjective implements Objective {
  readonly name = 'uchida';
  private readonly X: tf.Tensor2D;
  private readonly b: tf.Tensor2D;
  private lambda: number;
  private disposed = false;

  constructor(
    private readonly key: UchidaKey,
    private readonly opts: { readonly lambda?: number; readonly bnMomentum?: number } = {},
  ) {
    const { rows, cols } = key.matrix;
    this.X = tf.keep(tf.tensor2d(uchidaMatrix(key), [rows, cols]));
    this.b = tf.keep(tf.tensor2d(Float32Array.from(bitsFromString(key.payload.bits)), [rows, 1]));
    this.lambda = opts.lambda ?? key.objective.lambda;
  }

  /** λ may change between steps. */
  setLambda(lambda: number): void {
    if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new RangeError(`lambda must be finite and >= 0, got ${lambda}`);
    this.lambda = lambda;
  }

  /** Σ_t BCE(sigmoid(z_t), b_t) with z = X·mean_out(W), as softplus(z) − b·z (stable). */
  regulariser(kernel: tf.Tensor): tf.Scalar {
    return tf.tidy(() => {
      const w = tf.reshape(tf.mean(kernel, 3), [-1, 1]);
      const z = tf.matMul(this.X, w);
      return tf.sum(tf.sub(tf.softplus(z), tf.mul(this.b, z))) as tf.Scalar;
    });
  }

  computeGradients(model: Model, batch: Batch): GradientResult {
    if (this.disposed) throw new Error('Uchida objective used after dispose().');
    const kernel = model.params.get(this.key.layer);
    if (!kernel) throw new Error(`The model has no parameter '${this.key.layer}'.`);
    const sink: BatchNormStats[] = [];
    let logits: tf.Tensor2D | undefined;
    let task: tf.Scalar | undefined;
    let reg: tf.Scalar | undefined;
    try {
      const { value, grads } = paramGradients(model, () => {
        const out = model.forward(batch.x, { training: true, statsSink: sink });
        logits = tf.keep(out);
        const L = softmaxCrossEntropy(out, batch.y);
        task = tf.keep(L);
        const r = this.regulariser(kernel);
        reg = tf.keep(r);
        return tf.add(L, tf.mul(tf.scalar(this.lambda), r)) as tf.Scalar;
      });
      value.dispose();
      model.updateRunningStats(sink, this.opts.bnMomentum ?? DEFAULT_BN_MOMENTUM);
      return { loss: task!, logits, grads, metrics: { uchidaLoss: reg! } };
    } catch (e) {
      disposeStats(sink);
      for (const t of [logits, task, reg] as (tf.Tensor | undefined)[]) t?.dispose();
      throw e;
    }
  }

  dispose(): void {
    this.X.dispose();
    this.b.dispose();
    this.disposed = true;
  }
}
