import * as tf from '@tensorflow/tfjs-core';
import { ForwardContext, disposeStats } from './layers';
import type { ParamBuilder } from './paramBuilder';
import type { BatchNormStats, ForwardOptions, Model, ModelConfig, ParamInfo, StateInfo } from './types';

/**
 * Default BatchNorm momentum for `updateRunningStats` (our choice: 0.9, as PyTorch's 0.1
 * update rate; Keras' 0.99 would leave the moving statistics far behind in the short
 * runs a browser lab does).
 */
export const DEFAULT_BN_MOMENTUM = 0.9;

/** The architecture-specific part of a model: logits from the input through the resolver. */
export type ForwardFn = (ctx: ForwardContext, x: tf.Tensor4D) => tf.Tensor2D;

/** A `Model` over the variables of a ParamBuilder and a pure forward function. */
export class FunctionalModel implements Model {
  readonly paramInfo: readonly ParamInfo[];
  readonly params: ReadonlyMap<string, tf.Variable>;
  readonly stateInfo: readonly StateInfo[];
  readonly state: ReadonlyMap<string, tf.Variable>;
  readonly parameterCount: number;
  private disposed = false;

  constructor(
    readonly config: ModelConfig,
    builder: ParamBuilder,
    private readonly forwardFn: ForwardFn,
  ) {
    this.paramInfo = builder.paramInfo;
    this.params = builder.params;
    this.stateInfo = builder.stateInfo;
    this.state = builder.state;
    this.parameterCount = builder.paramInfo.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
  }

  forward(x: tf.Tensor4D, opts: ForwardOptions): tf.Tensor2D {
    if (this.disposed) throw new Error('model is disposed');
    const [, h, w, c] = x.shape;
    const [eh, ew, ec] = this.config.inputShape;
    if (h !== eh || w !== ew || c !== ec) {
      throw new Error(`input shape [${h}, ${w}, ${c}] does not match the model's [${eh}, ${ew}, ${ec}]`);
    }
    if (opts.statsSink && !opts.training) throw new Error('statsSink is only meaningful in training mode');
    const ctx = new ForwardContext(this.params, this.state, opts);
    return tf.tidy(() => this.forwardFn(ctx, x));
  }

  updateRunningStats(stats: readonly BatchNormStats[], momentum = DEFAULT_BN_MOMENTUM): void {
    try {
      for (const s of stats) {
        const mm = this.state.get(`${s.layer}/moving_mean`);
        const mv = this.state.get(`${s.layer}/moving_variance`);
        if (!mm || !mv) throw new Error(`no BatchNorm state for layer ${s.layer}`);
        tf.tidy(() => {
          mm.assign(tf.add(tf.mul(mm, momentum), tf.mul(s.mean, 1 - momentum)));
          mv.assign(tf.add(tf.mul(mv, momentum), tf.mul(s.variance, 1 - momentum)));
        });
      }
    } finally {
      disposeStats(stats);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.params.values()) v.dispose();
    for (const v of this.state.values()) v.dispose();
  }
}
