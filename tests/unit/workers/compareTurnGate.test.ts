import { describe, expect, it } from 'vitest';
import type { CompareLane } from '../../../src/protocol/compareMode';
import { TurnGate } from '../../../src/workers/compare-mode/turnGate';

/** A lane of `steps` steps: each awaits its turn, then does some async work (as a report would) before its next acquire. */
async function lane(gate: TurnGate, name: CompareLane, steps: number, log: string[], delayMs: number): Promise<void> {
  try {
    for (let s = 0; s < steps; s++) {
      await gate.acquire(name);
      log.push(`${name}${s}`);
      await new Promise((r) => setTimeout(r, delayMs));
    }
  } finally {
    gate.finish(name);
  }
}

describe('TurnGate (compare mode)', () => {
  it('alternates A, B, A, B even when B is faster, and holds the turn during the async work after a step', async () => {
    const gate = new TurnGate();
    const log: string[] = [];
    await Promise.all([lane(gate, 'B', 3, log, 0), lane(gate, 'A', 3, log, 5)]);
    expect(log).toEqual(['A0', 'B0', 'A1', 'B1', 'A2', 'B2']);
  });

  it('a finished lane releases the other, which then runs alone', async () => {
    const gate = new TurnGate();
    const log: string[] = [];
    await Promise.all([lane(gate, 'A', 1, log, 0), lane(gate, 'B', 4, log, 0)]);
    expect(log).toEqual(['A0', 'B0', 'B1', 'B2', 'B3']);
  });

  it('a lane that fails before its first step never blocks the other', async () => {
    const gate = new TurnGate();
    const log: string[] = [];
    gate.finish('A');
    await lane(gate, 'B', 2, log, 0);
    expect(log).toEqual(['B0', 'B1']);
    await expect(gate.acquire('A')).rejects.toThrow(/already finished/);
  });
});
