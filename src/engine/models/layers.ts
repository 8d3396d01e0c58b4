import * as tf from '@tensorflow/tfjs-core';
import { RELU_GRAD } from '../backend/wasm-kernels/relu-grad';
import { batchNormTrain } from './batchNormTrain';
import { batchNormApply } from './batchNormApply';
import type { BatchNormStats, ForwardOptions } from './types';

/** BatchNorm epsilon, as in Keras (1e-3). */
export const BN_EPSILON = 1e-3;
/** LayerNorm epsilon (our choice: 1e-5, as in PyTorch / timm ViTs). */
export const LN_EPSILON = 1e-5;

/**
 * What a layer function needs during one forward pass: the parameter resolver
 * (`overrides.get(name) ?? params.get(name)`), the BN moving statistics, the mode
 * and the optional statistics sink.
 */
export class ForwardContext {
  constructor(
    private readonly params: ReadonlyMap<string, tf.Tensor>,
    private readonly state: ReadonlyMap<string, tf.Tensor>,
    readonly opts: ForwardOptions,
  ) {}

  get training(): boolean {
    return this.opts.training;
  }

  /** The value to use for parameter `name` in this pass (override first). */
  param(name: string): tf.Tensor {
    const t = this.opts.overrides?.get(name) ?? this.params.get(name);
    if (t === undefined) throw new Error(`unknown parameter: ${name}`);
    return t;
  }

  /**
   * BN moving statistic `name` (override first: attacks such as neuron permutation and
   * fine-tuning produce new statistics alongside new parameters).
   */
  stateValue(name: string): tf.Tensor {
    const t = this.opts.overrides?.get(name) ?? this.state.get(name);
    if (t === undefined) throw new Error(`unknown state: ${name}`);
    return t;
  }
}

export interface ConvOptions {
  readonly stride?: number;
  readonly pad?: 'same' | 'valid';
  /** Adds `${prefix}/bias` when true. */
  readonly bias?: boolean;
}

/** 2-D convolution with `${prefix}/kernel` [kh, kw, in, out] (NHWC). */
export function conv2d(ctx: ForwardContext, prefix: string, x: tf.Tensor4D, o: ConvOptions = {}): tf.Tensor4D {
  const stride = o.stride ?? 1;
  const kernel = ctx.param(`${prefix}/kernel`) as tf.Tensor4D;
  const y = tf.conv2d(x, kernel, [stride, stride], o.pad ?? 'same');
  return o.bias ? tf.add(y, ctx.param(`${prefix}/bias`)) : y;
}

/** Depthwise convolution with `${prefix}/kernel` [kh, kw, in, multiplier]. */
export function depthwiseConv2d(ctx: ForwardContext, prefix: string, x: tf.Tensor4D, o: ConvOptions = {}): tf.Tensor4D {
  const stride = o.stride ?? 1;
  const kernel = ctx.param(`${prefix}/kernel`) as tf.Tensor4D;
  const y = tf.depthwiseConv2d(x, kernel, [stride, stride], o.pad ?? 'same');
  return o.bias ? tf.add(y, ctx.param(`${prefix}/bias`)) : y;
}

/**
 * Dense layer `${prefix}/kernel` [in, out] (+ `${prefix}/bias` when `bias`), applied on the
 * last axis of an input of any rank >= 2.
 */
export function dense<T extends tf.Tensor>(ctx: ForwardContext, prefix: string, x: T, bias = true): T {
  const kernel = ctx.param(`${prefix}/kernel`) as tf.Tensor2D;
  const inC = x.shape[x.rank - 1];
  const outC = kernel.shape[1];
  const flat = x.rank === 2 ? (x as unknown as tf.Tensor2D) : tf.reshape(x, [-1, inC]);
  let y: tf.Tensor = tf.matMul(flat as tf.Tensor2D, kernel);
  if (bias) y = tf.add(y, ctx.param(`${prefix}/bias`));
  return (x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), outC])) as T;
}

/**
 * BatchNorm over all axes but the last (`${prefix}/gamma|beta`, state
 * `${prefix}/moving_mean|moving_variance`). Training: batch statistics (biased variance, as
 * Keras) by `batchNormTrain` (the lab's kernels on wasm and cpu, the composed formula elsewhere);
 * when `statsSink` is given the batch mean/variance are pushed there (tf.keep'd) for the caller's
 * `updateRunningStats`; `batchStats` replaces the batch's own statistics with given ones.
 * Inference: moving statistics. Given statistics go through `batchNormApply` (the lab's kernel on
 * wasm and cpu, the composed formula elsewhere).
 */
