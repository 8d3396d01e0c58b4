import * as tf from '@tensorflow/tfjs-core';
import type { BatchNormStats, ForwardOptions, Model, ModelConfig, ParamInfo, StateInfo } from '../../../src/engine/models/types';
import { Rng } from '../../../src/engine/random/rng';

let counter = 0;

/**
 * Test-only model implementing the Model contract: conv 3x3 (C→F, bias-free) → BatchNorm →
 * ReLU → global average pool → dense (F→classes) + bias. Input [B, 6, 6, C].
 * `variant` changes the conv width so tests can build a "different architecture".
 */
export function createTinyModel(seed = 1, opts: { filters?: number; classes?: number; channels?: number } = {}): Model {
  const F = opts.filters ?? 4, K = opts.classes ?? 3, C = opts.channels ?? 3;
  const rng = new Rng(seed);
  const uid = `tiny${counter++}`;
  const paramInfo: ParamInfo[] = [
    { name: 'conv/kernel', shape: [3, 3, C, F], role: 'conv-kernel' },
    { name: 'bn/gamma', shape: [F], role: 'bn-gamma' },
    { name: 'bn/beta', shape: [F], role: 'bn-beta' },
    { name: 'head/dense/kernel', shape: [F, K], role: 'dense-kernel' },
    { name: 'head/dense/bias', shape: [K], role: 'bias' },
  ];
  const stateInfo: StateInfo[] = [
    { name: 'bn/moving_mean', shape: [F], role: 'bn-moving-mean' },
    { name: 'bn/moving_variance', shape: [F], role: 'bn-moving-variance' },
  ];
  const init = (p: ParamInfo): tf.Tensor => {
    const size = p.shape.reduce((a, b) => a * b, 1);
    if (p.role === 'bn-gamma') return tf.ones([...p.shape]);
    if (p.role === 'bn-beta' || p.role === 'bias') return tf.zeros([...p.shape]);
    const fanIn = p.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    return tf.tensor(rng.fillNormal(new Float32Array(size), 0, Math.sqrt(2 / fanIn)), [...p.shape]);
  };
  const params = new Map<string, tf.Variable>();
  for (const p of paramInfo) {
    const t = init(p);
    params.set(p.name, tf.variable(t, true, `${uid}/${p.name}`));
    t.dispose();
  }
  const state = new Map<string, tf.Variable>([
    ['bn/moving_mean', tf.variable(tf.zeros([F]), false, `${uid}/bn/moving_mean`)],
    ['bn/moving_variance', tf.variable(tf.ones([F]), false, `${uid}/bn/moving_variance`)],
  ]);
  const config: ModelConfig = { arch: 'cnn', numClasses: K, inputShape: [6, 6, C], options: { test: 'tiny' } };
  const model: Model = {
    config,
    paramInfo,
    params,
    stateInfo,
    state,
    parameterCount: paramInfo.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0),
    forward(x: tf.Tensor4D, o: ForwardOptions): tf.Tensor2D {
      return tf.tidy(() => {
        const get = (n: string) => o.overrides?.get(n) ?? params.get(n)!;
        let h: tf.Tensor4D = tf.conv2d(x, get('conv/kernel') as tf.Tensor4D, 1, 'same');
        let mean: tf.Tensor, variance: tf.Tensor;
        if (o.training) {
          const m = tf.moments(h, [0, 1, 2]);
          mean = m.mean;
          variance = m.variance;
          o.statsSink?.push({ layer: 'bn', mean: tf.keep(mean) as tf.Tensor1D, variance: tf.keep(variance) as tf.Tensor1D });
        } else {
          mean = state.get('bn/moving_mean')!;
          variance = state.get('bn/moving_variance')!;
        }
        h = tf.batchNorm(h, mean, variance, get('bn/beta'), get('bn/gamma'), 1e-3) as tf.Tensor4D;
        h = tf.relu(h);
        const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
        return tf.add(tf.matMul(pooled, get('head/dense/kernel') as tf.Tensor2D), get('head/dense/bias')) as tf.Tensor2D;
      });
    },
    updateRunningStats(stats: readonly BatchNormStats[], momentum = 0.9): void {
      for (const s of stats) {
        const mm = state.get(`${s.layer}/moving_mean`)!, mv = state.get(`${s.layer}/moving_variance`)!;
        tf.tidy(() => {
          mm.assign(tf.add(tf.mul(mm, momentum), tf.mul(s.mean, 1 - momentum)));
          mv.assign(tf.add(tf.mul(mv, momentum), tf.mul(s.variance, 1 - momentum)));
        });
        s.mean.dispose();
        s.variance.dispose();
      }
    },
    dispose(): void {
      for (const v of params.values()) v.dispose();
      for (const v of state.values()) v.dispose();
    },
  };
  return model;
}

/** A deterministic random batch for the tiny model: x [B, 6, 6, C], labels in [0, classes). */
export function tinyBatch(seed: number, size = 8, channels = 3, classes = 3): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const rng = new Rng(seed);
  const x = tf.tensor4d(rng.fillNormal(new Float32Array(size * 36 * channels)), [size, 6, 6, channels]);
  const y = tf.tensor1d(Int32Array.from({ length: size }, () => rng.int(classes)), 'int32');
  return { x, y };
}
