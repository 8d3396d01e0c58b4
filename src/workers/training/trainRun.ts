/**
 * The worker's training run: checks the settings that came over the worker boundary and runs
 * the engine's training run (engine/run, the same as `wmlab train`) with the worker's
 * device-loss watcher (the WebGPU device's `lost` promise, sessionDevice.ts).
 */
import type { TrainSettings } from '../../protocol/api';
import { parseTrainSettings } from '../../protocol/training';
import { validateWatermarkConfig } from '../../engine/methods';
import { runTraining as runEngineTraining, type RunInput, type RunOutput } from '../../engine/run';
import { watchDeviceLoss } from './sessionDevice';

export type { RunInput, RunOutput, RunSnapshot, TurnTaking } from '../../engine/run';

/** Checks settings that came over the worker boundary against the training contract (protocol/training.ts); throws a one-line reason. */
export function validateTrainSettings(s: TrainSettings): void {
  parseTrainSettings(s);
  if (s.watermark) validateWatermarkConfig(s.watermark);
}

/**
 * One complete run of a training request (engine/run runTraining) after validateTrainSettings;
 * the device is watched by watchDeviceLoss unless the caller brings its own watcher (tests).
 * The returned model belongs to the caller (dispose it).
 */
export async function runTraining(input: RunInput): Promise<RunOutput> {
  validateTrainSettings(input.settings);
  return runEngineTraining({ ...input, watchDevice: input.watchDevice ?? watchDeviceLoss });
}
