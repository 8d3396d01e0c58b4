/** What a training run's progress reports build up for the panels (pure: no React), tested in tests/unit/ui. */
import type { SettingsChange, TrainProgress } from '../../protocol/api';

/** One progress report as a chart point. */
export interface HistoryPoint {
  readonly step: number;
  readonly loss: number | null;
  readonly accuracy: number | null;
}

/** What a training run's reports build up: the last report, the curve and the live changes. */
export interface TrainingView {
  readonly progress: TrainProgress | null;
  readonly history: readonly HistoryPoint[];
  readonly changes: readonly SettingsChange[];
}

export const EMPTY_TRAINING_VIEW: TrainingView = { progress: null, history: [], changes: [] };

/** The view after one progress report (pure). */
export function foldTrainProgress(v: TrainingView, p: TrainProgress): TrainingView {
  // a step reported twice (e.g. a single step while paused, then the resume) keeps one point
  const h = v.history;
  const history =
    (p.phase === 'training' || p.phase === 'paused') && p.loss !== null && !(h.length > 0 && h[h.length - 1].step === p.step)
      ? [...h, { step: p.step, loss: p.loss, accuracy: p.accuracy }]
      : h;
  return { progress: p, history, changes: p.settingsChanges ?? v.changes };
}
