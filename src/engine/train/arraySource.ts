import * as tf from '@tensorflow/tfjs-core';
import type { BatchSource, LabeledBatch } from './types';

/**
 * A minimal BatchSource over in-memory float images [N, H, W, C] (already normalised) and
 * labels, in fixed order, dropping the last incomplete batch. For tests, benchmarks and
 * tiny demos; the data layer's BatchStream (shuffling, augmentation, padding) is the real one.
 */
export function arrayBatchSource(
  images: Float32Array,
  labels: Int32Array | Uint8Array,
  shape: readonly [number, number, number],
  batchSize: number,
): BatchSource {
  const [h, w, c] = shape;
  const per = h * w * c;
  const n = labels.length;
  if (images.length !== n * per) throw new Error(`arrayBatchSource: ${images.length} values for ${n} images of ${per}`);
  const batchesPerEpoch = Math.floor(n / batchSize);
  return {
    batchesPerEpoch,
    *epoch(): Iterable<LabeledBatch> {
      for (let b = 0; b < batchesPerEpoch; b++) {
        const x = tf.tensor4d(images.subarray(b * batchSize * per, (b + 1) * batchSize * per), [batchSize, h, w, c]);
        const y = tf.tensor1d(Int32Array.from(labels.subarray(b * batchSize, (b + 1) * batchSize)), 'int32');
        yield { batch: { x, y }, realCount: batchSize };
      }
    },
  };
}
