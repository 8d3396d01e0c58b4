import type { CompareLane } from '../../protocol/compareMode';

const other = (lane: CompareLane): CompareLane => (lane === 'A' ? 'B' : 'A');

/**
 * The shared turn token of two training loops that run step by step in turn: A, B, A, B...
 * A lane calls `acquire` before each step (the trainer's `beforeStep` hook): it hands the turn to
 * the other lane (if it already stepped) and waits until the turn comes back. A lane holds the
 * turn from its step to its next `acquire`, so its progress report (read back after the step)
 * also comes before the other lane's next step: reports alternate A, B, A, B.
 * `finish` marks a lane done (finished, cancelled or failed): the other lane then runs alone.
 */
export class TurnGate {
  private turn: CompareLane = 'A';
  private readonly stepped = new Set<CompareLane>();
  private readonly done = new Set<CompareLane>();
  private waiters: (() => void)[] = [];

  /** Waits until `lane` may take its next step. */
  async acquire(lane: CompareLane): Promise<void> {
    if (this.done.has(lane)) throw new Error(`lane ${lane} already finished`);
    if (this.stepped.has(lane) && this.turn === lane && !this.done.has(other(lane))) {
      this.turn = other(lane);
      this.wake();
    }
    while (this.turn !== lane && !this.done.has(other(lane))) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.turn = lane;
    this.stepped.add(lane);
  }

  /** The lane takes no more steps; idempotent. */
  finish(lane: CompareLane): void {
    if (this.done.has(lane)) return;
    this.done.add(lane);
    this.turn = other(lane);
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve();
  }
}
