/**
 * Runs part of the UI <-> worker contract (plain, structured-cloneable data only; re-exported
 * from api.ts). The UI imports these TYPES only.
 */
import type { TrainOutcome, TrainSettings, WatermarkReport } from './api';
import type { AttackSweepSettings } from './analysis';

/** Watermark method of a run ('none' = plain training). Any string a key file names is kept. */
export type RunMethod = 'none' | 'watermas' | 'uchida' | 'fcw' | (string & {});

/** One point of the training curve (the reports the Training panel charts). */
export interface RunMetricPoint {
  readonly step: number;
  readonly loss: number | null;
  readonly accuracy: number | null;
}

/** What a finished run achieved (the drawer's columns and the comparison's training cost). */
export interface RunOutcomeSummary {
  readonly cancelled: boolean;
  readonly steps: number;
  /** Test accuracy at the end of training (null when cancelled before evaluation). */
  readonly testAccuracy: number | null;
  readonly testImages: number;
  readonly seconds: number;
  readonly imagesPerSecond: number | null;
  /** seconds / epochs trained (partial epochs counted by their steps); null when unknown. */
  readonly secondsPerEpoch: number | null;
  /** Watermark evidence at the end of training: BER (WaterMAS, Uchida) or trigger accuracy (FCW). */
  readonly ber: number | null;
  readonly triggerAccuracy: number | null;
  readonly pValue: number | null;
  readonly log10PValue: number | null;
  readonly detected: boolean | null;
  readonly backend: string;
}

/** A stored training run (its weights travel separately: see RunEntry in runRegistry.ts). */
export interface RunRecord {
  readonly id: string;
  /** Auto-generated ("cnn · WaterMAS R=4 · 14:32"), renamable. */
  readonly name: string;
  /** ISO 8601. */
  readonly createdAt: string;
  readonly settings: TrainSettings;
  readonly method: RunMethod;
  readonly arch: string;
  readonly history: readonly RunMetricPoint[];
  readonly outcome: RunOutcomeSummary;
  /** key.json text of any method; null for plain training. */
  readonly keyJson: string | null;
  /** Size of the model weights in bytes. */
  readonly weightBytes: number;
  /** A compare-mode twin: its lane (the UI draws it in the lane's colour everywhere). */
  readonly lane?: 'A' | 'B';
  /**
   * A training run saved while it went on (every RUN_CHECKPOINT_MS): the weights and key of step
   * `step`. The final record replaces it; one still marked after a reload was interrupted.
   */
  readonly inProgress?: { readonly step: number; readonly totalSteps: number; readonly savedAt: string };
  /**
   * The training call's full outcome as the Training and Watermark panels showed it (test loss,
   * watermark report...), JSON-safe: a page reload restores the view from it. Absent for runs
   * recorded before it existed (the view then falls back to `outcome`).
   */
  readonly trainOutcome?: StoredTrainOutcome;
}

/** A WatermarkReport as stored: the decoded image's pixels as a plain array (JSON-safe). */
export type StoredWatermarkReport = Omit<WatermarkReport, 'image'> & {
  readonly image?: Omit<NonNullable<WatermarkReport['image']>, 'pixels'> & { readonly pixels: readonly number[] };
};

/** A TrainOutcome as stored in a RunRecord (JSON-safe; no runId: the record has its id). */
export type StoredTrainOutcome = Omit<TrainOutcome, 'watermark' | 'runId'> & { readonly watermark?: StoredWatermarkReport };

/** Where a run is kept. */
export interface RunStorageState {
  /** Saved in this browser's IndexedDB (survives reloads). */
  readonly stored: boolean;
  /** Why it could not be saved (quota, private mode...); the run stays in memory for this session. */
  readonly storageError?: string;
}

/** A run as the drawer lists it. */
export type RunListItem = RunRecord &
  RunStorageState & {
    readonly current: boolean;
    /** A run in progress whose training is no longer going (the page was closed or crashed): its last saved step. */
    readonly interrupted?: boolean;
  };

/**
 * The comparison's common evidence scale (our choice): score = min(-log10 p, EVIDENCE_SCORE_CAP);
 * every method decides "detected" at p < 1e-6, i.e. score > DETECT_SCORE. Plain constants, so
 * the UI can draw the axis before the first point arrives.
 */
export const EVIDENCE_SCORE_CAP = 40;
export const DETECT_SCORE = 6;

/** Settings of a comparison: the same attack sweep (the Attack panel's settings) on each chosen run. */
export interface ComparisonSettings extends AttackSweepSettings {
  readonly runIds: readonly string[];
}

