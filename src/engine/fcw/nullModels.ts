import type { ImageSet, Normalization } from '../data/types';
import { createModel } from '../models/createModel';
import type { Model, ModelConfig } from '../models/types';
import { hashSeed } from '../random/rng';
import { measureNullRate, type NullRate } from './verify';

export interface NullModelOptions {
  /** Number of null models (>= 1). */
  readonly count: number;
  /** Seeds the null models' initialisations (model i: hashSeed(seed, `fcw/null/${i}`)); default 0. */
  readonly seed?: number;
  readonly normalization: Normalization;
}

export interface NullModelRate extends NullRate {
  /** The initialisation seed of each null model. */
  readonly seeds: readonly number[];
}

/**
 * The chance rate of the triggers on `count` freshly initialised (untrained) null models of
 * the same architecture (`config`: arch, classes, input shape, options), pooled with the rule
 * of succession (measureNullRate). Our choice of null model: an unrelated model of the same
 * architecture that never saw the triggers; an untrained one needs no data and no time. The
 * models are built one at a time and disposed.
 */
export async function nullModelRate(config: ModelConfig, triggers: ImageSet, target: number, opts: NullModelOptions): Promise<NullModelRate> {
  if (!(Number.isInteger(opts.count) && opts.count >= 1)) throw new RangeError(`null model count must be a positive integer, got ${opts.count}`);
  const seeds = Array.from({ length: opts.count }, (_, i) => hashSeed(opts.seed ?? 0, `fcw/null/${i}`));
  let hits = 0, trials = 0;
  const perModel: number[] = [];
  for (const s of seeds) {
    const m: Model = createModel(config.arch, { seed: s, numClasses: config.numClasses, inputShape: config.inputShape, ...(config.options ? { options: config.options } : {}) });
    try {
      const r = await measureNullRate([m], triggers, target, { normalization: opts.normalization });
      hits += r.hits;
      trials += r.trials;
      perModel.push(r.perModel[0]);
    } finally {
      m.dispose();
    }
  }
  return { rate: (hits + 1) / (trials + 2), rawRate: hits / trials, hits, trials, perModel, seeds };
}
