/**
 * The run's choices that the worker and the CLI must share: the learning-rate schedule a
 * schedule name gives (one definition: the step schedule's milestones among them), how often the
 * run reports, and how often it keeps its last good weights.
 */
import { namedSchedule, type ScheduleConfig, type WarmupSteps } from '../train';
import type { TrainSettings } from '../../protocol/api';

/** Keep the last good weights at most every this many steps (our choice: cheap on the small models, at most 5 steps lost). */
export const CHECKPOINT_EVERY = 5;

/**
 * The schedule of a run: the settings' schedule name over its epochs (engine/train/schedules.ts
 * namedSchedule: "step" at ceil(E/2) and ceil(3E/4)) with `warmupSteps` (default the lab's 'auto').
 * runTraining trains with exactly this, for the worker and the CLI alike.
 */
export function scheduleFor(s: Pick<TrainSettings, 'schedule' | 'epochs'>, warmupSteps: WarmupSteps = 'auto'): ScheduleConfig {
  return namedSchedule(s.schedule, s.epochs, warmupSteps);
}

/** Progress every ~1 % of the run, at most every 10 steps (each report reads values back from the device). */
export function logEveryFor(totalSteps: number): number {
  return Math.max(1, Math.min(10, Math.floor(totalSteps / 100)));
}
