/**
 * Worker-boundary types of the Attack and Landscape panels (plain, structured-cloneable data).
 * Re-exported by api.ts; EngineApi extends AnalysisApi.
 */
import type { WatermarkMethodId } from './watermark';

/** One attack of the registry as the UI shows it (defaults come from the engine's ATTACKS). */
export interface AttackSummary {
  readonly id: string;
  readonly label: string;
  readonly strengthName: string;
  readonly strengthUnit: string;
  readonly defaultStrengths: readonly number[];
  /** Larger strength = weaker attack (quantization bits). */
  readonly decreasing: boolean;
  /** Fine-tuning needs the training data; the UI may warn that it is slow. */
  readonly trains: boolean;
}

/** Fine-tuning attacks' modes (all layers, last layer, re-initialised last layer then all). */
export const FINE_TUNE_MODES = ['FTAL', 'FTLL', 'RTAL'] as const;
export type FineTuneMode = (typeof FINE_TUNE_MODES)[number];
/** Key interception's modes. */
export const INTERCEPT_MODES = ['flip', 'resample'] as const;
export type InterceptMode = (typeof INTERCEPT_MODES)[number];

/**
 * One attack sweep's settings: the Attack panel's (AttackApi), a comparison's (ComparisonSettings
 * adds the runs) and, under `wmlab attack`'s flag names, a sweep spec's attack step (src/engine/sweep/spec.ts).
 */
export interface AttackSweepSettings {
  readonly attack: string;
  /** Empty = the attack's default grid. */
  readonly strengths: readonly number[];
  /** Evaluate on the first N test images (>= 1). */
  readonly testLimit: number;
  readonly seed: number;
  /** Fine-tuning only (default FTAL). */
  readonly fineTuneMode?: FineTuneMode;
  /** Fine-tuning only: attacker images taken from the last third of the training set (default 2000). */
  readonly attackerLimit?: number;
  /** Key interception only (default flip). */
  readonly interceptMode?: InterceptMode;
}

/** One measured point of a sweep, streamed as soon as it is computed. */
export interface AttackPoint {
  readonly attack: string;
  readonly strength: number;
  readonly index: number;
  readonly total: number;
  readonly accuracy: number;
  /** The key's method: which of `ber` / `triggerAccuracy` is measured. */
  readonly method: WatermarkMethodId;
  /** Bit error rate of the extracted mark (WaterMAS, Uchida), erasures counted as errors; null for FCW. */
  readonly ber: number | null;
  /** WaterMAS: the share of marked weights erased (exactly 0: no sign, no bit), part of `ber`; null for the others. */
  readonly erasureRate: number | null;
  /** Share of the triggers classified as their target label (FCW); null for the others. */
  readonly triggerAccuracy: number | null;
  /** The method's own decision p-value (binomial tail of the bit errors, or of the trigger hits against chance). */
  readonly pValue: number;
  readonly log10PValue: number;
  readonly detected: boolean;
  readonly ms: number;
}

export interface AttackSweepOutcome {
  readonly attack: string;
  /** The method of the key the sweep was judged with. */
  readonly method: WatermarkMethodId;
  readonly points: readonly AttackPoint[];
  readonly cancelled: boolean;
  /** Accuracy of the unattacked model on the same test images (the reference of "accuracy drop"). */
  readonly baseAccuracy: number;
  readonly testImages: number;
  readonly seconds: number;
  readonly backend: string;
}

export interface LandscapeSettings {
  /** Radius in direction units (d_K: mark magnitudes; d_¬K: filter norms). */
  readonly radius: number;
  /** Points per slice and per grid axis (odd keeps the trained model on the grid). */
  readonly grid: number;
  readonly dims: 1 | 2;
  /** Size of the fixed evaluation batch (first N test images). */
  readonly evalSize: number;
  readonly seed: number;
  /** Power-iteration steps for the top eigenvalues (0 = skip). */
  readonly eigenIters: number;
}

/** A streamed landscape event: one slice point, one grid cell, or the sharpness phase starting. */
export type LandscapeEvent =
  | { readonly kind: 'slice'; readonly subspace: 'key' | 'complement'; readonly index: number; readonly alpha: number; readonly loss: number; readonly accuracy: number; readonly done: number; readonly total: number }
  | { readonly kind: 'cell'; readonly i: number; readonly j: number; readonly alpha: number; readonly beta: number; readonly loss: number; readonly accuracy: number; readonly done: number; readonly total: number }
  | { readonly kind: 'sharpness' };

