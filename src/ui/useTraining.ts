import { useCallback, useRef, useState } from 'react';
import type { TrainOutcome, TrainProgress, TrainSettings } from '../workers/api';
import type { EngineHandle } from './useEngine';
import { proxyCallback } from './useEngine';
import type { HistoryPoint } from './TrainingCharts';
import { errorMessage } from './format';

export type RunState = 'idle' | 'running' | 'paused' | 'finished' | 'failed';

export interface TrainingState {
  readonly state: RunState;
  readonly progress: TrainProgress | null;
  readonly history: readonly HistoryPoint[];
  readonly outcome: TrainOutcome | null;
  readonly error: string | null;
  start(settings: TrainSettings): void;
  pause(): void;
  resume(): void;
  cancel(): void;
}

/** Drives one training run in the worker and collects its progress history for the charts. */
export function useTraining(engine: EngineHandle): TrainingState {
  const [state, setState] = useState<RunState>('idle');
  const [progress, setProgress] = useState<TrainProgress | null>(null);
  const [history, setHistory] = useState<HistoryPoint[]>([]);
  const [outcome, setOutcome] = useState<TrainOutcome | null>(null);
  const [error, setError] = useState<string | null>(null);
  const running = useRef(false);

  const start = useCallback(
    (settings: TrainSettings) => {
      if (running.current) return;
      running.current = true;
      setState('running');
      setProgress(null);
      setHistory([]);
      setOutcome(null);
      setError(null);
      const onProgress = proxyCallback((p: TrainProgress) => {
        setProgress(p);
        if (p.phase === 'training' && p.loss !== null) {
          setHistory((h) => [...h, { step: p.step, loss: p.loss, accuracy: p.accuracy }]);
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

  return { state, progress, history, outcome, error, start, pause, resume, cancel };
}
