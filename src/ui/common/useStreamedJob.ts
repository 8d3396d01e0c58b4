/**
 * The lifecycle of a streamed worker job (training, compare mode, attack sweep, landscape,
 * stress, runs comparison): start it with a proxied event callback, fold its events into a view,
 * keep its outcome or error, cancel it; a run at a time, late messages of an older run and
 * anything after unmount are dropped. The state machine is the pure `jobReducer` (streamedJob.ts).
 */
import { useCallback, useEffect, useReducer, useRef } from 'react';
import type { ProxyMarked } from 'comlink';
import { proxyCallback } from '../useEngine';
import { errorMessage } from './format';
import { initialJobState, jobReducer, type JobOutcome, type JobState } from './streamedJob';

export interface StreamedJobOptions<E, O, V> {
  /** The view before the first run. */
  readonly initial: V;
  /** Folds one streamed event into the view (pure). */
  readonly fold: (view: V, event: E) => V;
  /** Folds the outcome into the view when a run ends (pure; optional). */
  readonly settle?: (view: V, outcome: O) => V;
  /** Asks the worker to stop the job; a failure shows as the job's error. */
  readonly cancel: () => Promise<unknown>;
  /** Also stop the job in the worker when the component unmounts (failures ignored). */
  readonly cancelOnUnmount?: boolean;
}

export interface StreamedJob<E, O, V> extends JobState<V, O> {
  /** A run is going (started and not yet answered). */
  readonly running: boolean;
  /**
   * Starts a run unless one is going (then false): `run` gets the proxied event callback and
   * returns the worker's reply; `view` is the new run's empty view; `onOutcome` gets the outcome
   * (only while mounted and the run is the current one).
   */
  start(run: (onEvent: ((event: E) => void) & ProxyMarked) => Promise<O>, view: V, onOutcome?: (outcome: O) => void): boolean;
  cancel(): void;
  /** The worker paused (true) or resumed (false) the running job. */
  setPaused(paused: boolean): void;
  /** Sets or clears the error without touching the run (a failed control or side query). */
  setError(message: string | null): void;
  /** Shows a finished run from elsewhere (view and outcome) unless a run is going (then false). */
  show(view: V, outcome: O): boolean;
  /** Whether a run is going right now (for callbacks; the same as `running` after a render). */
  isRunning(): boolean;
}

/** One streamed job at a time (see the module comment). */
export function useStreamedJob<E, O extends JobOutcome, V>(options: StreamedJobOptions<E, O, V>): StreamedJob<E, O, V> {
  const [state, dispatch] = useReducer(jobReducer<V, O>, options.initial, initialJobState<V, O>);
  const latest = useRef(options);
  useEffect(() => {
    latest.current = options;
  });
  const runs = useRef(0);
  const inFlight = useRef(false);
  const mounted = useRef(true);
  const cancelOnUnmount = options.cancelOnUnmount === true;
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      if (cancelOnUnmount) latest.current.cancel().catch(() => undefined);
    };
  }, [cancelOnUnmount]);

  const start = useCallback((run: (onEvent: ((event: E) => void) & ProxyMarked) => Promise<O>, view: V, onOutcome?: (outcome: O) => void) => {
    if (inFlight.current) return false;
    inFlight.current = true;
    const id = ++runs.current;
    const { fold, settle } = latest.current;
    dispatch({ type: 'start', run: id, view });
    const onEvent = proxyCallback((event: E) => dispatch({ type: 'event', run: id, update: (v) => fold(v, event) }));
    let reply: Promise<O>;
    try {
      reply = run(onEvent);
    } catch (e) {
      reply = Promise.reject(e);
    }
    reply
      .then(
        (outcome) => {
          dispatch({ type: 'done', run: id, outcome, ...(settle ? { settle } : {}) });
          if (mounted.current && runs.current === id) onOutcome?.(outcome);
        },
        (e: unknown) => dispatch({ type: 'fail', run: id, error: errorMessage(e) }),
      )
      .finally(() => {
        inFlight.current = false;
      });
    return true;
  }, []);

  const cancel = useCallback(() => {
    latest.current.cancel().catch((e: unknown) => dispatch({ type: 'error', error: errorMessage(e) }));
  }, []);
  const setPaused = useCallback((paused: boolean) => dispatch({ type: 'paused', run: runs.current, paused }), []);
  const setError = useCallback((error: string | null) => dispatch({ type: 'error', error }), []);
  const show = useCallback((view: V, outcome: O) => {
    if (inFlight.current) return false;
    dispatch({ type: 'show', run: ++runs.current, view, outcome });
    return true;
  }, []);
  const isRunning = useCallback(() => inFlight.current, []);

  return { ...state, running: state.status === 'running', start, cancel, setPaused, setError, show, isRunning };
}
