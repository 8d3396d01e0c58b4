/**
 * Lecture-mode part of the UI <-> worker contract (re-exported from api.ts): live setting
 * changes with the step they took effect, step phases, divergence and device-loss reports.
 * Plain, structured-cloneable data only.
 */

/** The settings that may change while a run goes on. */
export type LiveSettingName = 'replicas' | 'sigma' | 'lambda' | 'mode' | 'rho' | 'margin' | 'learningRate';

/** One live change, as the worker applied it. */
export interface SettingsChange {
  /**
   * Steps completed when the change took effect: step `step + 1` (1-based) is the first that
   * uses the new values, so on a chart whose x axis counts completed steps the marker sits at `step`.
   */
  readonly step: number;
  readonly changes: Readonly<Partial<Record<LiveSettingName, number | string>>>;
}

/** One phase of a training step (see the engine's StepPhase). */
export interface StepPhaseInfo {
  readonly kind: 'clean' | 'replica' | 'update';
  /** Replica passes: 0-based index and count. */
  readonly index?: number;
  readonly of?: number;
}

/** The live state of the running session in the worker (EngineApi.watermarkLiveState). */
export interface SessionLiveState {
  /** Steps completed (the next step to run is step + 1). */
  readonly step: number;
  readonly paused: boolean;
  readonly slowMotionMs: number;
  /** Base learning rate in force (the schedule applies to it). */
  readonly learningRate: number;
  /** WaterMAS settings in force (null for an unmarked run). */
  readonly replicas: number | null;
  readonly sigma: number | null;
  readonly lambda: number | null;
  readonly margin: number | null;
  /** Every live change so far. */
  readonly changes: readonly SettingsChange[];
}

/** How a run that diverged ended (TrainOutcome.diverged). */
export interface DivergenceReport {
  /** Step of the report that saw the divergence. */
  readonly step: number;
  /** The loss there as text ("NaN", "Infinity", "1.2e+5"). */
  readonly loss: string;
  /** Step of the restored checkpoint: the model the lab keeps. */
  readonly checkpointStep: number;
  /** "The loss diverged at step 12 (NaN). Training stopped; the model is the last good checkpoint from step 10." */
  readonly message: string;
}

/** A run that lost its GPU device and went on elsewhere (TrainOutcome.deviceLoss). */
export interface DeviceLossReport {
  /** Step of the host checkpoint the run resumed from. */
  readonly resumedFromStep: number;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
}
