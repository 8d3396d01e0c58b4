/**
 * Watermark part of the UI <-> worker contract (plain, structured-cloneable data only;
 * re-exported from api.ts). The UI imports these TYPES only.
 */

import type { BALANCE_MODES, REPLICA_BATCH_MODES, REPLICA_BN_MODES, REPLICA_MODES } from './watermasSettings';

/**
 * The watermark methods a key can be of. 'watermas': this lab's method; 'uchida': Uchida et al.
 * 2017 (regulariser on one conv kernel); 'fcw': function-coupled watermark (trigger set, Wen et
 * al.). methods.md §2–§4.
 */
export type WatermarkMethodId = 'watermas' | 'uchida' | 'fcw';
/** The watermark of a training run: one of the methods, or 'none' (plain training). */
export type WatermarkMethodName = 'none' | WatermarkMethodId;
/** How replicas perturb the marks (the engine's ReplicaMode; σ's unit depends on it). */
export type WatermarkReplicaMode = (typeof REPLICA_MODES)[number];

/** What the marked weights carry. */
export type WatermarkPayload =
  | { readonly kind: 'random'; readonly bits: number }
  | { readonly kind: 'text'; readonly text: string }
  | {
      readonly kind: 'image';
      readonly width: number;
      readonly height: number;
      /** 1 (grey) or 3 (RGB). */
      readonly channels: number;
      /** uint8 pixel values, HWC row-major (width x height x channels entries). */
      readonly pixels: readonly number[];
      /** Where it came from, e.g. "built-in WM logo" or the uploaded file's name. */
      readonly label?: string;
    };

/** Where the secret key seed comes from. */
export type WatermarkKeySource = { readonly kind: 'random' } | { readonly kind: 'passphrase'; readonly passphrase: string };

/** The objective settings that may change during training (at the next step). */
export interface WatermarkLiveSettings {
  /** R: Gaussian replicas per step (0 = plain substitution, the control). */
  readonly replicas: number;
  /** σ: replica noise size: weight units (gaussian), fraction of |w| (relative), fraction of marks flipped (flip). */
  readonly sigma: number;
  /** λ: weight of the replica term. */
  readonly lambda: number;
  readonly mode: WatermarkReplicaMode;
  /** ρ: radius of the adversarial replica. */
  readonly rho: number;
  /** Hinge margin m (nats); Infinity = off (unbounded form). */
  readonly margin: number;
  /** Replicas in antithetic pairs (ε, −ε) (gaussian and relative modes); absent: the engine default. */
  readonly antithetic?: boolean;
  /** Replica passes normalised with their own batch statistics or the clean pass's; absent: the engine default. */
  readonly replicaBn?: (typeof REPLICA_BN_MODES)[number];
  /** Each replica on the whole batch or on its slice of it (about one pass for all replicas); absent: the engine default. */
  readonly replicaBatch?: (typeof REPLICA_BATCH_MODES)[number];
  /** What λ scales: the replica term in the loss, or the push as a share of the task gradient's norm; absent: the engine default. */
  readonly balance?: (typeof BALANCE_MODES)[number];
}

/**
 * Uchida settings (method 'uchida'). The payload (random bits or text; no image) and the key
 * seed source are UchidaMarkConfig.payload / .key, as for WaterMAS.
 */
export interface UchidaConfig {
  /** The marked conv kernel; '' = the engine's default (first conv kernel with M >= bits). */
  readonly layer: string;
  /** λ: weight of the BCE regulariser (engine default 0.01). */
  readonly lambda: number;
}

/** FCW settings (method 'fcw'). Triggers and embedding are seeded by the run's seed (TrainSettings.seed), as in the CLI. */
export interface FcwConfig {
  /** Number of triggers (default 30). */
  readonly triggers: number;
  readonly mode: 'direct' | 'invisible';
  /** Blend ratio r of invisible fusion (default 0.5). */
  readonly ratio: number;
  /** Triggers appended to every batch (default 10). */
  readonly perBatch: number;
  /** Fraction of conv weights zeroed per masking event (default 0.002). */
  readonly maskFraction: number;
  /** Masking period in steps (default 10). */
  readonly maskPeriod: number;
}

/** No watermark: plain training. */
export interface NoMarkConfig {
  readonly method: 'none';
}

/** A WaterMAS mark: payload, strength and key seed (fixed at embedding) and the live settings. */
export interface WatermasMarkConfig extends WatermarkLiveSettings {
  readonly method: 'watermas';
  readonly payload: WatermarkPayload;
  /** Mark strength q in [0, 1] (sign codec magnitude floor at the q-quantile of |w|); fixed at embedding. */
  readonly strength: number;
  readonly key: WatermarkKeySource;
}

/** An Uchida mark: payload (random bits or text; no image), key seed and `uchida` (absent: engine defaults). */
export interface UchidaMarkConfig {
  readonly method: 'uchida';
  readonly payload: WatermarkPayload;
  readonly key: WatermarkKeySource;
  readonly uchida?: UchidaConfig;
}

/** An FCW mark: `fcw` (absent: engine defaults); triggers are seeded by the run's seed. */
export interface FcwMarkConfig {
  readonly method: 'fcw';
  readonly fcw?: FcwConfig;
}

/**
 * The watermark of a training run (TrainSettings.watermark): a plain JSON object, one member
 * per method, each carrying only its own fields.
 */
export type WatermarkConfig = NoMarkConfig | WatermasMarkConfig | UchidaMarkConfig | FcwMarkConfig;

/** The config of one method. */
export type WatermarkConfigOf<M extends WatermarkMethodName> = Extract<WatermarkConfig, { readonly method: M }>;

