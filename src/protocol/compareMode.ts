/**
 * Compare mode's part of the UI <-> worker contract (plain, structured-cloneable data only;
 * re-exported from api.ts). The UI imports these TYPES only.
 */
import type { TrainOutcome, TrainProgress, TrainSettings } from './api';
import type { AttackPoint, AttackSweepOutcome, LandscapeEvent, LandscapeOutcome } from './analysis';
import type { WatermarkMethodName, WatermasMarkConfig } from './watermark';

/** The two runs of a comparison. */
export type CompareLane = 'A' | 'B';

/** What one run changes on top of the shared base settings (R, σ, λ... of the WaterMAS mark; another method is refused). */
export type CompareVariant = Partial<Omit<WatermasMarkConfig, 'method'>> & { readonly method?: WatermarkMethodName };

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

/**
 * Where the two runs start:
 * - 'scratch' (default): fresh seeded models, trained with the base settings and their variant;
 * - 'demo-unmarked': both fine-tune the trained unmarked demo model (public/models/demo/) with the
 *   base settings and their variant ("embed live"; CIFAR-10 only);
 * - 'demo-pair': nothing is trained: run A is the shipped R = 0 twin, run B the shipped WaterMAS
 *   model (same key, init and data order), analysed as they are (CIFAR-10 only).
 */
export type CompareStart = 'scratch' | 'demo-unmarked' | 'demo-pair';

export interface CompareRequest {
  /** Default 'scratch'. */
  readonly start?: CompareStart;
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
  | { readonly kind: 'loaded'; readonly lane: CompareLane; readonly model: LoadedDemoModel }
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
  /** 'demo-pair': the shipped model this run analysed, as its index describes it (train is null). */
  readonly loaded?: LoadedDemoModel;
}

/** A shipped demo model as loaded (files checked against their SHA-256). */
export interface LoadedDemoModel {
  readonly name: string;
  /** The command that trained it (scripts/demo-models.mjs). */
  readonly command: string;
  /** Its training settings as index.json records them (replicas, sigma, lambda, replicaMode, epochs...). */
  readonly settings: Readonly<Record<string, number | string | boolean | null>>;
  /** Test accuracy the CLI measured, on `testImages` CIFAR-10 test images. */
  readonly testAccuracy: number;
  readonly testImages: number;
  /** Its key read back from its weights: BER (0 expected) and log10 p-value. */
  readonly ber: number | null;
  readonly log10PValue: number | null;
}

/** The demo pair as shipped: both models (checked) and the CLI's paired measure from index.json. */
export interface DemoPairInfo {
  readonly twin: LoadedDemoModel;
  readonly marked: LoadedDemoModel;
  readonly unmarked: { readonly command: string; readonly testAccuracy: number; readonly testImages: number } | null;
  /** `wmlab compare-sharpness` on the pair, when the index carries it. */
  readonly measure: {
    readonly flags: string;
    readonly evalSize: number;
    /** null when undefined (the twin's rise is ≤ 0). */
    readonly keyGain: number | null;
    readonly controlGain: number | null;
    readonly relativeRadius: number;
    readonly twin: DemoSideMeasure;
    readonly marked: DemoSideMeasure;
  } | null;
}

/** One model's side of the CLI's paired measure. */
export interface DemoSideMeasure {
  readonly keyRise: number;
  readonly keyRiseSpread: number;
  readonly controlRise: number;
  readonly controlRiseSpread: number;
  /** Accuracy lost (fraction) when half of the marked signs are flipped (mean over random halves), and half of each control subset's. */
  readonly flipKeyDrop: number | null;
  /** The loss of each random half (measures from before 2026-12-07: one half, or none listed). */
  readonly flipKeyDrops: readonly number[] | null;
  readonly flipControlDrop: number | null;
  readonly baseAccuracy: number;
}

export interface CompareOutcome {
  readonly cancelled: boolean;
  readonly start: CompareStart;
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
   * from fresh models or the shipped unmarked demo model, or loads the shipped trained pair
   * (`request.start`), then computes for each the 1-D landscape and the attack sweep. Rejects while a training run,
   * an analysis run or another comparison is going. `onEvent` must be comlink-proxied.
   */
  startCompare(request: CompareRequest, onEvent: (e: CompareEvent) => void): Promise<CompareOutcome>;
  /** Pauses both runs between steps. */
  pauseCompare(): Promise<void>;
  resumeCompare(): Promise<void>;
  /** Stops both runs at the next step (and the analysis at its next point). */
  cancelCompare(): Promise<void>;
  /**
   * The shipped demo pair: fetches index.json and both models from the app's server, checks their
   * SHA-256 and reads each key back from its model (data-free, a second or two). Rejects with a
   * one-line reason when the files are absent or do not match.
   */
  demoPair(): Promise<DemoPairInfo>;
}
