import * as tf from '@tensorflow/tfjs-core';
import type { Model, ParamOverrides } from '../models/types';
import { perSampleCrossEntropy } from './crossEntropy';
import type { LabeledBatch } from './types';

export interface EvaluateOptions {
  /** Stop after this many batches. */
  readonly maxBatches?: number;
  /** Evaluate at substituted parameter values (attacks, landscape). */
  readonly overrides?: ParamOverrides;
}

export interface EvaluationResult {
  /** Mean cross-entropy over the real samples. */
  readonly loss: number;
  /** Top-1 accuracy over the real samples. */
  readonly accuracy: number;
  /** Number of real samples evaluated. */
  readonly count: number;
}

/**
 * Inference-mode loss and accuracy over `batches`, counting only the first `realCount`
 * rows of each batch (padding rows come last). Sums stay on the device; one read at the
 * end. Each batch is disposed after use.
 */
export async function evaluate(
  model: Model,
  batches: Iterable<LabeledBatch> | AsyncIterable<LabeledBatch>,
  opts: EvaluateOptions = {},
): Promise<EvaluationResult> {
  let lossSum: tf.Scalar | null = null;
  let correctSum: tf.Scalar | null = null;
  let count = 0;
  let seen = 0;
  try {
    for await (const { batch, realCount } of batches) {
      try {
        if (opts.maxBatches !== undefined && seen >= opts.maxBatches) break;
        seen += 1;
        const n = Math.min(realCount, batch.x.shape[0]);
        if (n <= 0) continue;
        const [l, c] = tf.tidy(() => {
          const logits = model.forward(batch.x, { training: false, overrides: opts.overrides });
          const real = n < batch.x.shape[0];
          const lg = real ? tf.slice(logits, [0, 0], [n, -1]) : logits;
          const y = real ? tf.slice(batch.y, [0], [n]) : batch.y;
          const ce = tf.sum(perSampleCrossEntropy(lg, y));
          const correct = tf.sum(tf.cast(tf.equal(tf.argMax(lg, 1), tf.cast(y, 'int32')), 'float32'));
          return [lossSum ? tf.add(lossSum, ce) : ce, correctSum ? tf.add(correctSum, correct) : correct] as tf.Scalar[];
        });
        lossSum?.dispose();
        correctSum?.dispose();
        lossSum = l;
        correctSum = c;
        count += n;
      } finally {
        tf.dispose([batch.x, batch.y]);
      }
    }
    if (count === 0 || !lossSum || !correctSum) return { loss: NaN, accuracy: NaN, count: 0 };
    const loss = (await lossSum.data())[0] / count;
    const accuracy = (await correctSum.data())[0] / count;
    return { loss, accuracy, count };
  } finally {
    lossSum?.dispose();
    correctSum?.dispose();
  }
}
