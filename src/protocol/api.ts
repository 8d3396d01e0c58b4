/**
 * The typed contract between the UI (main thread) and the engine worker.
 * Only plain, structured-cloneable data crosses it; the UI imports these TYPES only
 * (never tfjs, never the engine).
 */
import type { FcwPreviewRequest, FcwTriggerGallery, ModelExport, UchidaLayers, WatermarkLiveSettings, WatermarkProgress, WatermarkReport } from './watermark';
export type * from './watermark';
import type { AnalysisApi } from './analysis';
export type * from './analysis';
import type { VerifyCheckOptions, VerifyFile, VerifyOutcome } from './verify';
export type * from './verify';
import type { StressApi } from './stress';
export type * from './stress';
import type { LiveLandscapeApi } from './liveLandscape';
export type * from './liveLandscape';
import type { RunsApi } from './runs';
import type { CompareApi } from './compareMode';
export type * from './compareMode';
export type * from './runs';
import type { DeviceLossReport, DivergenceReport, SessionLiveState, SettingsChange, StepPhaseInfo } from './session';
export type * from './session';
import type { TrainSettings } from './training';
export type * from './training';

/** Which backend to run; 'auto' walks the ladder webgpu -> webgl -> wasm -> cpu. */
export type BackendPreference = 'auto' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];

/** One rung of the backend ladder as it was tried. */
export interface BackendAttempt {
  readonly name: string;
  readonly ok: boolean;
  /** Why it failed or was skipped. */
  readonly reason?: string;
  readonly ms?: number;
}

/** How 'auto' chose by measurement: each candidate's ms/step, or when it was given up as slower. */
export interface BackendChoice {
  /** 'measurement': measured in this visit (possibly still going on, see `measuring`); 'cache': measured on this adapter before. */
  readonly basis: 'measurement' | 'cache';
  /** One sentence: why the candidates were measured and what won. */
  readonly reason: string;
  /** The backend being measured in the background right now (the active one keeps running meanwhile). */
  readonly measuring?: string;
  readonly measured: ReadonlyArray<{ readonly name: string; readonly msPerStep: number }>;
  readonly abandoned: ReadonlyArray<{ readonly name: string; readonly afterMs: number }>;
}

export interface BackendInfo {
  /** The backend that runs (tf.getBackend()). */
  readonly name: string;
  readonly preference: BackendPreference;
  readonly tried: readonly BackendAttempt[];
  /** Measured milliseconds per training step (probe: small cnn, batch 16); null if not measured. */
  readonly msPerStep: number | null;
  /** What the probe measured, e.g. "cnn, batch 16". */
  readonly probe: string | null;
  /** GPU backends: the adapter as the platform describes it (e.g. "google swiftshader"). */
  readonly adapter?: string;
  /** GPU backends: true when the adapter is a software (CPU-based) one such as SwiftShader. */
  readonly softwareAdapter?: boolean;
  /** Set when 'auto' chose between backends by measuring them (see backendSetup.ts). */
  readonly choice?: BackendChoice;
  /**
   * wasm only: XNNPACK threads in use (1 = single-threaded), whether the SIMD binary loaded, and
   * whether the lab's own SIMD training kernels run (not on the threaded build's shared heap).
   */
  readonly wasm?: { readonly threads: number; readonly simd: boolean; readonly labKernels: boolean };
}

export type DataSourceRequest = 'auto' | 'cifar10' | 'synthetic';

/** Where the loaded data came from. */
export type DataOrigin =
  | 'browser-storage' // the user's dropped tarball, kept in IndexedDB
  | 'server' // /datasets/cifar10/*.bin served with the app
  | 'synthetic'; // the embedded, procedurally generated default

export interface DatasetInfo {
  readonly name: 'cifar10' | 'synthetic';
  /** Human label, e.g. "CIFAR-10" or "synthetic (embedded default)". */
  readonly label: string;
  readonly origin: DataOrigin;
  readonly classNames: readonly string[];
  readonly trainCount: number;
  readonly testCount: number;
  /** Why a preferred source was not used (e.g. "no CIFAR-10 files on the server"). */
  readonly note?: string;
}

/** RGBA thumbnails (width x height x 4 bytes each, concatenated), transferred not copied. */
export interface Thumbnails {
  readonly width: number;
  readonly height: number;
  readonly count: number;
  readonly rgba: ArrayBuffer;
  readonly labels: readonly number[];
}

export interface ArchSummary {
  readonly name: string;
  readonly label: string;
  readonly description: string;
  readonly parameterCount: number;
}

// TrainSettings, OptimizerName, ScheduleName: the training contract (training.ts: type, defaults, limits, schema).
export type TrainPhase = 'preparing' | 'training' | 'paused' | 'evaluating' | 'done' | 'cancelled';

