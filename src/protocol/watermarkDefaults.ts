/**
 * The watermark defaults, written once for the engine, the worker and the UI (plain values: no
 * tfjs, no DOM), and the list of the methods a run's watermark can be of.
 */
import type { FcwConfig, UchidaConfig, WatermarkKeySource, WatermarkLiveSettings, WatermarkMethodName } from './watermark';

/**
 * Every watermark method of a run, in the order the UI lists them. A method added to
 * WatermarkMethodName must be added here (WATERMARK_METHOD_LIST_COMPLETE fails to compile until
 * it is); the UI's method registry is checked against this list (tests/unit/ui/methodRegistry.test.ts).
 */
export const WATERMARK_METHOD_NAMES = ['none', 'watermas', 'uchida', 'fcw'] as const satisfies readonly WatermarkMethodName[];
type UnlistedMethod = Exclude<WatermarkMethodName, (typeof WATERMARK_METHOD_NAMES)[number]>;
/** Compile-time check that WATERMARK_METHOD_NAMES lists every WatermarkMethodName. */
export const WATERMARK_METHOD_LIST_COMPLETE: [UnlistedMethod] extends [never] ? true : false = true;

/** WaterMAS objective settings with every choice made (the engine's WaterMASSettings). */
export type WatermasObjectiveDefaults = Required<WatermarkLiveSettings>;

/**
 * The 2020 recipe (Tartaglione et al.): independent Gaussian replicas with σ = 0.01 absolute,
 * replicas normalised by their own batch statistics; λ = 0.5 and the hinge (m = 0.5) of the lab's
 * bounded form (the engine's RECIPE_2020_SETTINGS).
 */
export const WATERMAS_RECIPE_2020: WatermasObjectiveDefaults = {
  replicas: 2,
  sigma: 0.01,
  lambda: 0.5,
  mode: 'gaussian',
  rho: 0.05,
  margin: 0.5,
  antithetic: false,
  replicaBn: 'batch',
  replicaBatch: 'full',
  balance: 'loss',
};

/**
 * The WaterMAS objective defaults (the engine's DEFAULT_WATERMAS_SETTINGS; why: engine/watermark/settings.ts):
 * the 2020 recipe's replicas, each on its slice of half the batch, normalised with the clean pass's statistics.
 */
export const WATERMAS_DEFAULTS: WatermasObjectiveDefaults = { ...WATERMAS_RECIPE_2020, replicaBatch: 'half', replicaBn: 'clean' };

/** Default mark strength q (sign codec magnitude floor at the q-quantile of |w|). */
export const WATERMAS_DEFAULT_STRENGTH = 0.5;

/**
 * The fields every WaterMAS mark the lab builds starts from (the Watermark panel, compare mode):
 * strength, a random key and the objective settings a WatermasMarkConfig requires. The other
 * objective choices (antithetic, replicaBn, replicaBatch, balance) are left to each caller.
 */
export const WATERMAS_MARK_DEFAULTS: {
  readonly strength: number;
  readonly key: WatermarkKeySource;
} & Pick<WatermarkLiveSettings, 'replicas' | 'sigma' | 'lambda' | 'mode' | 'rho' | 'margin'> = {
  strength: WATERMAS_DEFAULT_STRENGTH,
  key: { kind: 'random' },
  replicas: WATERMAS_DEFAULTS.replicas,
  sigma: WATERMAS_DEFAULTS.sigma,
  lambda: WATERMAS_DEFAULTS.lambda,
  mode: WATERMAS_DEFAULTS.mode,
  rho: WATERMAS_DEFAULTS.rho,
  margin: WATERMAS_DEFAULTS.margin,
};

/**
 * Uchida defaults as the engine and `wmlab train --method uchida`: the engine's default layer
 * (first conv kernel with M >= bits), λ = 0.01 (tests/unit/workers/methodsDefaults.test.ts
 * checks them against the engine's).
 */
export const UCHIDA_DEFAULTS: UchidaConfig = { layer: '', lambda: 0.01 };

/** FCW defaults as the engine and the CLI: 30 direct triggers, r = 0.5, 10 per batch, 0.2 % of the conv weights every 10 steps. */
export const FCW_DEFAULTS: FcwConfig = { triggers: 30, mode: 'direct', ratio: 0.5, perBatch: 10, maskFraction: 0.002, maskPeriod: 10 };
