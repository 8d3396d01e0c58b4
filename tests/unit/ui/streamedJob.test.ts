import { describe, expect, it } from 'vitest';
import { initialJobState, jobReducer, runPhase, type JobAction, type JobState } from '../../../src/ui/common/streamedJob';
import { EMPTY_TRAINING_VIEW, foldTrainProgress } from '../../../src/ui/training/trainingView';
import { emptyLanes, foldCompareEvent } from '../../../src/ui/compare-mode/compareLanes';
import { emptyLive, foldLandscapeEvent, settleLandscape } from '../../../src/ui/landscape/LandscapeRunState';
import type { TrainProgress } from '../../../src/protocol/api';

interface Outcome {
  readonly cancelled: boolean;
  readonly n: number;
}
type S = JobState<readonly number[], Outcome>;
type A = JobAction<readonly number[], Outcome>;

const append = (n: number) => (v: readonly number[]) => [...v, n];
const apply = (actions: readonly A[], s: S = initialJobState<readonly number[], Outcome>([])) => actions.reduce<S>(jobReducer, s);

describe('streamed job state machine', () => {
  it('starts idle with the initial view', () => {
    const s = initialJobState<readonly number[], Outcome>([7]);
    expect(s).toEqual({ status: 'idle', run: 0, paused: false, view: [7], outcome: null, error: null });
    expect(runPhase(s)).toBe('idle');
  });

  it('runs: start clears the last outcome and error, events fold in, the outcome ends it', () => {
    let s = apply([
      { type: 'start', run: 1, view: [] },
      { type: 'event', run: 1, update: append(1) },
      { type: 'fail', run: 1, error: 'boom' },
    ]);
    expect(s.status).toBe('error');
    expect(s.error).toBe('boom');
    expect(s.view).toEqual([1]); // what arrived before the failure stays
    expect(runPhase(s)).toBe('failed');
    s = apply([{ type: 'start', run: 2, view: [0] }], s);
    expect(s).toMatchObject({ status: 'running', run: 2, view: [0], outcome: null, error: null });
    expect(runPhase(s)).toBe('running');
    s = apply([{ type: 'event', run: 2, update: append(5) }, { type: 'done', run: 2, outcome: { cancelled: false, n: 1 } }], s);
    expect(s).toMatchObject({ status: 'done', view: [0, 5], outcome: { n: 1 }, error: null });
    expect(runPhase(s)).toBe('finished');
  });

  it('a cancelled outcome ends in cancelled and keeps the view; settle folds the outcome in', () => {
    const s = apply([
      { type: 'start', run: 1, view: [] },
      { type: 'event', run: 1, update: append(3) },
      { type: 'done', run: 1, outcome: { cancelled: true, n: 9 }, settle: (v, o) => [...v, o.n] },
    ]);
    expect(s.status).toBe('cancelled');
    expect(s.view).toEqual([3, 9]);
    expect(s.outcome).toEqual({ cancelled: true, n: 9 });
    expect(runPhase(s)).toBe('finished');
  });

  it('drops events and endings of an older run', () => {
    const s = apply([
      { type: 'start', run: 1, view: [] },
      { type: 'start', run: 2, view: [] },
      { type: 'event', run: 1, update: append(1) },
      { type: 'done', run: 1, outcome: { cancelled: false, n: 1 } },
      { type: 'fail', run: 1, error: 'late' },
      { type: 'paused', run: 1, paused: true },
    ]);
    expect(s).toMatchObject({ status: 'running', run: 2, paused: false, view: [], outcome: null, error: null });
  });

  it("keeps the current run's events that arrive after its reply, but not a second ending", () => {
    const s = apply([
      { type: 'start', run: 1, view: [] },
      { type: 'done', run: 1, outcome: { cancelled: false, n: 1 } },
      { type: 'event', run: 1, update: append(4) },
      { type: 'fail', run: 1, error: 'late' },
      { type: 'done', run: 1, outcome: { cancelled: true, n: 2 } },
    ]);
    expect(s).toMatchObject({ status: 'done', view: [4], outcome: { n: 1 }, error: null });
  });

  it('pauses and resumes only a running run', () => {
    let s = apply([{ type: 'start', run: 1, view: [] }, { type: 'paused', run: 1, paused: true }]);
    expect(s.paused).toBe(true);
    expect(runPhase(s)).toBe('paused');
    s = apply([{ type: 'paused', run: 1, paused: false }], s);
    expect(runPhase(s)).toBe('running');
    s = apply([{ type: 'paused', run: 1, paused: true }, { type: 'done', run: 1, outcome: { cancelled: false, n: 0 } }, { type: 'paused', run: 1, paused: true }], s);
    expect(s.paused).toBe(false);
    expect(runPhase(s)).toBe('finished');
  });

  it('a control error shows without ending the run; start clears it', () => {
    let s = apply([{ type: 'start', run: 1, view: [] }, { type: 'error', error: 'pause failed' }]);
    expect(s).toMatchObject({ status: 'running', error: 'pause failed' });
    expect(apply([{ type: 'error', error: 'pause failed' }], s)).toBe(s);
    s = apply([{ type: 'error', error: null }], s);
    expect(s.error).toBeNull();
  });

  it('shows a finished run from elsewhere as a new run', () => {
    const s = apply([
      { type: 'start', run: 1, view: [] },
      { type: 'fail', run: 1, error: 'x' },
      { type: 'show', run: 2, view: [1, 2], outcome: { cancelled: false, n: 3 } },
      { type: 'event', run: 1, update: append(9) },
    ]);
    expect(s).toEqual({ status: 'done', run: 2, paused: false, view: [1, 2], outcome: { cancelled: false, n: 3 }, error: null });
  });
});

