/**
 * The current run across reloads. Our choice: its id lives in the URL hash (`run=<id>`, the
 * lecture registry), next to the controls, so a reload (which keeps the hash) restores the whole
 * view; shared links leave it out (runs live in this browser's IndexedDB only).
 *
 * - a training run that finishes (or a run selected in the Runs drawer, or restored) names its
 *   id in the hash; a training run that starts removes it (the worker drops the old model then);
 * - at page load, once the backend and data are ready, a `run` in the hash is loaded back into
 *   the worker (`selectRun`: model + key) and the panels show its curve and outcome again;
 *   a run that is gone gives a notice, and the view starts empty;
 * - a training run that was going when the tab was reloaded is lost with the worker: a
 *   sessionStorage marker makes the next load say so.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { RunRecord } from '../../protocol/api';
import { errorMessage } from '../common/format';
import type { EngineHandle } from '../useEngine';
import type { TrainingState } from '../training/useTraining';
import { clearTrainingMarker, markTrainingStarted, takeInterruptedTraining } from './trainingMarker';

export interface CurrentRunOptions {
  readonly engine: EngineHandle;
  readonly training: TrainingState;
  /** Backend and data are ready (the restore waits for them). */
  readonly ready: boolean;
  /** The run the hash named when the page loaded (read once). */
  readonly initialRunId: string | undefined;
  /** Names the current run in the hash (null: none). */
  readonly setRun: (id: string | null) => void;
  /** A stored run became the worker's current model (the Attack / Landscape panels ask again). */
  readonly onSelected: (r: RunRecord) => void;
}

export interface CurrentRunState {
  /** Restoring the run of the hash is going. */
  readonly restoring: boolean;
  /** What could not be restored, or null. */
  readonly notice: string | null;
  dismiss(): void;
  /** The Runs drawer loaded a run into the worker: show it as the current run. */
  selected(record: RunRecord): void;
}

export const INTERRUPTED_NOTICE =
  'A training run was going when this page was reloaded: it ran in the page and is lost. Finished runs are kept in the Runs drawer.';

/** Keeps the current run in the hash and restores it at page load (see the file comment). */
export function useCurrentRun({ engine, training, ready, initialRunId, setRun, onSelected }: CurrentRunOptions): CurrentRunState {
  const [initial] = useState(() => ({ id: initialRunId ?? null, interrupted: takeInterruptedTraining() !== null }));
  const [notice, setNotice] = useState<string | null>(initial.interrupted ? INTERRUPTED_NOTICE : null);
  const [settled, setSettled] = useState(false);
  const attempted = useRef(false);
  const { state, outcome, showRun } = training;
  // Training started before the restore replaces the run of the hash (the restore then does nothing).
  const restoring = initial.id !== null && !settled && state === 'idle';
  const active = state === 'running' || state === 'paused';

  // A run that starts drops the current model in the worker: no run in the hash meanwhile.
  useEffect(() => {
    if (active) {
      setRun(null);
      markTrainingStarted();
    } else if (state !== 'idle') clearTrainingMarker();
  }, [active, state, setRun]);

  // A finished (or shown) run with an id is the current one.
  const runId = outcome?.runId;
  useEffect(() => {
    if (runId) setRun(runId);
  }, [runId, setRun]);

  useEffect(() => {
    if (attempted.current || !ready || initial.id === null) return;
    attempted.current = true;
    const id = initial.id;
    if (state !== 'idle') return;
    (async () => {
      // listRuns waits for the stored list; selectRun alone could race it at start.
      const runs = await engine.listRuns();
      const item = runs.find((r) => r.id === id);
      if (!item) {
        setNotice('The run this page showed is no longer in this browser (deleted, or the link comes from another browser): the panels start without a trained model.');
        setRun(null);
        return;
      }
      const record = await engine.selectRun(id);
      showRun(record);
      onSelected(record);
    })()
      .catch((e: unknown) => {
        setNotice(`The run this page showed could not be restored: ${errorMessage(e)}`);
        setRun(null);
      })
      .finally(() => setSettled(true));
  }, [ready, initial.id, state, engine, showRun, onSelected, setRun]);

  const dismiss = useCallback(() => setNotice(null), []);
  const selected = useCallback(
    (record: RunRecord) => {
      showRun(record);
      onSelected(record);
    },
    [showRun, onSelected],
  );
  return { restoring, notice, dismiss, selected };
}
