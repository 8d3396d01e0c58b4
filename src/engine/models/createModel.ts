import { Rng } from '../random/rng';
import { FunctionalModel } from './functionalModel';
import type { ArchOptions } from './options';
import { ParamBuilder } from './paramBuilder';
import { ARCHITECTURE_FACTORIES, isArchName } from './registry';
import type { ArchName, Model, ModelConfig } from './types';

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
 * Builds a freshly initialised model of the zoo. Same arch + seed + options give
 * bitwise-identical initial weights.
 */
export function createModel(arch: ArchName, opts: CreateModelOptions): Model {
  if (!isArchName(arch)) throw new Error(`unknown architecture: ${String(arch)}`);
  const numClasses = opts.numClasses ?? 10;
  if (!Number.isInteger(numClasses) || numClasses < 2) throw new Error(`numClasses must be an integer >= 2, got ${numClasses}`);
  const inputShape = opts.inputShape ?? ([32, 32, 3] as const);
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
