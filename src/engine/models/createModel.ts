import { Rng } from '../random/rng';
import { FunctionalModel } from './functionalModel';
import type { ArchOptions } from './options';
import { ParamBuilder } from './paramBuilder';
import { ARCHITECTURE_FACTORIES, isArchName } from './registry';
import type { ArchName, Model, ModelConfig, ParamInfo, StateInfo } from './types';

export interface CreateModelOptions {
  /** Seed of the initialisation (the weights are drawn from Rng(seed).fork(`init/<arch>`)). */
  readonly seed: number;
  /** Default 10. */
  readonly numClasses?: number;
  /** Default [32, 32, 3]. */
  readonly inputShape?: readonly [number, number, number];
  /** Architecture-specific knobs; defaults are filled in and recorded in `model.config.options`. */
  readonly options?: ArchOptions;
}

/**
 * Most values (parameters and BatchNorm state) a model of the zoo may hold: 50 million (200 MB
 * of float32), far above the zoo's defaults (vgg11 ~9.8 M) and far below what would exhaust a
 * tab. Options asking for more are refused before anything is allocated.
 */
export const MAX_MODEL_VALUES = 50_000_000;

/** What a model of these options would hold (names, shapes, roles), without allocating anything. */
export interface ModelPlan {
  readonly paramInfo: readonly ParamInfo[];
  readonly stateInfo: readonly StateInfo[];
  /** Parameters and state together. */
  readonly valueCount: number;
  /** The options with their defaults filled in. */
  readonly options: ArchOptions;
}

/**
 * The shapes a model of `arch` with these options would have, computed without drawing or
 * allocating any value; throws ModelTooLargeError past `maxValues` (default MAX_MODEL_VALUES).
 */
export function planModel(arch: ArchName, opts: Omit<CreateModelOptions, 'seed'> & { readonly maxValues?: number }): ModelPlan {
  if (!isArchName(arch)) throw new Error(`unknown architecture: ${String(arch)}`);
  const { numClasses, inputShape } = shapeOptions(opts);
  const builder = new ParamBuilder(arch, new Rng(0), { plan: true, maxValues: opts.maxValues ?? MAX_MODEL_VALUES });
  const spec = ARCHITECTURE_FACTORIES[arch](builder, inputShape, numClasses, opts.options);
  return { paramInfo: builder.paramInfo, stateInfo: builder.stateInfo, valueCount: builder.valueCount, options: spec.options };
}

function shapeOptions(opts: Omit<CreateModelOptions, 'seed'>) {
  const numClasses = opts.numClasses ?? 10;
  if (!Number.isInteger(numClasses) || numClasses < 2 || numClasses > 100_000) throw new Error(`numClasses must be an integer from 2 to 100000, got ${numClasses}`);
  const inputShape = opts.inputShape ?? ([32, 32, 3] as const);
  if (!(inputShape.length === 3 && inputShape.every((d) => Number.isInteger(d) && d >= 1 && d <= 4096))) {
    throw new Error(`inputShape must be three integers from 1 to 4096, got [${inputShape.join(', ')}]`);
  }
  return { numClasses, inputShape };
}

/**
 * Builds a freshly initialised model of the zoo. Same arch + seed + options give
 * bitwise-identical initial weights. Options that would make a model larger than
 * MAX_MODEL_VALUES are refused first (planModel), before anything is drawn or allocated.
 */
export function createModel(arch: ArchName, opts: CreateModelOptions): Model {
  planModel(arch, opts);
  const { numClasses, inputShape } = shapeOptions(opts);
  const rng = new Rng(opts.seed).fork(`init/${arch}`);
  const builder = new ParamBuilder(arch, rng);
  let spec;
  try {
    spec = ARCHITECTURE_FACTORIES[arch](builder, inputShape, numClasses, opts.options);
  } catch (e) {
    for (const v of builder.params.values()) v.dispose();
    for (const v of builder.state.values()) v.dispose();
    throw e;
  }
  const config: ModelConfig = { arch, numClasses, inputShape: [...inputShape] as [number, number, number], options: spec.options };
  return new FunctionalModel(config, builder, spec.forward);
}
