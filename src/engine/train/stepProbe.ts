/**
 * A training step to time: what the backend choice measures (one SGD step of a fresh model on a
 * fixed batch). Built on the active backend, so call it after that backend is set.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { StepProbe } from '../backend/choose-fastest';
import { createModel } from '../models';
import { crossEntropyObjective } from './crossEntropy';
import { createOptimizer } from './optimizers';

export interface TrainingProbeConfig {
  /** Zoo architecture, e.g. 'cnn'. */
  readonly arch: string;
  readonly batch: number;
  /** Model initialisation seed (default 0). */
  readonly seed?: number;
}

/** A training step whose result is the loss tensor (the caller reads and disposes it). */
export interface TrainingStepProbe extends StepProbe {
  readonly step: () => tf.Tensor;
}

/** One SGD + momentum step of `arch` on `batch` fixed pseudo-random images of the model's input shape. */
export function trainingStepProbe(config: TrainingProbeConfig): TrainingStepProbe {
  const n = config.batch;
  const model = createModel(config.arch as Parameters<typeof createModel>[0], { seed: config.seed ?? 0 });
  const [h, w, c] = model.config.inputShape;
  const images = new Float32Array(n * h * w * c);
  // Fixed pseudo-random pixels (an LCG; the values only have to be non-degenerate).
  let state = 12345;
  for (let i = 0; i < images.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    images[i] = state / 2 ** 31 - 1;
  }
  const x = tf.tensor4d(images, [n, h, w, c]);
  const y = tf.tensor1d(Int32Array.from({ length: n }, (_, i) => i % model.config.numClasses), 'int32');
  const optimizer = createOptimizer(model, { optimizer: 'sgd', momentum: 0.9 });
  const objective = crossEntropyObjective();
  return {
    step: () => {
      const r = objective.computeGradients(model, { x, y }, { step: 0, epoch: 0 });
      optimizer.apply(r.grads, 0.01);
      tf.dispose([...r.grads.values(), ...(r.logits ? [r.logits] : [])]);
      return r.loss;
    },
    dispose: () => {
      optimizer.dispose();
      model.dispose();
      tf.dispose([x, y]);
    },
  };
}

/**
 * A lower bound on a training step of the small cnn: its largest convolution alone (32 -> 32
 * channels, 3x3, at 32x32, `batch` images), forward only. Every training step of that model
 * runs this convolution plus two backward ones of the same size, so a backend that needs longer
 * for it than another backend needs for a whole step cannot win; measuring it first bounds the
 * work a losing software GPU is given (one shader, not a hundred).
 */
export function convLowerBoundProbe(batch: number): StepProbe {
  const x = tf.randomUniform([batch, 32, 32, 32], -1, 1, 'float32', 1) as tf.Tensor4D;
  const w = tf.randomUniform([3, 3, 32, 32], -0.1, 0.1, 'float32', 2) as tf.Tensor4D;
  return {
    step: () => tf.conv2d(x, w, 1, 'same'),
    dispose: () => tf.dispose([x, w]),
  };
}
