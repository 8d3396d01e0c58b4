import type * as tf from '@tensorflow/tfjs-core';
import type { ForwardContext } from './layers';
import type { ArchOptions } from './options';
import type { ParamBuilder } from './paramBuilder';

/** What an architecture module provides: parameters declared on a builder and a forward function. */
export interface ArchitectureSpec {
  /** The options with every default filled in (recorded in ModelConfig.options). */
  readonly options: ArchOptions;
  readonly forward: (ctx: ForwardContext, x: tf.Tensor4D) => tf.Tensor2D;
}

/** Declares parameters on `b` for the given input/classes/options and returns the forward function. */
export type ArchitectureFactory = (
  b: ParamBuilder,
  inputShape: readonly [number, number, number],
  numClasses: number,
  options: ArchOptions | undefined,
) => ArchitectureSpec;
