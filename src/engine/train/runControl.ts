export type RunState = 'running' | 'paused' | 'cancelled';

/** Longest slow-motion delay between steps (ms; our choice: 10 s keeps a lecture demo responsive). */
export const MAX_SLOW_MOTION_MS = 10_000;

/**
 * Pause / resume / cancel for a running loop (training, sweeps...). The loop calls
 * `checkpoint()` between steps: it resolves at once while running, waits while paused,
 * and resolves to false once cancelled.
 *
 * Lecture controls: `step()` lets exactly one step through while paused (the loop stays
 * paused); `setSlowMotion(ms)` makes `checkpoint()` wait `ms` before each step while running
 * (a pause or cancel interrupts the wait).
 */
export class RunControl {
  private stateValue: RunState = 'running';
  private waiters: (() => void)[] = [];
  private stepsGranted = 0;
  private delayMs = 0;

  get state(): RunState {
    return this.stateValue;
  }

  get cancelled(): boolean {
    return this.stateValue === 'cancelled';
  }

  /** Delay before each step while running (0 = off). */
  get slowMotionMs(): number {
    return this.delayMs;
  }

  pause(): void {
    if (this.stateValue === 'running') this.stateValue = 'paused';
  }

  resume(): void {
    if (this.stateValue !== 'paused') return;
    this.stateValue = 'running';
    this.stepsGranted = 0;
    this.wake();
  }

  cancel(): void {
    this.stateValue = 'cancelled';
    this.wake();
  }

  /** While paused: one more step runs, then the loop waits again. While running: pauses (the next `step()` then advances). */
  step(): void {
    if (this.stateValue === 'running') {
      this.pause();
    } else if (this.stateValue === 'paused') {
      this.stepsGranted += 1;
      this.wake();
    }
  }

  /** Sets the slow-motion delay (ms, 0..MAX_SLOW_MOTION_MS; 0 = off). */
  setSlowMotion(ms: number): void {
    if (!(Number.isFinite(ms) && ms >= 0 && ms <= MAX_SLOW_MOTION_MS)) throw new Error(`slow-motion delay must be in 0..${MAX_SLOW_MOTION_MS} ms, got ${ms}`);
    this.delayMs = ms;
    this.wake();
  }

  /** Waits while paused (or for the slow-motion delay); true to go on, false when cancelled. */
  async checkpoint(): Promise<boolean> {
    let slept = false;
    for (;;) {
      if (this.stateValue === 'cancelled') return false;
      if (this.stateValue === 'paused') {
        if (this.stepsGranted > 0) {
          this.stepsGranted -= 1;
          return true;
        }
        await new Promise<void>((resolve) => this.waiters.push(resolve));
        continue;
      }
      if (this.delayMs > 0 && !slept) {
        slept = true;
        await this.sleep(this.delayMs);
        continue;
      }
      return true;
    }
  }

  /** Waits `ms`, or less when a control call wakes the loop. */
  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.push(done);
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve();
  }
}