export interface LandscapeOutcome {
  readonly alphas: readonly number[];
  readonly lossKey: readonly number[];
  readonly lossComplement: readonly number[];
  readonly accuracyKey: readonly number[];
  readonly accuracyComplement: readonly number[];
  /** 2-D: loss[j][i] at (α_i d_K, β_j d_¬K), β on the same grid as α; NaN where not computed. */
  readonly grid: { readonly loss: readonly (readonly number[])[]; readonly accuracy: readonly (readonly number[])[] } | null;
  /** NaN when cancelled before the sharpness phase. */
  readonly sharpness: { readonly key: number; readonly complement: number; readonly ratio: number; readonly baseLoss: number; readonly radius: number };
  /** Top Hessian eigenvalues with the power iteration's relative residual ‖Hv − λv‖/|λ| and whether it converged. */
  readonly eigen: {
    readonly key: number;
    readonly complement: number;
    readonly keyResidual: number;
    readonly complementResidual: number;
    readonly keyConverged: boolean;
    readonly complementConverged: boolean;
  } | null;
  /**
   * K against matched control subsets (same size, tensors and magnitudes) at a relative radius:
   * the measure of docs/experiments/sharpness.md; null when cancelled before it.
   */
  readonly keyVsControl: {
    readonly relativeRadius: number;
    readonly keyRise: number;
    /** Std of the key rise over the noise draws (as large as the rise itself on CIFAR-10 models: read it). */
    readonly keyRiseSpread: number;
    readonly controlRise: number;
    readonly controlRiseSpread: number;
    readonly ratio: number;
    readonly controls: number;
    readonly draws: number;
    /**
     * Accuracy drop (fraction) after flipping the signs of half of K (mean over random halves), and
     * of half of each control subset.
     */
    readonly flipKeyDrop: number;
    /** The drop of each random half of K (which half matters: docs/experiments/sharpness.md). */
    readonly flipKeyDrops: readonly number[];
    readonly flipControlDrop: number;
  } | null;
  readonly cancelled: boolean;
  readonly evalSize: number;
  readonly seconds: number;
  readonly backend: string;
}

/** What the worker holds for the panels: a trained model with a watermark key, or nothing. */
export interface KeyedModelInfo {
  readonly arch: string;
  readonly keyPositions: number;
  /** The objective settings (R, σ, λ) the run ended with (live changes included), to name sweeps ("noise, R=4"). */
  readonly replicas: number;
  readonly sigma: number;
  readonly lambda: number;
  /** How many live changes of the objective the key records (absent: none). */
  readonly liveChanges?: number;
}

/** What the Attack panel attacks: the current trained model with its key of any method. */
export interface AttackTargetInfo {
  readonly arch: string;
  readonly method: WatermarkMethodId;
  /** WaterMAS only: the key's replica count R (to name sweeps "noise, R=4"); null for the others. */
  readonly replicas: number | null;
}

/** The analysis half of the engine API. */
export interface AnalysisApi {
  /** The attack registry (ids, labels, default strength grids). */
  attackCatalog(): Promise<readonly AttackSummary[]>;
  /** The current trained model with its key, or null when there is none yet. */
  keyedModel(): Promise<KeyedModelInfo | null>;
  /** The current trained model with a key of any method (what the Attack panel attacks), or null. */
  attackTarget(): Promise<AttackTargetInfo | null>;
  /** Strength sweep of one attack on the current model, judged with its key of any method; `onPoint` must be comlink-proxied. */
  runAttackSweep(settings: AttackSweepSettings, onPoint: (p: AttackPoint) => void): Promise<AttackSweepOutcome>;
  /** Stops the running sweep after the current strength (its points so far are returned). */
  cancelAttack(): Promise<void>;
  /** Loss landscape around the current keyed model; `onEvent` must be comlink-proxied. */
  runLandscape(settings: LandscapeSettings, onEvent: (e: LandscapeEvent) => void): Promise<LandscapeOutcome>;
  /** Stops the running landscape at the next evaluation. */
  cancelLandscape(): Promise<void>;
}
