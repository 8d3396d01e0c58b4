import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../src/engine/random/rng';
import type { BatchSource, LabeledBatch } from '../src/engine/train/types';

/**
 * `steps` batches of one fixed random batch (fresh tensors each step, as a real source
 * yields): the step time then measures the model, objective and optimizer, not the data path.
 */
export function fixedBatchSource(batchSize: number, steps: number, seed = 1): BatchSource & { dispose(): void } {
  const rng = new Rng(seed);
  const x = tf.tensor4d(rng.fillNormal(new Float32Array(batchSize * 32 * 32 * 3)), [batchSize, 32, 32, 3]);
  const y = tf.tensor1d(Int32Array.from({ length: batchSize }, () => rng.int(10)), 'int32');
  return {
    batchesPerEpoch: steps,
    *epoch(): Iterable<LabeledBatch> {
      for (let i = 0; i < steps; i++) yield { batch: { x: tf.clone(x), y: tf.clone(y) }, realCount: batchSize };
    },
    dispose() {
      x.dispose();
      y.dispose();
    },
  };
}