/** Trigger accuracy of an FCW model: triggers sent to the target class. */
export interface TriggerAccuracyInfo {
  readonly hits: number;
  readonly n: number;
  readonly accuracy: number;
  readonly target: number;
}

/**
 * Watermark state in each progress report of a watermarked run. For every method `ber`,
 * `errors`, `bits` are filled on one scale: WaterMAS / Uchida the bit error rate of the payload;
 * FCW the fraction of triggers NOT sent to the target (errors = misses, bits = triggers), with
 * the trigger accuracy itself in `triggerAccuracy`.
 */
export interface WatermarkProgress {
  /** Absent in reports of older producers = 'watermas'. */
  readonly method?: WatermarkMethodId;
  /** BER of the marked weights now (read at each report). */
  readonly ber: number;
  readonly errors: number;
  readonly bits: number;
  /** The marked weights are bitwise equal to their values right after embedding (vacuously true for Uchida / FCW, which freeze nothing). */
  readonly frozenUnchanged: boolean;
  /** FCW: trigger accuracy now. */
  readonly triggerAccuracy?: TriggerAccuracyInfo;
  /** FCW: masking events so far. */
  readonly maskEvents?: number;
  /** Objective settings in force (WaterMAS; the config's values for the other methods). */
  readonly settings: WatermarkLiveSettings;
  /** Step from which the current settings apply (0 = from the start). */
  readonly settingsSinceStep: number;
  /** Objective metrics averaged since the previous report (replicaLossMean, gap, activeFraction). */
  readonly metrics: Readonly<Record<string, number>>;
}

export interface WatermarkTensorErrors {
  readonly tensor: string;
  readonly n: number;
  readonly errors: number;
  readonly erasures: number;
}

/** Uchida-specific part of a report. */
export interface UchidaReportInfo {
  readonly layer: string;
  readonly lambda: number;
  /** Projection matrix T × M. */
  readonly rows: number;
  readonly cols: number;
}

/** FCW-specific part of a report. */
export interface FcwReportInfo extends TriggerAccuracyInfo {
  /** The chance rate the p-value tests against (1 / classes: no null models measured in the lab). */
  readonly chanceRate: number;
  readonly mode: 'direct' | 'invisible';
  /** The model's prediction for every trigger. */
  readonly predictions: readonly number[];
  readonly maskEvents: number;
  readonly perBatch: number;
  readonly maskFraction: number;
  readonly maskPeriod: number;
}

/**
 * Verification of the trained model against its key (TrainOutcome.watermark). The common
 * fields are on one scale for every method (see WatermarkProgress: for FCW errors = triggers
 * not sent to the target, bits = triggers, payloadKind 'triggers').
 */
export interface WatermarkReport {
  /** Absent in reports of older producers = 'watermas'. */
  readonly method?: WatermarkMethodId;
  readonly payloadKind: 'bits' | 'text' | 'image' | 'triggers';
  readonly bits: number;
  readonly errors: number;
  readonly erasures: number;
  readonly ber: number;
  readonly pValue: number;
  readonly log10PValue: number;
  readonly threshold: number;
  readonly detected: boolean;
  /** From the trainer's bitwise check after the run. */
  readonly frozenUnchanged: boolean;
  readonly perTensor: readonly WatermarkTensorErrors[];
  /** Decoded text (text payloads). */
  readonly message?: string;
  /** Decoded image (uint8, HWC) and its Pearson correlation with the embedded one. */
  readonly image?: { readonly width: number; readonly height: number; readonly channels: number; readonly pixels: Uint8Array; readonly correlation: number };
  /** Number of key tensors and the seed source, for display. */
  readonly keyTensors: number;
  /** 'run-seed': FCW triggers are drawn with the run's seed. */
  readonly seedSource: 'random' | 'passphrase' | 'run-seed';
  readonly uchida?: UchidaReportInfo;
  readonly fcw?: FcwReportInfo;
}

/** One conv kernel the Uchida mark may go into. */
export interface UchidaLayerOption {
  readonly name: string;
  readonly shape: readonly number[];
  /** M = kh·kw·in, the length of the projected vector (T <= M keeps all bits satisfiable). */
  readonly projected: number;
}

/** The conv kernels of an architecture and the engine's default choice for a number of bits. */
export interface UchidaLayers {
  readonly arch: string;
  readonly layers: readonly UchidaLayerOption[];
  readonly defaultLayer: string;
}

/** What to preview in the trigger gallery before training (the run's seed and images + FCW settings). */
export interface FcwPreviewRequest {
  readonly seed: number;
  /** The first N training images are the pool (0 = all), as in training. */
  readonly trainLimit: number;
  readonly fcw: FcwConfig;
}

/** The FCW triggers for the gallery, with the current model's predictions when there is one. */
export interface FcwTriggerGallery {
  /** 'preview': what the settings would generate; 'model': the last trained FCW run's key. */
  readonly origin: 'preview' | 'model';
  readonly width: number;
  readonly height: number;
  readonly count: number;
  /** RGBA pixels (width x height x 4 per trigger, concatenated), transferred. */
  readonly rgba: ArrayBuffer;
  readonly mode: 'direct' | 'invisible';
  readonly ratio: number;
  readonly target: number;
  /** Source classes per trigger (a: top-left / weight 1 − r, b: bottom-right / weight r). */
  readonly sources: readonly { readonly classA: number; readonly classB: number }[];
  /** The model's prediction per trigger (null before training). */
  readonly predictions: readonly number[] | null;
  /** Fraction of predictions equal to the target (null before training). */
  readonly accuracy: number | null;
}

/** model.json text + weights.bin bytes of the last trained model. */
export interface ModelExport {
  readonly modelJson: string;
  readonly weights: ArrayBuffer;
}
