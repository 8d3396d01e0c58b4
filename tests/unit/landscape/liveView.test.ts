import { describe, expect, it } from 'vitest';
import { LIVE_DEFAULTS, applyLiveEvent, liveSettingsProblem } from '../../../src/ui/landscape/LandscapeLiveState';
import type { LiveLandscapeEvent, LiveLandscapePointData } from '../../../src/protocol/api';
import { DEFAULT_LIVE_LANDSCAPE, validateLiveLandscapeSettings } from '../../../src/workers/landscape/liveLandscapeRun';

const point = (step: number, key: number, complement: number): LiveLandscapePointData => ({
  step, alphas: [-1, 0, 1], lossKey: [2, 1, 2], lossComplement: [1.1, 1, 1.1], baseLoss: 1, baseAccuracy: 0.5,
  sharpness: { key, complement, ratio: complement > 0 ? key / complement : key > 0 ? Infinity : NaN, radius: 1 }, ms: 3, pauses: 1, maxPauseMs: 3,
});

describe('Landscape panel, live view state', () => {
  it('starts a history at `start`, appends points of that run, ignores older runs, keeps the error', () => {
    const start = (run: number): LiveLandscapeEvent => ({ kind: 'start', run, totalSteps: 10, evalSize: 16, settings: LIVE_DEFAULTS });
    let v = applyLiveEvent(null, { kind: 'point', run: 1, totalSteps: 10, point: point(0, 1, 1) });
    expect(v).toBeNull(); // no run started yet
    v = applyLiveEvent(v, start(1));
    v = applyLiveEvent(v, { kind: 'point', run: 1, totalSteps: 10, point: point(0, 1, 0.5) });
    v = applyLiveEvent(v, { kind: 'point', run: 1, totalSteps: 10, point: point(5, 1, 0) });
    expect(v!.history.map((r) => [r.step, r.ratio])).toEqual([[0, 2], [5, null]]); // Infinity is not charted
    expect(v!.latest!.step).toBe(5);
    v = applyLiveEvent(v, start(2));
    expect(v!.history).toEqual([]);
    expect(v!.latest).toBeNull();
    v = applyLiveEvent(v, { kind: 'point', run: 1, totalSteps: 10, point: point(10, 1, 1) });
    expect(v!.history).toEqual([]);
    v = applyLiveEvent(v, { kind: 'error', run: 2, message: 'live landscape stopped: x' });
    expect(v!.error).toBe('live landscape stopped: x');
  });

  it('the panel checks the same settings as the worker', () => {
    expect(LIVE_DEFAULTS).toEqual(DEFAULT_LIVE_LANDSCAPE);
    const cases = [{}, { every: 0 }, { every: -1 }, { every: 2.5 }, { grid: 4 }, { grid: 33 }, { radius: 0 }, { radius: NaN }, { evalSize: 0 }, { evalSize: 2000 }];
    for (const c of cases) {
      const s = { ...LIVE_DEFAULTS, ...c };
      let workerOk = true;
      try {
        validateLiveLandscapeSettings(s);
      } catch {
        workerOk = false;
      }
      expect(liveSettingsProblem(s) === null, JSON.stringify(c)).toBe(workerOk);
    }
  });
});