export function batchNorm<T extends tf.Tensor>(ctx: ForwardContext, prefix: string, x: T): T {
  const gamma = ctx.param(`${prefix}/gamma`);
  const beta = ctx.param(`${prefix}/beta`);
  let mean: tf.Tensor;
  let variance: tf.Tensor;
  const fixed = ctx.training ? ctx.opts.batchStats?.get(prefix) : undefined;
  if (fixed) {
    mean = fixed.mean;
    variance = fixed.variance;
  } else if (ctx.training) {
    const r = batchNormTrain(x, gamma, beta, BN_EPSILON);
    if (ctx.opts.statsSink) {
      ctx.opts.statsSink.push({ layer: prefix, mean: tf.keep(r.mean), variance: tf.keep(r.variance) });
    } else {
      tf.dispose([r.mean, r.variance]);
    }
    return r.y;
  } else {
    mean = ctx.stateValue(`${prefix}/moving_mean`);
    variance = ctx.stateValue(`${prefix}/moving_variance`);
  }
  return batchNormApply(x, mean, variance, gamma, beta, BN_EPSILON);
}

/** LayerNorm over the last axis with `${prefix}/gamma|beta`. */
export function layerNorm<T extends tf.Tensor>(ctx: ForwardContext, prefix: string, x: T): T {
  const { mean, variance } = tf.moments(x, -1, true);
  const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, LN_EPSILON)));
  return tf.add(tf.mul(normed, ctx.param(`${prefix}/gamma`)), ctx.param(`${prefix}/beta`)) as T;
}

/**
 * ReLU. Where the lab's LabReluGrad kernel is registered (wasm, cpu) its gradient is that one
 * pass (dx = y > 0 ? dy : 0) instead of tfjs's three kernels; elsewhere tf.relu as it is.
 */
export function relu<T extends tf.Tensor>(x: T): T {
  if (tf.getKernel(RELU_GRAD, tf.getBackend()) == null) return tf.relu(x);
  return reluOneKernelGrad(x) as T;
}

const reluOneKernelGrad = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  const y = tf.relu(x);
  save([y]);
  return { value: y, gradFunc: (dy: tf.Tensor, [ys]: tf.Tensor[]) => tf.engine().runKernel(RELU_GRAD, { dy, y: ys }) as tf.Tensor };
});

/** hard-sigmoid(x) = relu6(x + 3) / 6 (MobileNetV3). */
export function hardSigmoid<T extends tf.Tensor>(x: T): T {
  return tf.div(tf.relu6(tf.add(x, 3)), 6) as T;
}

/** hard-swish(x) = x * relu6(x + 3) / 6 (MobileNetV3). */
export function hardSwish<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, hardSigmoid(x)) as T;
}

/** GELU, tanh approximation (as in GPT-2 / BERT implementations). */
export function gelu<T extends tf.Tensor>(x: T): T {
  const c = Math.sqrt(2 / Math.PI);
  const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), c);
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1)) as T;
}

/** Mean over the spatial axes: [B, H, W, C] -> [B, C]. */
export function globalAvgPool(x: tf.Tensor4D): tf.Tensor2D {
  return tf.mean(x, [1, 2]) as tf.Tensor2D;
}

/** Max pooling, window = stride = `size`, 'valid'. */
export function maxPool(x: tf.Tensor4D, size = 2): tf.Tensor4D {
  return tf.maxPool(x, size, size, 'valid');
}

/**
 * Squeeze-and-excite (MobileNetV3): global average pool, `${prefix}/reduce` dense + ReLU,
 * `${prefix}/expand` dense + hard-sigmoid, channel-wise rescale of x.
 */
export function squeezeExcite(ctx: ForwardContext, prefix: string, x: tf.Tensor4D): tf.Tensor4D {
  const s = globalAvgPool(x);
  const r = relu(dense(ctx, `${prefix}/reduce`, s));
  const e = hardSigmoid(dense(ctx, `${prefix}/expand`, r));
  const [b, , , c] = x.shape;
  return tf.mul(x, tf.reshape(e, [b, 1, 1, c]));
}

/** Flattens [B, ...] to [B, prod(...)]. */
export function flatten(x: tf.Tensor): tf.Tensor2D {
  return tf.reshape(x, [x.shape[0], -1]);
}

/** Makes a stats sink entry list's tensors free. */
export function disposeStats(stats: readonly BatchNormStats[]): void {
  for (const s of stats) {
    s.mean.dispose();
    s.variance.dispose();
  }
}
