import * as tf from '@tensorflow/tfjs-core';
import type { ImageSet, Normalization } from '../data/types';
import { normalizePixels } from '../data/normalize';
import { Rng, hashSeed } from '../random/rng';
import type { BatchSource, LabeledBatch } from '../train/types';
import { FCW_DEFAULT_PER_BATCH } from './types';

export interface TriggerBatchOptions {
  /** The trigger images (uint8 HWC, same geometry as the batches). */
  readonly triggers: ImageSet;
  /** The label every trigger is trained towards. */
  readonly target: number;
  /** Normalisation of the wrapped source (the triggers get the same). */
  readonly normalization: Normalization;
  /** Triggers appended to every batch (default 10; at most the number of triggers). */
  readonly perBatch?: number;
  /** Seeds the order in which triggers are cycled. */
  readonly seed: number;
}

/**
 * The triggers whose rows batch `batchIndex` of epoch `epoch` gets (our choice): each epoch
 * has its own seeded permutation of the trigger set (stream derived from (seed, epoch)),
 * consumed cyclically `perBatch` at a time, so all triggers are seen equally often and any
 * batch can be regenerated on its own.
 */
export function triggerIndicesFor(triggerCount: number, perBatch: number, seed: number, epoch: number, batchIndex: number): Int32Array {
  const order = new Rng(hashSeed(seed, `fcw/triggers/epoch${epoch}`)).permutation(triggerCount);
  const out = new Int32Array(perBatch);
  for (let m = 0; m < perBatch; m++) out[m] = order[(batchIndex * perBatch + m) % triggerCount];
  return out;
}

/**
 * Wraps a BatchSource so that every batch carries `perBatch` triggers labelled `target`
 * (methods.md §3 step 2): a batch of B rows becomes B + k rows, fixed shape. The triggers are
 * inserted right after the real rows, so padding rows (if any) stay last and `realCount`
 * grows by k. Triggers are not augmented. The wrapped batch's tensors are disposed here;
 * the consumer disposes the returned ones, as usual.
 */
export function withTriggers(source: BatchSource, opts: TriggerBatchOptions): BatchSource {
  const { triggers, target } = opts;
  const k = opts.perBatch ?? FCW_DEFAULT_PER_BATCH;
  if (!(Number.isInteger(k) && k >= 1 && k <= triggers.count)) {
    throw new RangeError(`triggers per batch must be an integer in 1..${triggers.count}, got ${k}`);
  }
  if (triggers.channels !== 3) throw new Error(`withTriggers: expected 3-channel triggers, got ${triggers.channels}`);
  const { height: h, width: w } = triggers;
  const per = h * w * 3;
  const normalised = normalizePixels(triggers.images, opts.normalization);
  const labels = new Int32Array(k).fill(target);

  async function* epoch(e: number): AsyncGenerator<LabeledBatch, void, undefined> {
    let b = 0;
    for await (const item of source.epoch(e)) {
      const { batch, realCount } = item;
      let out: LabeledBatch;
      try {
        const [bh, bw, bc] = batch.x.shape.slice(1);
        if (bh !== h || bw !== w || bc !== 3) throw new Error(`withTriggers: batch images are ${bh}x${bw}x${bc}, triggers ${h}x${w}x3`);
        const idx = triggerIndicesFor(triggers.count, k, opts.seed, e, b);
        const xs = new Float32Array(k * per);
        for (let m = 0; m < k; m++) xs.set(normalised.subarray(idx[m] * per, (idx[m] + 1) * per), m * per);
        const B = batch.x.shape[0];
        const real = Math.max(0, Math.min(realCount, B));
        const [x, y] = tf.tidy(() => {
          const tx = tf.tensor4d(xs, [k, h, w, 3], 'float32');
          const ty = tf.tensor1d(labels, 'int32');
          const bx = batch.x, by = tf.cast(batch.y, 'int32');
          if (real === B) return [tf.concat([bx, tx], 0), tf.concat([by, ty], 0)];
          return [
            tf.concat([tf.slice(bx, [0, 0, 0, 0], [real, -1, -1, -1]), tx, tf.slice(bx, [real, 0, 0, 0], [-1, -1, -1, -1])], 0),
            tf.concat([tf.slice(by, [0], [real]), ty, tf.slice(by, [real], [-1])], 0),
          ];
        }) as [tf.Tensor4D, tf.Tensor1D];
        out = { batch: { x, y }, realCount: real + k };
      } finally {
        tf.dispose([batch.x, batch.y]);
      }
      b += 1;
      yield out;
    }
  }

  return { batchesPerEpoch: source.batchesPerEpoch, epoch };
}
