export type RunState = 'running' | 'paused' | 'cancelled';

/**
 * Pause / resume / cancel for a running loop (training, sweeps...). The loop calls
 * `checkpoint()` between steps: it resolves at once while running, waits while paused,
 * and resolves to false once cancelled.
 */
export class RunControl {
  private stateValue: RunState = 'running';
  private waiters: (() => void)[] = [];

  get state(): RunState {
    return this.stateValue;
  }

  get cancelled(): boolean {
    return this.stateValue === 'cancelled';
  }

  pause(): void {
    if (this.stateValue === 'running') this.stateValue = 'paused';
  }

  resume(): void {
    if (this.stateValue !== 'paused') return;
    this.stateValue = 'running';
    this.wake();
  }

  cancel(): void {
    this.stateValue = 'cancelled';
    this.wake();
  }

  /** Waits while paused; true to go on, false when cancelled. */
  async checkpoint(): Promise<boolean> {
    while (this.stateValue === 'paused') {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.stateValue === 'running';
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve();
  }
}
