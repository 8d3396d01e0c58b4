/**
 * Learning-rate schedules, as plain data (serialisable in run configs and presets). Every kind
 * takes `warmupSteps` (default 0): a linear ramp from base/warmupSteps to base over the first
 * `warmupSteps` optimizer steps, before the schedule proper; 'auto' is autoWarmupSteps of the run.
 */
export type WarmupSteps = number | 'auto';
export type ScheduleConfig =
  | { readonly kind: 'constant'; readonly warmupSteps?: WarmupSteps }
  /** lr = base * gamma^(number of milestones <= current epoch); milestones in epochs. */
  | { readonly kind: 'step'; readonly milestones: readonly number[]; readonly gamma: number; readonly warmupSteps?: WarmupSteps }
  /** After the warm-up, cosine decay from base to `minLr` (default 0) at the last step. */
  | { readonly kind: 'cosine'; readonly warmupSteps?: WarmupSteps; readonly minLr?: number };

/** 'auto' warms up over at least this many steps (the whole run when it is shorter)... */
export const AUTO_WARMUP_MIN_STEPS = 16;
/** ...and at most this many. */
export const AUTO_WARMUP_MAX_STEPS = 100;

/**
 * The warm-up of 'auto' (the lab's default, our choice): a quarter of the run, at least 16 steps
 * (all of a shorter run) and at most 100. Measured on real CIFAR-10 with the lecture presets'
 * setting (cnn, lr 0.05, momentum 0.9, batch 64, 62 steps; docs/experiments/warmup.md): without
 * a warm-up the loss jumps to 3.9–6.1× its first value in steps 2–6 and the runs end at
 * 17–21 %; with 8 steps the worst step is still 1.9×, with 16 it stays within 1.15× and they
 * reach 28–32 %. The spike comes within the first few full-rate steps whatever the run's length,
 * hence the floor.
 */
export function autoWarmupSteps(totalSteps: number): number {
  const steps = Math.max(0, Math.floor(totalSteps));
  return Math.min(AUTO_WARMUP_MAX_STEPS, Math.max(Math.round(steps / 4), Math.min(steps, AUTO_WARMUP_MIN_STEPS)));
}

/** The warm-up length of `schedule` in a run of `totalSteps` steps. */
export function warmupStepsOf(schedule: ScheduleConfig, totalSteps: number): number {
  const w = schedule.warmupSteps ?? 0;
  return w === 'auto' ? autoWarmupSteps(totalSteps) : Math.max(0, Math.floor(w));
}

export type ScheduleName = ScheduleConfig['kind'];
export const SCHEDULE_NAMES: readonly ScheduleName[] = ['constant', 'step', 'cosine'];

export interface ScheduleTiming {
  readonly totalSteps: number;
  readonly stepsPerEpoch: number;
}

/** The learning rate for the 0-based optimizer step `step`. */
export function learningRateAt(schedule: ScheduleConfig, baseLr: number, step: number, timing: ScheduleTiming): number {
  const warmup = warmupStepsOf(schedule, timing.totalSteps);
  if (step < warmup) return (baseLr * (step + 1)) / warmup;
  switch (schedule.kind) {
    case 'constant':
      return baseLr;
    case 'step': {
      const epoch = Math.floor(step / Math.max(1, timing.stepsPerEpoch));
      let lr = baseLr;
      for (const m of schedule.milestones) if (epoch >= m) lr *= schedule.gamma;
      return lr;
    }
    case 'cosine': {
      const minLr = schedule.minLr ?? 0;
      const decaySteps = Math.max(1, timing.totalSteps - warmup - 1);
      const progress = Math.min(1, (step - warmup) / decaySteps);
      return minLr + (baseLr - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
    default: {
      const never: never = schedule;
      throw new Error(`unknown schedule: ${JSON.stringify(never)}`);
    }
  }
}

/** Validates a schedule config (throws with a readable reason). */
export function validateSchedule(schedule: ScheduleConfig): void {
  const warmup = schedule.warmupSteps ?? 0;
  if (warmup !== 'auto' && !(warmup >= 0 && Number.isFinite(warmup))) throw new Error(`${String(schedule.kind)} schedule: warmupSteps must be >= 0`);
  if (schedule.kind === 'step') {
    if (!(schedule.gamma > 0)) throw new Error('step schedule: gamma must be > 0');
    if (schedule.milestones.some((m) => !(m >= 0))) throw new Error('step schedule: milestones must be >= 0 epochs');
  } else if (schedule.kind === 'cosine') {
    if ((schedule.minLr ?? 0) < 0) throw new Error('cosine schedule: minLr must be >= 0');
  } else if (schedule.kind !== 'constant') {
    throw new Error(`unknown schedule kind: ${String((schedule as { kind: unknown }).kind)}`);
  }
}

/**
 * The schedule a run names (CLI `--schedule`, the training form), one definition for both:
 * "step" multiplies by 0.1 at ceil(E/2) and ceil(3E/4) epochs (our choice; repeated or
 * out-of-range milestones dropped), "cosine" decays to 0 at the last step.
 */
export function namedSchedule(name: ScheduleName, epochs: number, warmupSteps: WarmupSteps = 0): ScheduleConfig {
  const warm = warmupSteps === 'auto' || warmupSteps > 0 ? { warmupSteps } : {};
  switch (name) {
    case 'step': {
      const milestones = [...new Set([Math.ceil(epochs / 2), Math.ceil((3 * epochs) / 4)])].filter((m) => m >= 1 && m < epochs);
      return { kind: 'step', milestones, gamma: 0.1, ...warm };
    }
    case 'cosine':
      return { kind: 'cosine', ...warm };
    default:
      return { kind: 'constant', ...warm };
  }
}
