/** Learning-rate schedules, as plain data (serialisable in run configs and presets). */
export type ScheduleConfig =
  | { readonly kind: 'constant' }
  /** lr = base * gamma^(number of milestones <= current epoch); milestones in epochs. */
  | { readonly kind: 'step'; readonly milestones: readonly number[]; readonly gamma: number }
  /**
   * Linear warmup from base/warmupSteps to base over `warmupSteps` steps (default 0), then
   * cosine decay from base to `minLr` (default 0) at the last step.
   */
  | { readonly kind: 'cosine'; readonly warmupSteps?: number; readonly minLr?: number };

export interface ScheduleTiming {
  readonly totalSteps: number;
  readonly stepsPerEpoch: number;
}

/** The learning rate for the 0-based optimizer step `step`. */
export function learningRateAt(schedule: ScheduleConfig, baseLr: number, step: number, timing: ScheduleTiming): number {
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
      const warmup = Math.max(0, Math.floor(schedule.warmupSteps ?? 0));
      const minLr = schedule.minLr ?? 0;
      if (step < warmup) return (baseLr * (step + 1)) / warmup;
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
  if (schedule.kind === 'step') {
    if (!(schedule.gamma > 0)) throw new Error('step schedule: gamma must be > 0');
    if (schedule.milestones.some((m) => !(m >= 0))) throw new Error('step schedule: milestones must be >= 0 epochs');
  } else if (schedule.kind === 'cosine') {
    if ((schedule.warmupSteps ?? 0) < 0) throw new Error('cosine schedule: warmupSteps must be >= 0');
    if ((schedule.minLr ?? 0) < 0) throw new Error('cosine schedule: minLr must be >= 0');
  } else if (schedule.kind !== 'constant') {
    throw new Error(`unknown schedule kind: ${String((schedule as { kind: unknown }).kind)}`);
  }
}
