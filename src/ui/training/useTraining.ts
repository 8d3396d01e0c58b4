import { useCallback, useRef, useState } from 'react';
import type { RunRecord, SettingsChange, TrainOutcome, TrainProgress, TrainSettings } from '../../protocol/api';
import type { EngineHandle } from '../useEngine';
import { proxyCallback } from '../useEngine';
import type { HistoryPoint } from './TrainingCharts';
import { errorMessage } from '../common/format';
import { restoredRunView, type RestoredRunInfo } from '../runs/restoredRun';

export type RunState = 'idle' | 'running' | 'paused' | 'finished' | 'failed';

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
  const [state, setState] = useState<RunState>('idle');
  const [progress, setProgress] = useState<TrainProgress | null>(null);
  const [history, setHistory] = useState<HistoryPoint[]>([]);
  const [outcome, setOutcome] = useState<TrainOutcome | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [changes, setChanges] = useState<readonly SettingsChange[]>([]);
  const [slowMotion, setSlow] = useState(false);
  const [liveError, setLiveError] = useState<string | null>(null);
  const [restored, setRestored] = useState<RestoredRunInfo | null>(null);
  const running = useRef(false);

  const start = useCallback(
    (settings: TrainSettings) => {
      if (running.current) return;
      running.current = true;
      setState('running');
      setProgress(null);
      setHistory([]);
      setChanges([]);
      setOutcome(null);
      setError(null);
      setLiveError(null);
      setRestored(null);
      const onProgress = proxyCallback((p: TrainProgress) => {
        setProgress(p);
        if (p.settingsChanges) setChanges(p.settingsChanges);
        if ((p.phase === 'training' || p.phase === 'paused') && p.loss !== null) {
          // a step reported twice (e.g. a single step while paused, then the resume) keeps one point
          setHistory((h) => (h.length > 0 && h[h.length - 1].step === p.step ? h : [...h, { step: p.step, loss: p.loss, accuracy: p.accuracy }]));
        }
      });
      engine
        .train(settings, onProgress)
        .then((o) => {
          setOutcome(o);
          setState('finished');
        })
        .catch((e: unknown) => {
          setError(errorMessage(e));
          setState('failed');
        })
        .finally(() => {
          running.current = false;
        });
    },
    [engine],
  );

  const pause = useCallback(() => {
    engine.pause().then(() => setState((s) => (s === 'running' ? 'paused' : s)), (e: unknown) => setError(errorMessage(e)));
  }, [engine]);
  const resume = useCallback(() => {
    engine.resume().then(() => setState((s) => (s === 'paused' ? 'running' : s)), (e: unknown) => setError(errorMessage(e)));
  }, [engine]);
  const cancel = useCallback(() => {
    engine.cancel().catch((e: unknown) => setError(errorMessage(e)));
  }, [engine]);
  const step = useCallback(() => {
    if (!running.current) return;
    engine.stepTraining().then(() => setState((s) => (s === 'running' ? 'paused' : s)), (e: unknown) => setLiveError(errorMessage(e)));
  }, [engine]);
  const setSlowMotion = useCallback(
    (on: boolean) => {
      setSlow(on);
      engine.setSlowMotion(on ? SLOW_MOTION_MS : 0).catch((e: unknown) => setLiveError(errorMessage(e)));
    },
    [engine],
  );
  const setLearningRate = useCallback(
    (lr: number) => {
      if (!running.current) return;
      engine.setLearningRate(lr).catch((e: unknown) => setLiveError(errorMessage(e)));
    },
    [engine],
  );

  const showRun = useCallback((record: RunRecord) => {
    if (running.current) return;
    const v = restoredRunView(record);
    setState('finished');
    setProgress(null);
    setHistory([...v.history]);
    setChanges([]);
    setOutcome(v.outcome);
    setError(null);
    setLiveError(null);
    setRestored(v.info);
  }, []);

  return { state, progress, history, outcome, error, liveError, changes, slowMotion, restored, start, pause, resume, cancel, step, setSlowMotion, setLearningRate, showRun };
}
