/**
 * Verify part of the UI <-> worker contract (plain, structured-cloneable data only;
 * re-exported from api.ts). The UI imports these TYPES only.
 */
import type { StressReadiness } from './stress';

/**
 * One uploaded file as the page hands it to the worker: the File itself (a handle: the worker
 * checks its size against the limits before reading a byte), or bytes already read (transferred).
 */
export type VerifyFile = { readonly name: string; readonly file: Blob } | { readonly name: string; readonly bytes: ArrayBuffer };

/** A VerifyFile once read. */
export interface VerifyBytes {
  readonly name: string;
  readonly bytes: ArrayBuffer;
}

/** Errors of one marked tensor. */
export interface VerifyTensorErrors {
  readonly tensor: string;
  readonly n: number;
  readonly errors: number;
  readonly erasures: number;
}

/** The watermark check of an uploaded model against an uploaded key. */
export interface VerifyVerdict {
  readonly method: 'watermas' | 'uchida' | 'fcw';
  readonly keyFile: string;
  readonly detected: boolean;
  /** Key positions (WaterMAS / Uchida) or trigger images (FCW). */
  readonly n: number;
  /** Wrong bits (erasures included); for FCW the triggers NOT classified as the target. */
  readonly errors: number;
  readonly erasures: number;
  /** Bit error rate; null for FCW (which reports trigger accuracy instead). */
  readonly ber: number | null;
  /** FCW only: fraction of triggers classified as the target. */
  readonly triggerAccuracy?: number;
  readonly pValue: number;
  readonly log10PValue: number;
  readonly threshold: number;
  readonly perTensor: readonly VerifyTensorErrors[];
  readonly payloadKind?: 'bits' | 'text' | 'image';
  readonly decodedBits?: string;
  readonly message?: string;
  /** Decoded image (WaterMAS image payloads): HWC uint8 pixels. */
  readonly image?: { readonly width: number; readonly height: number; readonly channels: number; readonly pixels: Uint8Array; readonly correlation: number };
  /**
   * WaterMAS sign bits judged by the calibrated test: each marked tensor's share of positive
   * unmarked weights, and the plain binomial(n, 1/2) log10 p-value for comparison.
   */
  /** WaterMAS: the key's commitment (committed keys carry a digest; version-1 keys are forgeable). */
  readonly commitment?: { readonly committed: true; readonly digest: string; readonly forgeryLog10Tries: number } | { readonly committed: false };
  readonly calibration?: {
    readonly test: 'poisson-binomial' | 'binomial-half';
    readonly signRates: readonly { readonly tensor: string; readonly positiveFraction: number }[];
    readonly uniformLog10PValue: number;
  };
}

/** A successful check: what the files are, their fingerprint, and the verdict when a key came along. */
export interface VerifyReport {
  readonly ok: true;
  readonly format: string;
  /** Tensor naming read: the lab's, or a PyTorch state_dict's (docs/pytorch.md). */
  readonly layout?: 'lab' | 'pytorch';
  /** SHA-256 fingerprint of the model files. */
  readonly sha256: string;
  readonly files: readonly { readonly name: string; readonly bytes: number }[];
  readonly tensorCount: number;
  readonly skipped: number;
  readonly runnable: boolean;
  readonly verification?: VerifyVerdict;
  readonly ms: number;
  /** "Stress it": ready (the worker keeps a runnable copy of the model with the key) or why not. Absent from runVerify alone. */
  readonly stress?: StressReadiness;
}

/** Options of one check. */
export interface VerifyCheckOptions {
  /**
   * Import limits for this check (each a whole number >= 1; default: the engine's
   * DEFAULT_IMPORT_LIMITS). The panel takes them from the page URL (`?verifyLimits=`), e.g. to
   * run the malformed corpus under its small limits.
   */
  readonly limits?: Partial<Record<'maxTotalBytes' | 'maxJsonBytes' | 'maxJsonDepth' | 'maxTensors' | 'timeoutMs', number>>;
}

/** A rejected upload: one line naming the file and the problem. */
export interface VerifyFailure {
  readonly ok: false;
  readonly error: string;
  readonly code: string;
}

export type VerifyOutcome = VerifyReport | VerifyFailure;
