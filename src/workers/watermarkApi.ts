/**
 * Watermark part of the UI <-> worker contract (plain, structured-cloneable data only;
 * re-exported from api.ts). The UI imports these TYPES only.
 */

export type WatermarkMethod = 'none' | 'watermas';
export type WatermarkReplicaMode = 'gaussian' | 'adversarial';

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
  /** σ: standard deviation of the replica noise on the key positions (weight units). */
  readonly sigma: number;
  /** λ: weight of the replica term. */
  readonly lambda: number;
  readonly mode: WatermarkReplicaMode;
  /** ρ: radius of the adversarial replica. */
  readonly rho: number;
  /** Hinge margin m (nats); Infinity = off (unbounded form). */
  readonly margin: number;
}

/** The watermark of a training run (TrainSettings.watermark). */
export interface WatermarkConfig extends WatermarkLiveSettings {
  readonly method: WatermarkMethod;
  readonly payload: WatermarkPayload;
  /** Mark strength q in [0, 1] (sign codec magnitude floor at the q-quantile of |w|); fixed at embedding. */
  readonly strength: number;
  readonly key: WatermarkKeySource;
}

/** Watermark state in each progress report of a watermarked run. */
export interface WatermarkProgress {
  /** BER of the marked weights now (read at each report). */
  readonly ber: number;
  readonly errors: number;
  readonly bits: number;
  /** The marked weights are bitwise equal to their values right after embedding. */
  readonly frozenUnchanged: boolean;
  /** Objective settings in force. */
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

/** Verification of the trained model against its key (TrainOutcome.watermark). */
export interface WatermarkReport {
  readonly payloadKind: 'bits' | 'text' | 'image';
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
  readonly seedSource: 'random' | 'passphrase';
}

/** model.json text + weights.bin bytes of the last trained model. */
export interface ModelExport {
  readonly modelJson: string;
  readonly weights: ArrayBuffer;
}
