import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../../src/engine/random/rng';
import type { BatchNormStats, ForwardOptions, Model, ModelConfig, ParamInfo, StateInfo } from '../../../src/engine/models/types';

let instances = 0;

/**
 * Test-only Model: conv1 (3x3, 3->C1, no bias) + BN + ReLU, conv2 (3x3, C1->C2, bias) + ReLU,
 * 2x2 max pool, NHWC flatten, dense -> classes. Random, non-trivial BN parameters and moving
 * statistics. Its resolver accepts parameter AND state names in `overrides`.
 */
export function createTinyModel(seed: number, o: { c1?: number; c2?: number; size?: number; classes?: number } = {}): Model {
  const c1 = o.c1 ?? 16, c2 = o.c2 ?? 24, size = o.size ?? 8, classes = o.classes ?? 5;
  const rng = new Rng(seed);
  const flat = (size / 2) * (size / 2) * c2;
  const paramInfo: ParamInfo[] = [
    { name: 'conv1/kernel', shape: [3, 3, 3, c1], role: 'conv-kernel' },
    { name: 'bn1/gamma', shape: [c1], role: 'bn-gamma' },
    { name: 'bn1/beta', shape: [c1], role: 'bn-beta' },
    { name: 'conv2/kernel', shape: [3, 3, c1, c2], role: 'conv-kernel' },
    { name: 'conv2/bias', shape: [c2], role: 'bias' },
    { name: 'head/dense/kernel', shape: [flat, classes], role: 'dense-kernel' },
    { name: 'head/dense/bias', shape: [classes], role: 'bias' },
  ];
  const stateInfo: StateInfo[] = [
    { name: 'bn1/moving_mean', shape: [c1], role: 'bn-moving-mean' },
    { name: 'bn1/moving_variance', shape: [c1], role: 'bn-moving-variance' },
  ];
  const size0 = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
  const tag = `tiny${seed}#${++instances}`;
  const init = (name: string, shape: readonly number[]): Float32Array => {
    const n = size0(shape);
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      if (name.endsWith('gamma')) v[i] = 1 + 0.2 * rng.normal();
      else if (name.endsWith('moving_variance')) v[i] = 0.5 + rng.float();
      else if (name.endsWith('kernel')) v[i] = rng.normal() * Math.sqrt(2 / (shape.slice(0, -1).reduce((a, b) => a * b, 1)));
      else v[i] = 0.1 * rng.normal();
    }
    return v;
  };
  const makeVar = (name: string, shape: readonly number[], trainable: boolean): tf.Variable => {
    const t = tf.tensor(init(name, shape), shape as number[]);
    const v = tf.variable(t, trainable, `${tag}/${name}`);
    t.dispose();
    return v;
  };
  const params = new Map<string, tf.Variable>();
  for (const p of paramInfo) params.set(p.name, makeVar(p.name, p.shape, true));
  const state = new Map<string, tf.Variable>();
  for (const s of stateInfo) state.set(s.name, makeVar(s.name, s.shape, false));
  const config: ModelConfig = { arch: 'cnn', numClasses: classes, inputShape: [size, size, 3] };
  const get = (opts: ForwardOptions, name: string): tf.Tensor => {
    const t = opts.overrides?.get(name) ?? params.get(name) ?? state.get(name);
    if (!t) throw new Error(`unknown ${name}`);
    return t;
  };
  return {
    config,
    paramInfo,
    params,
    stateInfo,
    state,
    parameterCount: paramInfo.reduce((n, p) => n + size0(p.shape), 0),
    forward(x: tf.Tensor4D, opts: ForwardOptions): tf.Tensor2D {
      return tf.tidy(() => {
        let y: tf.Tensor4D = tf.conv2d(x, get(opts, 'conv1/kernel') as tf.Tensor4D, 1, 'same');
        let mean: tf.Tensor, variance: tf.Tensor;
        if (opts.training) {
          const m = tf.moments(y, [0, 1, 2]);
          mean = m.mean;
          variance = m.variance;
          opts.statsSink?.push({ layer: 'bn1', mean: tf.keep(tf.clone(mean)) as tf.Tensor1D, variance: tf.keep(tf.clone(variance)) as tf.Tensor1D });
        } else {
          mean = get(opts, 'bn1/moving_mean');
          variance = get(opts, 'bn1/moving_variance');
        }
        y = tf.add(tf.mul(tf.sub(y, mean), tf.mul(get(opts, 'bn1/gamma'), tf.rsqrt(tf.add(variance, 1e-3)))), get(opts, 'bn1/beta'));
        y = tf.relu(y);
        y = tf.relu(tf.add(tf.conv2d(y, get(opts, 'conv2/kernel') as tf.Tensor4D, 1, 'same'), get(opts, 'conv2/bias')));
        y = tf.maxPool(y, 2, 2, 'valid');
        const f = tf.reshape(y, [y.shape[0], -1]) as tf.Tensor2D;
        return tf.add(tf.matMul(f, get(opts, 'head/dense/kernel') as tf.Tensor2D), get(opts, 'head/dense/bias')) as tf.Tensor2D;
      });
    },
    updateRunningStats(stats: readonly BatchNormStats[], momentum = 0.9): void {
      for (const s of stats) {
        tf.tidy(() => {
          const mm = state.get(`${s.layer}/moving_mean`) as tf.Variable;
          const mv = state.get(`${s.layer}/moving_variance`) as tf.Variable;
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
}

/** Deterministic random input batch [n, size, size, 3] and labels. */
export function randomBatch(seed: number, n: number, size = 8, classes = 5): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const rng = new Rng(seed);
  const x = rng.fillNormal(new Float32Array(n * size * size * 3));
  const y = Int32Array.from({ length: n }, () => rng.int(classes));
  return { x: tf.tensor4d(x, [n, size, size, 3]), y: tf.tensor1d(y, 'int32') };
}

/** Bitwise snapshot of every parameter and state tensor of a model. */
export async function snapshot(model: Model): Promise<Map<string, Uint32Array>> {
  const out = new Map<string, Uint32Array>();
  for (const [n, v] of [...model.params, ...model.state]) out.set(n, new Uint32Array(Float32Array.from(await v.data()).buffer));
  return out;
}

/** Bit pattern of a tensor's values (for bitwise comparisons). */
export async function bits(t: tf.Tensor): Promise<Uint32Array> {
  return new Uint32Array(Float32Array.from(await t.data()).buffer);
}
