/**
 * The inputs and outputs of one training run (runTraining.ts): what the worker and the CLI hand
 * it, and what they get back.
 */
import type { Dataset, Normalization } from '../data/types';
import type { LiveLandscapeDriver } from '../landscape';
import type { MethodSession, LiveWatermarkSettings } from '../methods';
import type { ArchOptions } from '../models/options';
import type { Model } from '../models/types';
import type { EpochSummary, OptimizerState, RunControl, ScheduleConfig, TrainProgress as EngineProgress, TrainResult, WarmupSteps } from '../train';
import type { WatermasKey } from '../watermark';
import type { TrainOutcome, TrainProgress, TrainSettings } from '../../protocol/api';
import type { SessionLive } from './sessionLive';
import type { TurnTaking } from './turnTaking';

/** The key of a run's method, tagged by method (MethodSession's). */
export type RunMethodKey = MethodSession['methodKey'];

/**
 * What the run needs of a watermark method to train with it: a MethodSession has all of it.
 * A caller that starts its method itself (the CLI, from its flags) may leave out the reporting
 * half: without `progress` the reports carry no watermark state, without `report` the outcome no
 * verification (the caller verifies), without `moveTo` the run cannot resume after a lost device.
 */
export type RunMethod = Pick<MethodSession, 'methodKey' | 'source' | 'trainHooks' | 'dispose'> &
  Partial<Pick<MethodSession, 'progress' | 'report' | 'moveTo'>>;

/** What a live landscape driver measures: one WaterMAS run. */
export interface LiveRunInput {
  readonly model: Model;
  readonly key: WatermasKey;
  readonly dataset: Dataset;
  readonly normalization: Normalization;
  readonly totalSteps: number;
  /** The run's control: a cancel stops a measurement in progress. */
  readonly control?: { readonly cancelled: boolean };
}

/** The live landscape of WaterMAS runs (the worker's LiveLandscapeHub): one driver per run. */
export interface LiveViewHub {
  startRun(input: LiveRunInput): LiveLandscapeDriver;
}

/** A training run between two steps, for `RunInput.persist`. */
export interface RunSnapshot {
  readonly model: Model;
  /** Steps completed. */
  readonly step: number;
  readonly totalSteps: number;
  readonly elapsedSeconds: number;
  readonly trainImages: number;
  /** The run's key (watermarked runs), else null. */
  readonly key: RunMethodKey | null;
}

/** What the run trains with, once its method started: told to `RunInput.onPlan` before the first step. */
export interface RunPlan {
  readonly schedule: ScheduleConfig;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  /** The warm-up of `schedule` in steps ('auto' resolved). */
  readonly warmupSteps: number;
}

/** A resumed run: where it stopped and the optimizer state saved there (the CLI's --checkpoint). */
export interface RunResume {
  /** Steps done; the run's model holds their result. */
  readonly startStep: number;
  readonly optimizerState: OptimizerState;
}

export interface RunInput {
  readonly settings: TrainSettings;
  readonly dataset: Dataset;
  readonly normalization: Normalization;
  /** Pause / resume / cancel (default: a control nobody else holds). */
  readonly control?: RunControl;
  readonly backend: () => string;
  /** The run's reports (preparing, training, evaluating, done), watermark state included. */
  readonly onProgress?: (p: TrainProgress) => void | Promise<void>;
  /** The trainer's own report of each progress step, as it comes (the CLI's log lines). */
  readonly onTrainProgress?: (p: EngineProgress) => void | Promise<void>;
  /** Told once the method started and before the first step (also for a run of 0 epochs). */
  readonly onPlan?: (plan: RunPlan) => void | Promise<void>;
  /** After every epoch, with the model as it stands then (the CLI's resumable checkpoints). */
  readonly onEpochEnd?: (summary: EpochSummary, run: { optimizerState(): Promise<OptimizerState> }, model: Model) => void | Promise<void>;
  /** Slider changes for a watermarked run, applied at the next step. */
  readonly watermarkLive?: LiveWatermarkSettings;
  /** Live landscape of WaterMAS runs (Landscape panel), measured between steps. */
  readonly liveLandscape?: LiveViewHub;
  /** Lecture mode: live learning rate, change log with steps, step phases. */
  readonly session?: SessionLive;
  /** Switches to the fallback backend after a lost GPU device; resolves to its name. */
  readonly switchBackend?: (reason: string) => Promise<string>;
  /**
   * Device-loss watcher (the worker's: the WebGPU device's `lost` promise; tests inject their own).
   * Without one the run trains without the device-loss fallback.
   */
  readonly watchDevice?: (onLost: (reason: string) => void) => () => void;
  /** Architecture options (default: the architecture's defaults). */
  readonly modelOptions?: ArchOptions;
  /**
   * Fine-tuning: a fresh copy of a trained model (weights and BatchNorm statistics) to start from
   * instead of the seeded initialisation; it must match the settings' architecture and the data.
   */
  readonly initialModel?: () => Model;
  /**
   * The model to train, made and checked by the caller (the CLI: seeded, --init or a resumed
   * checkpoint); the run owns it from now on (returned, or disposed when the run fails). After a
   * lost device the run rebuilds the seeded model of the settings and restores the checkpoint.
   */
  readonly model?: Model;
  /**
   * The run's watermark method, started by the caller on `model` (the CLI); the run owns it
   * (disposes it at the end). Default: the method of `settings.watermark` (startWatermarkSession).
   */
  readonly method?: RunMethod | null;
  /** Warm-up of the named schedule (default 'auto': the lab's, engine/train/schedules.ts). */
  readonly warmupSteps?: WarmupSteps;
  /** Report progress every this many steps (default: logEveryFor the run's length). */
  readonly logEvery?: number;
  /**
   * Keep the last good weights (every CHECKPOINT_EVERY steps) and end a diverged run on them
   * (outcome.diverged); needed by the device-loss fallback. Default true. Without it a diverged
   * run fails with a TrainingDivergedError (the CLI).
   */
  readonly lastGoodCheckpoint?: boolean;
  /** Resume a run from a saved step and optimizer state (the model given holds that step). */
  readonly resume?: RunResume;
  /** Compare mode: every step first waits for this run's turn; `finish` once training ends (before evaluation). */
  readonly turn?: TurnTaking;
  /**
   * Called after every progress report of the training steps, with the model as it is between
   * two steps (nothing updates it meanwhile) and the run's key: the caller saves the run in
   * progress when its time budget says so (engineService: the Runs drawer's in-progress record).
   */
  readonly persist?: (snapshot: RunSnapshot) => Promise<void>;
}

export interface RunOutput {
  /** The key of a watermarked run, tagged with its method (absent for a run without a mark). */
  readonly methodKey?: RunMethodKey;
  readonly outcome: TrainOutcome;
  readonly model: Model;
  /** Training steps per epoch (full batches of the training images). */
  readonly stepsPerEpoch: number;
  /** The trainer's result (after a lost device: the resumed segment's; a run of 0 epochs: 0 steps). */
  readonly result: TrainResult;
}
