import type * as tf from '@tensorflow/tfjs-core';

/**
 * Models in the lab are functional: every parameter is an explicit, named tf.Variable,
 * and `forward` reads them through a resolver that can substitute any of them with
 * another tensor of the same shape (`overrides`). That is what lets a watermark address
 * "tensor name + flat index", lets replicas evaluate L(theta + eps) without writing into
 * the weights, and keeps BatchNorm running statistics under explicit control.
 *
 * Naming: slash-separated paths, e.g. `stem/conv/kernel`, `stage1/block0/bn1/gamma`,
 * `head/dense/kernel`. Kernels use the TF layouts: conv [kh, kw, in, out],
 * depthwise [kh, kw, in, multiplier], dense [in, out].
 */
export type ArchName = 'cnn' | 'resnet20' | 'vgg11' | 'mobilenetv3s' | 'vit-tiny';

export type ParamRole =
  | 'conv-kernel'
  | 'depthwise-kernel'
  | 'dense-kernel'
  | 'bias'
  | 'bn-gamma'
  | 'bn-beta'
  | 'ln-gamma'
  | 'ln-beta'
  | 'embedding';

/** Roles that count as "weight tensors" for watermark keys and attacks (methods.md §1.1, §5). */
export const WEIGHT_ROLES: readonly ParamRole[] = ['conv-kernel', 'depthwise-kernel', 'dense-kernel'];

export interface ParamInfo {
  readonly name: string;
  readonly shape: readonly number[];
  readonly role: ParamRole;
}

/** Non-trainable state: BatchNorm moving statistics. */
export interface StateInfo {
  readonly name: string;
  readonly shape: readonly number[];
  readonly role: 'bn-moving-mean' | 'bn-moving-variance';
}

/** Substitute values for some parameters in one forward pass (same shapes). */
export type ParamOverrides = ReadonlyMap<string, tf.Tensor>;

/** Batch statistics produced by a training-mode forward pass; owned (kept) by the caller. */
export interface BatchNormStats {
  /** The BN layer's prefix, e.g. `stage1/block0/bn1`; its state lives at `${layer}/moving_mean|moving_variance`. */
  readonly layer: string;
  readonly mean: tf.Tensor1D;
  readonly variance: tf.Tensor1D;
}

export interface ForwardOptions {
  /** Training mode: BatchNorm normalises with batch statistics. */
  readonly training: boolean;
  /** Evaluate at other parameter values without touching the variables. */
  readonly overrides?: ParamOverrides;
  /**
   * When given (training mode only), each BatchNorm layer pushes its batch mean/variance here,
   * wrapped in tf.keep so they survive the gradient tape's tidy. The caller disposes them,
   * typically via `model.updateRunningStats`. Replica passes pass nothing, so they never
   * touch the running statistics.
   */
  readonly statsSink?: BatchNormStats[];
  /**
   * Training mode only: BatchNorm layers listed here normalise with these statistics (constants,
   * no gradient through them) instead of the batch's own, e.g. a replica pass normalised as its
   * clean pass was. Keyed by the layer prefix.
   */
  readonly batchStats?: ReadonlyMap<string, { readonly mean: tf.Tensor; readonly variance: tf.Tensor }>;
}

export interface ModelConfig {
  readonly arch: ArchName;
  readonly numClasses: number;
  readonly inputShape: readonly [number, number, number];
  /** Architecture-specific knobs (width multipliers, depth...), recorded in saved models. */
  readonly options?: Readonly<Record<string, number | string | boolean>>;
}

export interface Model {
  readonly config: ModelConfig;
  /** Trainable parameters, in a stable order. */
  readonly paramInfo: readonly ParamInfo[];
  readonly params: ReadonlyMap<string, tf.Variable>;
  readonly stateInfo: readonly StateInfo[];
  readonly state: ReadonlyMap<string, tf.Variable>;
  /** Logits [batch, numClasses]. Pure apart from statsSink; never writes variables. */
  forward(x: tf.Tensor4D, opts: ForwardOptions): tf.Tensor2D;
  /** moving = momentum * moving + (1 - momentum) * batch; disposes the given stats. */
  updateRunningStats(stats: readonly BatchNormStats[], momentum?: number): void;
  /** Total number of trainable scalars. */
  readonly parameterCount: number;
  dispose(): void;
}