/**
 * Watermark evidence of one key on one (attacked) model. `score` puts every method on one
 * scale: min(-log10 p, EVIDENCE_SCORE_CAP) (see compareSweep.ts); 'detected' is p < threshold
 * (1e-6 for every method, i.e. score > 6).
 */
export interface ComparisonEvidence {
  readonly method: string;
  readonly ber: number | null;
  readonly triggerAccuracy: number | null;
  readonly pValue: number;
  readonly log10PValue: number;
  readonly detected: boolean;
  readonly score: number;
}

/** One measured point (one run at one strength), streamed as soon as it is computed. */
export interface ComparisonPoint {
  readonly runId: string;
  readonly runIndex: number;
  readonly strength: number;
  readonly index: number;
  readonly accuracy: number;
  /** Clean accuracy of the run minus `accuracy` (same test images). */
  readonly accuracyDrop: number;
  /** null for a run without a key. */
  readonly evidence: ComparisonEvidence | null;
  readonly ms: number;
  /** Points done so far / in all (over every run). */
  readonly done: number;
  readonly total: number;
}

/** One run's part of a comparison. */
export interface ComparisonRunResult {
  readonly runId: string;
  readonly name: string;
  readonly method: string;
  /** Accuracy of the unattacked model on the comparison's test images. */
  readonly cleanAccuracy: number | null;
  readonly secondsPerEpoch: number | null;
  readonly points: readonly ComparisonPoint[];
  /** Why this run could not be compared (e.g. a model for another number of classes). */
  readonly error?: string;
}

export interface ComparisonOutcome {
  readonly attack: string;
  readonly strengths: readonly number[];
  readonly runs: readonly ComparisonRunResult[];
  readonly cancelled: boolean;
  readonly testImages: number;
  readonly seconds: number;
  readonly backend: string;
  /** The score cap and the detection threshold on the score scale, for the chart. */
  readonly scoreCap: number;
  readonly detectScore: number;
}

/**
 * A sweep's table (`wmlab sweep report`'s table.csv, the Runs comparison's import): a row per cell,
 * a value per column (null = none). Built by the engine's `sweepTable` (src/engine/sweep/results.ts).
 */
export type SweepTableValue = string | number | boolean | null;
export interface SweepTable {
  /** The options that vary across the cells (the first columns after `id`). */
  readonly settings: readonly string[];
  /** In order: id, the varying settings, method, model, ..., per attack strength, sharpness. */
  readonly columns: readonly string[];
  readonly rows: readonly Readonly<Record<string, SweepTableValue>>[];
}

/** An imported results.jsonl: its table and the same table as CSV (byte for byte the CLI's table.csv). */
export interface SweepResultsImport {
  /** The file's name as given (it names the file in error messages too). */
  readonly source: string;
  /** The sweep names its cells carry (one, unless files were concatenated). */
  readonly sweeps: readonly string[];
  /** Cells in the table (a cell appended twice counts once: its last line). */
  readonly cells: number;
  readonly table: SweepTable;
  readonly csv: string;
}

/** The largest results.jsonl the import takes (characters; the page checks the file's bytes first). */
export const MAX_SWEEP_RESULTS_CHARS = 64 * 2 ** 20;

/** The runs half of the engine API (EngineApi extends it). */
export interface RunsApi {
  /** Every known run, newest first (restored from IndexedDB at start). */
  listRuns(): Promise<readonly RunListItem[]>;
  renameRun(id: string, name: string): Promise<RunRecord>;
  deleteRun(id: string): Promise<void>;
  /** Loads the run's weights + key into the current model slot (Attack, Landscape, Watermark panels). */
  selectRun(id: string): Promise<RunRecord>;
  /** One .wmrun.zip file (record + model + key); bytes are transferred. */
  exportRun(id: string): Promise<{ readonly filename: string; readonly bytes: ArrayBuffer }>;
  /** Validates and adds an exported run (a new id if that id is taken); a bad file rejects with a clear reason. */
  importRun(bytes: ArrayBuffer): Promise<RunRecord>;
  /** The same attack sweep on each chosen run in turn; `onPoint` must be comlink-proxied. */
  runComparison(settings: ComparisonSettings, onPoint: (p: ComparisonPoint) => void): Promise<ComparisonOutcome>;
  /** Stops the comparison after the current point. */
  cancelComparison(): Promise<void>;
  /**
   * The table of a `wmlab sweep` results.jsonl (its text; `source` = the file's name). Touches no
   * tensors, so it runs during training or a comparison; a bad file rejects with a one-line reason.
   */
  importSweepResults(text: string, source?: string): Promise<SweepResultsImport>;
}
