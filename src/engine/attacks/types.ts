import type * as tf from '@tensorflow/tfjs-core';
import type { Model } from '../models/types';
import type { FineTuneDeps } from './finetune';

/**
 * The result of an attack: an attacked COPY of the model's weights, owned by the caller
 * (dispose it with `disposeWeights`). It holds one tensor for EVERY trainable parameter
 * (unchanged ones are cheap `tf.clone`s that share storage) and, for attacks that must also
 * move BatchNorm moving statistics (neuron permutation), entries keyed by the state names
 * (`<layer>/moving_mean`, `<layer>/moving_variance`).
 *
 * Evaluate it with `model.forward(x, { training: false, overrides: weights })`; the model's
 * own variables are never written by any attack.
 */
export type AttackedWeights = Map<string, tf.Tensor>;

/** One tensor's share of a watermark key: tensor name + flat indices (row-major, TF layout). */
export interface KeyPositions {
  readonly tensor: string;
  readonly indices: Int32Array | readonly number[];
}

/** Options common to every attack. */
export interface AttackOptions {
  /** Seed of the attack's own randomness (Rng). */
  readonly seed: number;
  /** Key positions (required by key interception; ignored by the others). */
  readonly positions?: readonly KeyPositions[];
  /** Key interception: 'flip' (sign flip) or 'resample' (values of other entries of the same tensor). */
  readonly interceptMode?: 'flip' | 'resample';
  /** Weight shifting: ratio λ2/λ1 (default 1, i.e. λ1 = λ2 = strength). */
  readonly shiftNoiseRatio?: number;
  /** Overwriting: mark strength q of the second mark (magnitude floor at the q-quantile of |w|; default 0). */
  readonly overwriteQuantile?: number;
  /** Fine-tuning (FTAL/FTLL/RTAL) dependencies; see finetune.ts. */
  readonly fineTune?: FineTuneDeps;
}

/** A seeded, pure attack: reads `model`, returns an attacked copy of its weights. */
export type AttackFn = (model: Model, strength: number, opts: AttackOptions) => Promise<AttackedWeights>;

/** Minimal cancellation signal (structurally compatible with AbortSignal). */
export interface CancelSignal {
  readonly aborted: boolean;
}
