import { describe, expect, it } from 'vitest';
import { RunControl, autoWarmupSteps, learningRateAt, namedSchedule, validateSchedule } from '../../../src/engine/train';

const timing = { totalSteps: 101, stepsPerEpoch: 10 };

describe('learning-rate schedules', () => {
  it('constant', () => {
    expect(learningRateAt({ kind: 'constant' }, 0.1, 0, timing)).toBe(0.1);
    expect(learningRateAt({ kind: 'constant' }, 0.1, 100, timing)).toBe(0.1);
  });

  it('step: gamma at each milestone epoch', () => {
    const s = { kind: 'step', milestones: [3, 6], gamma: 0.1 } as const;
    expect(learningRateAt(s, 1, 0, timing)).toBe(1);
    expect(learningRateAt(s, 1, 29, timing)).toBe(1);
    expect(learningRateAt(s, 1, 30, timing)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(s, 1, 59, timing)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(s, 1, 60, timing)).toBeCloseTo(0.01, 12);
  });

  it('cosine without warmup: base at 0, half at the middle, minLr at the end', () => {
    const s = { kind: 'cosine', minLr: 0.001 } as const;
    expect(learningRateAt(s, 0.1, 0, timing)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(s, 0.1, 50, timing)).toBeCloseTo(0.0505, 12);
    expect(learningRateAt(s, 0.1, 100, timing)).toBeCloseTo(0.001, 12);
  });

  it('cosine with warmup: linear ramp then decay', () => {
    const s = { kind: 'cosine', warmupSteps: 4 } as const;
    [0.05, 0.1, 0.15, 0.2].forEach((v, i) => expect(learningRateAt(s, 0.2, i, timing)).toBeCloseTo(v, 12));
    expect(learningRateAt(s, 0.2, 4, timing)).toBeCloseTo(0.2, 12);
    expect(learningRateAt(s, 0.2, 100, timing)).toBeCloseTo(0, 12);
    const mid = learningRateAt(s, 0.2, 52, timing);
    expect(mid).toBeCloseTo(0.1, 12);
  });

  it('warm-up ramps every kind linearly, then the schedule proper', () => {
    for (const s of [{ kind: 'constant', warmupSteps: 4 }, { kind: 'step', milestones: [5], gamma: 0.1, warmupSteps: 4 }] as const) {
      [0.05, 0.1, 0.15, 0.2].forEach((v, i) => expect(learningRateAt(s, 0.2, i, timing)).toBeCloseTo(v, 12));
      expect(learningRateAt(s, 0.2, 4, timing)).toBeCloseTo(0.2, 12);
    }
    expect(learningRateAt({ kind: 'step', milestones: [5], gamma: 0.1, warmupSteps: 4 }, 0.2, 50, timing)).toBeCloseTo(0.02, 12);
  });

  it("'auto' warm-up: a quarter of the run, at least 16 steps (all of a shorter run), at most 100", () => {
    expect([0, 2, 10, 40, 62, 156, 400, 11_700].map(autoWarmupSteps)).toEqual([0, 2, 10, 16, 16, 39, 100, 100]);
    const s = { kind: 'cosine', warmupSteps: 'auto' } as const;
    const run = { totalSteps: 62, stepsPerEpoch: 31 };
    expect(learningRateAt(s, 0.05, 0, run)).toBeCloseTo(0.05 / 16, 12);
    expect(learningRateAt(s, 0.05, 15, run)).toBeCloseTo(0.05, 12);
    expect(learningRateAt(s, 0.05, 61, run)).toBeCloseTo(0, 12);
    expect(() => validateSchedule(s)).not.toThrow();
    expect(namedSchedule('constant', 2, 'auto')).toEqual({ kind: 'constant', warmupSteps: 'auto' });
  });

  it('named schedules: one definition for the CLI and the training form', () => {
    expect(namedSchedule('step', 3)).toEqual({ kind: 'step', milestones: [2], gamma: 0.1 });
    expect(namedSchedule('step', 4)).toEqual({ kind: 'step', milestones: [2, 3], gamma: 0.1 });
    expect(namedSchedule('step', 1)).toEqual({ kind: 'step', milestones: [], gamma: 0.1 });
    expect(namedSchedule('cosine', 2, 16)).toEqual({ kind: 'cosine', warmupSteps: 16 });
    expect(namedSchedule('constant', 2)).toEqual({ kind: 'constant' });
  });

  it('validation', () => {
    expect(() => validateSchedule({ kind: 'step', milestones: [1], gamma: 0 })).toThrow(/gamma/);
    expect(() => validateSchedule({ kind: 'cosine', warmupSteps: -1 })).toThrow(/warmup/);
    expect(() => validateSchedule({ kind: 'constant', warmupSteps: Number.NaN })).toThrow(/warmup/);
    expect(() => validateSchedule({ kind: 'nope' } as never)).toThrow(/unknown/);
  });
});

describe('RunControl', () => {
  it('checkpoint waits while paused and reports cancel', async () => {
    const c = new RunControl();
    expect(await c.checkpoint()).toBe(true);
    c.pause();
    let resolved: boolean | null = null;
    const p = c.checkpoint().then((v) => (resolved = v));
    await new Promise((r) => setTimeout(r, 20));
    expect(resolved).toBe(null);
    c.resume();
    await p;
    expect(resolved).toBe(true);
    c.pause();
    const q = c.checkpoint();
    c.cancel();
    expect(await q).toBe(false);
    expect(c.state).toBe('cancelled');
    c.resume();
    expect(c.state).toBe('cancelled');
  });
});
