/**
 * "Stress it" part of the UI <-> worker contract (plain, structured-cloneable data only;
 * re-exported from api.ts): an attack sweep on the model uploaded to the Verify panel,
 * judged with the uploaded key.
 */

/** One attack of a stress run; an empty `strengths` list means the attack's default grid. */
export interface StressAttack {
  readonly attack: string;
  readonly strengths: readonly number[];
}

export interface StressRequest {
  /** The attacks, run one after the other (1..9 of the registry's ids). */
  readonly attacks: readonly StressAttack[];
  /** Evaluate on the first N test images of the loaded data set (>= 1). */
  readonly testLimit: number;
  readonly seed: number;
  /** Fine-tuning only (default FTAL). */
  readonly fineTuneMode?: 'FTAL' | 'FTLL' | 'RTAL';
  /** Fine-tuning only: attacker images from the last third of the training set (default 2000). */
  readonly attackerLimit?: number;
}

/** One measured point, streamed as soon as it is computed. */
export interface StressPoint {
  readonly attack: string;
  readonly strength: number;
  /** Index of the strength in this attack's list, and the list's length. */
  readonly index: number;
  readonly total: number;
  /** Index of the attack in the request, and the number of attacks. */
  readonly attackIndex: number;
  readonly attackCount: number;
  /** Test accuracy of the attacked copy. */
  readonly accuracy: number;
  /** Bit error rate (WaterMAS, Uchida); null for FCW keys. */
  readonly ber: number | null;
  /** FCW keys: fraction of triggers classified as the target; null otherwise. */
  readonly triggerAccuracy: number | null;
  readonly pValue: number;
  readonly log10PValue: number;
  readonly detected: boolean;
  readonly ms: number;
}

export interface StressOutcome {
  readonly points: readonly StressPoint[];
  readonly cancelled: boolean;
  /** Accuracy of the uploaded model, unattacked, on the same test images. */
  readonly baseAccuracy: number;
  readonly testImages: number;
  readonly seconds: number;
  readonly backend: string;
  readonly method: 'watermas' | 'uchida' | 'fcw';
  readonly arch: string;
}

/** Whether the Verify result can be stressed: the worker holds a runnable copy of the upload, or why not. */
export type StressReadiness =
  | { readonly ready: true; readonly arch: string; readonly parameters: number; readonly method: 'watermas' | 'uchida' | 'fcw' }
  | { readonly ready: false; readonly reason: string };

/** The stress half of the engine API. */
export interface StressApi {
  /**
   * Attack sweep on the model of the last successful Verify check, judged with its key, on the
   * loaded data set's test images; `onPoint` must be comlink-proxied. Rejects with a one-line
   * reason when there is nothing to stress, no data set, or another run is going.
   */
  stressUploaded(req: StressRequest, onPoint: (p: StressPoint) => void): Promise<StressOutcome>;
  /** Stops the running stress sweep after the current strength (its points so far are returned). */
  cancelStress(): Promise<void>;
}
