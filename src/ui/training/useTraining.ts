import { useCallback, useState } from 'react';
import type { RunRecord, SettingsChange, TrainOutcome, TrainProgress, TrainSettings } from '../../protocol/api';
import { EMPTY_TRAINING_VIEW, foldTrainProgress, type HistoryPoint, type TrainingView } from './trainingView';
import type { EngineHandle } from '../useEngine';
import { errorMessage } from '../common/format';
import { restoredRunView, type RestoredRunInfo } from '../runs/restoredRun';
import { runPhase, type RunPhase } from '../common/streamedJob';
import { useStreamedJob } from '../common/useStreamedJob';

export type RunState = RunPhase;

/** Slow-motion delay between steps when the toggle is on (our choice: 1 s, long enough to follow the phases). */
export const SLOW_MOTION_MS = 1000;

export interface TrainingState {
  readonly state: RunState;
  readonly progress: TrainProgress | null;
  readonly history: readonly HistoryPoint[];
  readonly outcome: TrainOutcome | null;
  readonly error: string | null;
  /** Live changes of the current / last run with the step they took effect (chart markers). */
  readonly changes: readonly SettingsChange[];
  /** Last failure of a live control (step, slow motion, learning rate); the run goes on. */
  readonly liveError: string | null;
  /** Slow motion on (a delay before each step). */
  readonly slowMotion: boolean;
  /** The panels show a stored run (restored after a reload or selected in the Runs drawer), not a run of this page. */
  readonly restored: RestoredRunInfo | null;
  start(settings: TrainSettings): void;
  pause(): void;
  resume(): void;
  cancel(): void;
  /** One step, then pause (while running: pauses). */
  step(): void;
  setSlowMotion(on: boolean): void;
  /** Sends a new base learning rate to the running run (applied at its next step). */
  setLearningRate(lr: number): void;
  /**
   * Shows a stored run as the finished one (its curve, outcome and watermark report), once the
   * worker holds its model (`selectRun`). Ignored while a run is going.
   */
  showRun(record: RunRecord): void;
}

/** Drives one training run in the worker and collects its progress history for the charts. */
export function useTraining(engine: EngineHandle): TrainingState {
  const job = useStreamedJob<TrainProgress, TrainOutcome, TrainingView>({ initial: EMPTY_TRAINING_VIEW, fold: foldTrainProgress, cancel: () => engine.cancel() });
  const { start: startJob, setPaused, setError, show, isRunning } = job;
  const [slowMotion, setSlow] = useState(false);
  const [liveError, setLiveError] = useState<string | null>(null);
  const [restored, setRestored] = useState<RestoredRunInfo | null>(null);

  const start = useCallback(
    (settings: TrainSettings) => {
      if (isRunning()) return;
      setLiveError(null);
      setRestored(null);
      startJob((onProgress) => engine.train(settings, onProgress), EMPTY_TRAINING_VIEW);
    },
    [engine, startJob, isRunning],
  );

  const pause = useCallback(() => {
    engine.pause().then(() => setPaused(true), (e: unknown) => setError(errorMessage(e)));
  }, [engine, setPaused, setError]);
  const resume = useCallback(() => {
    engine.resume().then(() => setPaused(false), (e: unknown) => setError(errorMessage(e)));
  }, [engine, setPaused, setError]);
  const step = useCallback(() => {
    if (!isRunning()) return;
    engine.stepTraining().then(() => setPaused(true), (e: unknown) => setLiveError(errorMessage(e)));
  }, [engine, isRunning, setPaused]);
  const setSlowMotion = useCallback(
    (on: boolean) => {
      setSlow(on);
      engine.setSlowMotion(on ? SLOW_MOTION_MS : 0).catch((e: unknown) => setLiveError(errorMessage(e)));
    },
    [engine],
  );
  const setLearningRate = useCallback(
    (lr: number) => {
      if (!isRunning()) return;
      engine.setLearningRate(lr).catch((e: unknown) => setLiveError(errorMessage(e)));
    },
    [engine, isRunning],
  );

  const showRun = useCallback(
    (record: RunRecord) => {
      const v = restoredRunView(record);
      if (!show({ progress: null, history: [...v.history], changes: [] }, v.outcome)) return;
      setLiveError(null);
      setRestored(v.info);
    },
    [show],
  );

  const { progress, history, changes } = job.view;
  return {
    state: runPhase(job), progress, history, outcome: job.outcome, error: job.error, liveError, changes, slowMotion, restored,
    start, pause, resume, cancel: job.cancel, step, setSlowMotion, setLearningRate, showRun,
  };
}
