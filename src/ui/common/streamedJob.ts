/**
 * The state machine of a streamed worker job (pure: no React, no worker), driven by
 * useStreamedJob: idle → running → done | cancelled | error, with the run's streamed events
 * folded into a view. Every run has a number; events and endings of another run are dropped
 * (a late message of an older run never lands in the new one).
 */

export type JobStatus = 'idle' | 'running' | 'done' | 'error' | 'cancelled';

/** Every streamed job's outcome says whether it was cancelled (it then holds what was done so far). */
export interface JobOutcome {
  readonly cancelled: boolean;
}

export interface JobState<V, O> {
  readonly status: JobStatus;
  /** Number of the current / last run (0 before the first). */
  readonly run: number;
  /** The running job is paused in the worker (false once it has ended). */
  readonly paused: boolean;
  /** What the run's events built up; kept after the run ends, fails or is cancelled. */
  readonly view: V;
  /** The last run's outcome (null while running, after a failure and before the first run). */
  readonly outcome: O | null;
  /** The run's failure, or a failed control (pause, cancel, a side query) while the run goes on. */
  readonly error: string | null;
}

export type JobAction<V, O> =
  /** A new run (`run` above every earlier one): clears the outcome and the error, `view` is its empty view. */
  | { readonly type: 'start'; readonly run: number; readonly view: V }
  /** One streamed event of run `run`, already turned into an update of the view. */
  | { readonly type: 'event'; readonly run: number; readonly update: (view: V) => V }
  /** Run `run` ended with its outcome (`settle` folds the outcome into the view). */
  | { readonly type: 'done'; readonly run: number; readonly outcome: O; readonly settle?: (view: V, outcome: O) => V }
  | { readonly type: 'fail'; readonly run: number; readonly error: string }
  /** The worker paused / resumed run `run` (ignored once it has ended). */
  | { readonly type: 'paused'; readonly run: number; readonly paused: boolean }
  /** Sets or clears the error without touching the run. */
  | { readonly type: 'error'; readonly error: string | null }
  /** Shows a finished run from elsewhere (e.g. restored from storage) as run `run`. */
  | { readonly type: 'show'; readonly run: number; readonly view: V; readonly outcome: O };

export function initialJobState<V, O>(view: V): JobState<V, O> {
  return { status: 'idle', run: 0, paused: false, view, outcome: null, error: null };
}

/** The job after one action. */
export function jobReducer<V, O extends JobOutcome>(s: JobState<V, O>, a: JobAction<V, O>): JobState<V, O> {
  switch (a.type) {
    case 'start':
      return { status: 'running', run: a.run, paused: false, view: a.view, outcome: null, error: null };
    case 'event':
      // events of the current run still count after its ending (they may arrive after the reply)
      return a.run === s.run ? { ...s, view: a.update(s.view) } : s;
    case 'done':
      if (a.run !== s.run || s.status !== 'running') return s;
      return { ...s, status: a.outcome.cancelled ? 'cancelled' : 'done', paused: false, outcome: a.outcome, view: a.settle ? a.settle(s.view, a.outcome) : s.view };
    case 'fail':
      if (a.run !== s.run || s.status !== 'running') return s;
      return { ...s, status: 'error', paused: false, error: a.error };
    case 'paused':
      return a.run === s.run && s.status === 'running' && s.paused !== a.paused ? { ...s, paused: a.paused } : s;
    case 'error':
      return s.error === a.error ? s : { ...s, error: a.error };
    case 'show':
      return { status: 'done', run: a.run, paused: false, view: a.view, outcome: a.outcome, error: null };
  }
}

/** A run's state as the training and compare controls name it. */
export type RunPhase = 'idle' | 'running' | 'paused' | 'finished' | 'failed';

/** Running (or paused), finished (done or cancelled: the outcome says which) or failed. */
export function runPhase(s: Pick<JobState<unknown, unknown>, 'status' | 'paused'>): RunPhase {
  switch (s.status) {
    case 'idle':
      return 'idle';
    case 'running':
      return s.paused ? 'paused' : 'running';
    case 'error':
      return 'failed';
    case 'done':
    case 'cancelled':
      return 'finished';
  }
}