const progress = (p: Partial<TrainProgress>): TrainProgress => ({
  phase: 'training', step: 1, totalSteps: 10, epoch: 0, epochs: 1, loss: 1, accuracy: 0.5, learningRate: 0.1, imagesPerSecond: null, etaSeconds: null, elapsedSeconds: 0, ...p,
});

describe('training view', () => {
  it('adds one curve point per step of the training phase and keeps the last live changes', () => {
    let v = foldTrainProgress(EMPTY_TRAINING_VIEW, progress({ phase: 'preparing', step: 0, loss: null }));
    expect(v.history).toEqual([]);
    v = foldTrainProgress(v, progress({ step: 1, loss: 2, accuracy: 0.1, settingsChanges: [{ step: 1, changes: { learningRate: 0.01 } }] }));
    v = foldTrainProgress(v, progress({ phase: 'paused', step: 1, loss: 2, accuracy: 0.1 })); // the same step twice: one point
    v = foldTrainProgress(v, progress({ step: 2, loss: 1.5, accuracy: 0.2 }));
    v = foldTrainProgress(v, progress({ phase: 'done', step: 2, loss: 1.4 }));
    expect(v.history).toEqual([
      { step: 1, loss: 2, accuracy: 0.1 },
      { step: 2, loss: 1.5, accuracy: 0.2 },
    ]);
    expect(v.changes).toEqual([{ step: 1, changes: { learningRate: 0.01 } }]);
    expect(v.progress?.phase).toBe('done');
  });
});

describe('compare mode lanes', () => {
  it('routes each event to its run', () => {
    let l = emptyLanes(3);
    expect(l.A.sliceKey).toEqual([null, null, null]);
    l = foldCompareEvent(l, { kind: 'train', lane: 'B', progress: progress({ step: 1, loss: 1 }) });
    l = foldCompareEvent(l, { kind: 'phase', lane: 'B', phase: 'landscape' });
    l = foldCompareEvent(l, { kind: 'landscape', lane: 'B', event: { kind: 'slice', subspace: 'complement', index: 2, alpha: 1, loss: 0.7, accuracy: 0.5, done: 1, total: 6 } });
    expect(l.A).toEqual(emptyLanes(3).A);
    expect(l.B.phase).toBe('landscape');
    expect(l.B.history).toEqual([{ step: 1, loss: 1, accuracy: 0.5 }]);
    expect(l.B.sliceComplement).toEqual([null, null, 0.7]);
    l = foldCompareEvent(l, { kind: 'train', lane: 'A', progress: progress({ phase: 'cancelled', step: 1 }) });
    expect(l.A.phase).toBe('cancelled');
  });
});

describe('landscape run view', () => {
  it('fills slices and cells, then marks the run done', () => {
    let v = foldLandscapeEvent(null, { kind: 'sharpness' });
    expect(v).toBeNull();
    v = emptyLive({ radius: 2, grid: 3, dims: 2, evalSize: 8, seed: 0, eigenIters: 0 });
    expect(v.alphas).toEqual([-2, 0, 2]);
    expect(v.total).toBe(2 * 3 + 9);
    v = foldLandscapeEvent(v, { kind: 'slice', subspace: 'key', index: 1, alpha: 0, loss: 0.5, accuracy: 0.9, done: 1, total: 15 });
    v = foldLandscapeEvent(v, { kind: 'cell', i: 2, j: 1, alpha: 2, beta: 0, loss: 100, accuracy: 0.1, done: 2, total: 15 });
    expect(v?.key).toEqual([null, 0.5, null]);
    expect(v?.cells[1 * 3 + 2]).toBe(2);
    expect(v?.phase).toBe('grid');
    expect(v?.done).toBe(2);
    v = foldLandscapeEvent(v, { kind: 'sharpness' });
    expect(v?.phase).toBe('sharpness');
    expect(settleLandscape(v)?.phase).toBe('done');
    expect(settleLandscape(null)).toBeNull();
  });
});
