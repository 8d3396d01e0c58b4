/**
 * Compare mode's part of the UI <-> worker contract (plain, structured-cloneable data only;
 * re-exported from api.ts). The UI imports these TYPES only.
 */
import type { TrainOutcome, TrainProgress, TrainSettings } from '../api';
import type { AttackPoint, AttackSweepOutcome, LandscapeEvent, LandscapeOutcome } from '../analysisApi';
import type { WatermarkConfig } from '../watermarkApi';

/** The two runs of a comparison. */
export type CompareLane = 'A' | 'B';

/** What one run changes on top of the shared base settings (R, σ, λ... of the WaterMAS mark). */
export type CompareVariant = Partial<WatermarkConfig>;

/** The 1-D landscape computed after training (dims 1, no eigenvalues): same seed and batch for both runs. */
export interface CompareLandscapeSettings {
  /** Radius in direction units (d_K: mark magnitudes; d_¬K: filter norms). */
  readonly radius: number;
  /** Points per slice (odd keeps the trained model on the grid). */
  readonly grid: number;
  /** The fixed evaluation batch: the first N test images. */
  readonly evalSize: number;
  /** Seed of the directions (the same for both runs). */
  readonly seed: number;
}

/** The attack sweep computed after training: same attack, strengths, images and seed for both runs. */
export interface CompareAttackSettings {
  /** An attack id of the registry (default 'noise'). */
  readonly attack: string;
  readonly strengths: readonly number[];
  /** Evaluate on the first N test images. */
  readonly testLimit: number;
  readonly seed: number;
}

export interface CompareRequest {
  /**
   * Shared settings of both runs (same seed, data order and initialisation). Its watermark, when
   * WaterMAS, is the base mark; otherwise COMPARE_BASE_MARK is used. A random key becomes one
   * shared random passphrase, so both runs carry the same key.
   */
  readonly base: TrainSettings;
  /** Default: [{ replicas: 0 }, { replicas: 4 }]. */
  readonly variants?: readonly [CompareVariant, CompareVariant];
  readonly landscape?: Partial<CompareLandscapeSettings>;
  readonly attack?: Partial<CompareAttackSettings>;
}

/** A streamed event of a comparison, tagged with its run. */
export type CompareEvent =
  | { readonly kind: 'train'; readonly lane: CompareLane; readonly progress: TrainProgress }
  | { readonly kind: 'phase'; readonly lane: CompareLane; readonly phase: 'landscape' | 'attack' }
  | { readonly kind: 'landscape'; readonly lane: CompareLane; readonly event: LandscapeEvent }
  | { readonly kind: 'landscape-done'; readonly lane: CompareLane; readonly outcome: LandscapeOutcome }
  | { readonly kind: 'attack'; readonly lane: CompareLane; readonly point: AttackPoint }
  | { readonly kind: 'attack-done'; readonly lane: CompareLane; readonly outcome: AttackSweepOutcome };

/** One run's results. */
export interface CompareLaneResult {
  readonly lane: CompareLane;
  readonly variant: CompareVariant;
  /** The settings the run trained with (the key's passphrase, if any, left out). */
  readonly settings: TrainSettings;
  /** null when the run failed before it finished training. */
  readonly train: TrainOutcome | null;
  readonly landscape: LandscapeOutcome | null;
  readonly attack: AttackSweepOutcome | null;
  /** Why this run stopped (e.g. "training diverged ..."); the other run goes on. */
  readonly error?: string;
}

export interface CompareOutcome {
  readonly cancelled: boolean;
  readonly lanes: readonly [CompareLaneResult, CompareLaneResult];
  readonly landscape: CompareLandscapeSettings;
  readonly attack: CompareAttackSettings;
  readonly seconds: number;
  readonly backend: string;
}

/** The compare half of the engine API (EngineApi extends it). */
export interface CompareApi {
  /**
   * Trains two runs that differ only in their variant fields, step by step in turn (A, B, A, B...),
   * then computes for each the 1-D landscape and the attack sweep. Rejects while a training run,
   * an analysis run or another comparison is going. `onEvent` must be comlink-proxied.
   */
  startCompare(request: CompareRequest, onEvent: (e: CompareEvent) => void): Promise<CompareOutcome>;
  /** Pauses both runs between steps. */
  pauseCompare(): Promise<void>;
  resumeCompare(): Promise<void>;
  /** Stops both runs at the next step (and the analysis at its next point). */
  cancelCompare(): Promise<void>;
}