export interface TrainProgress {
  readonly phase: TrainPhase;
  readonly step: number;
  readonly totalSteps: number;
  readonly epoch: number;
  readonly epochs: number;
  /** Mean training loss / accuracy over the steps since the previous report. */
  readonly loss: number | null;
  readonly accuracy: number | null;
  readonly learningRate: number | null;
  readonly imagesPerSecond: number | null;
  readonly etaSeconds: number | null;
  readonly elapsedSeconds: number;
  /** Live watermark state (watermarked runs, training phase). */
  readonly watermark?: WatermarkProgress;
  /** Lecture mode: every live change so far with the step it took effect (training / paused reports). */
  readonly settingsChanges?: readonly SettingsChange[];
  /** Lecture mode: the phases of the last step (clean pass, replica passes, update). */
  readonly stepPhases?: readonly StepPhaseInfo[];
  /** The run lost its GPU device and goes on from its checkpoint on another backend. */
  readonly deviceLoss?: DeviceLossReport;
}

export interface TrainOutcome {
  readonly cancelled: boolean;
  readonly steps: number;
  readonly seconds: number;
  readonly imagesPerSecond: number | null;
  readonly trainImages: number;
  readonly testImages: number;
  readonly testAccuracy: number | null;
  readonly testLoss: number | null;
  readonly backend: string;
  /** Verification of the trained model against its key (watermarked, completed runs). */
  readonly watermark?: WatermarkReport;
  /** Id of the run as the Runs drawer lists it (absent if it could not be recorded). */
  readonly runId?: string;
  /** The loss diverged: the run stopped and the model is its last good checkpoint. */
  readonly diverged?: DivergenceReport;
  /** The GPU device was lost during the run, which resumed from its checkpoint on another backend. */
  readonly deviceLoss?: DeviceLossReport;
}

export interface EvaluateResult {
  readonly accuracy: number;
  readonly loss: number;
  readonly images: number;
}

export interface ImportResult {
  readonly files: readonly string[];
  readonly trainCount: number;
  readonly testCount: number;
  readonly stored: boolean;
  readonly dataset: DatasetInfo;
}

/** The engine as the worker exposes it (all methods are async across the worker boundary). */
export interface EngineApi extends AnalysisApi, StressApi, LiveLandscapeApi, RunsApi, CompareApi {
  init(preference: BackendPreference): Promise<BackendInfo>;
  backend(): Promise<BackendInfo | null>;
  /** The backend once a background measurement (auto on a software GPU) has ended: it may have switched. */
  settledBackend(): Promise<BackendInfo | null>;
  loadDataset(req: { source: DataSourceRequest }): Promise<DatasetInfo>;
  sampleImages(n: number, split: 'train' | 'test'): Promise<Thumbnails>;
  architectures(): Promise<readonly ArchSummary[]>;
  /** Trains a fresh model; rejects if a run is already going. `onProgress` must be comlink-proxied. */
  train(settings: TrainSettings, onProgress: (p: TrainProgress) => void): Promise<TrainOutcome>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  cancel(): Promise<void>;
  /** Evaluates the last trained model on the test split (first `limit` images, 0 = all). */
  evaluate(limit: number): Promise<EvaluateResult>;
  /** Parses the official cifar-10-binary.tar.gz in the worker and keeps its six files for later visits. */
  importCifarTarball(bytes: ArrayBuffer): Promise<ImportResult>;
  /** Forgets the stored CIFAR-10 files. */
  clearStoredDataset(): Promise<void>;
  /** Changes R / σ / λ / mode / ρ / margin of the running watermarked run from its next step. */
  setWatermarkSettings(partial: Partial<WatermarkLiveSettings>): Promise<void>;
  /** model.json text and weights.bin bytes (transferred) of the last trained model. */
  exportModel(): Promise<ModelExport>;
  /** key.json text of the last watermarked run (WaterMAS, Uchida or FCW key file). */
  exportKey(): Promise<string>;
  /** Trigger gallery: a preview of the triggers the FCW settings would fuse, or (no argument) the last FCW model's triggers with its predictions. */
  fcwTriggers(preview?: FcwPreviewRequest): Promise<FcwTriggerGallery>;
  /** Conv kernels of an architecture for the Uchida layer select, with the engine's default for `bits` bits. */
  uchidaLayers(arch: string, bits: number): Promise<UchidaLayers>;
  /** Verify panel: checks uploaded model files (+ key) locally; never rejects, problems come back as `{ ok: false, error }`. */
  checkModelFiles(files: readonly VerifyFile[], opts?: VerifyCheckOptions): Promise<VerifyOutcome>;
  /** Lecture mode: changes the base learning rate of the running run from its next step. */
  setLearningRate(lr: number): Promise<void>;
  /** Lecture mode: while paused, runs exactly one step (then stays paused); while running, pauses. */
  stepTraining(): Promise<void>;
  /** Lecture mode: delay before each step while running (ms, 0 = off); kept for later runs. */
  setSlowMotion(ms: number): Promise<void>;
  /** Lecture mode: the live settings in force in the worker (null when no run is going). */
  watermarkLiveState(): Promise<SessionLiveState | null>;
  /** Test hook: destroys the WebGPU device of a running run (false when the backend is not WebGPU or no run goes on). */
  simulateDeviceLoss(): Promise<boolean>;
}
