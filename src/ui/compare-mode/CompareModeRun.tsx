/**
 * Compare mode's run state in the page: drives one comparison in the worker (startCompare) and
 * collects, per run (A and B), the training curve, the landscape slices and the attack points.
 */
import { useCallback, useState } from 'react';
import type { CompareEvent, CompareOutcome, CompareRequest } from '../../protocol/api';
import type { EngineHandle } from '../useEngine';
import { errorMessage } from '../common/format';
import { runPhase, type RunPhase } from '../common/streamedJob';
import { useStreamedJob } from '../common/useStreamedJob';
import { emptyLanes, foldCompareEvent, type Lanes } from './compareLanes';

export type { CompareCurvePoint, LanePhase, LaneView, Lanes } from './compareLanes';

export type CompareRunState = RunPhase;

export interface CompareRun {
  readonly state: CompareRunState;
  readonly lanes: Lanes;
  /** The request of the current / last comparison (for the charts' scales). */
  readonly request: CompareRequest | null;
  readonly outcome: CompareOutcome | null;
  readonly error: string | null;
  start(request: CompareRequest): void;
  pause(): void;
  resume(): void;
  cancel(): void;
}

/** Drives one comparison at a time in the worker. */
export function useCompareRun(engine: EngineHandle): CompareRun {
  const job = useStreamedJob<CompareEvent, CompareOutcome, Lanes>({ initial: emptyLanes(0), fold: foldCompareEvent, cancel: () => engine.cancelCompare() });
  const { start: startJob, setPaused, setError, isRunning } = job;
  const [request, setRequest] = useState<CompareRequest | null>(null);

  const start = useCallback(
    (req: CompareRequest) => {
      if (isRunning()) return;
      setRequest(req);
      startJob((onEvent) => engine.startCompare(req, onEvent), emptyLanes(req.landscape?.grid ?? 11));
    },
    [engine, startJob, isRunning],
  );

  const pause = useCallback(() => {
    engine.pauseCompare().then(() => setPaused(true), (e: unknown) => setError(errorMessage(e)));
  }, [engine, setPaused, setError]);
  const resume = useCallback(() => {
    engine.resumeCompare().then(() => setPaused(false), (e: unknown) => setError(errorMessage(e)));
  }, [engine, setPaused, setError]);

  return { state: runPhase(job), lanes: job.view, request, outcome: job.outcome, error: job.error, start, pause, resume, cancel: job.cancel };
}
