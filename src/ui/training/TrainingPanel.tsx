import { useState } from 'react';
import type { ArchSummary, TrainSettings } from '../../protocol/api';
import { TrainingForm, validateSettings } from './TrainingForm';
import { ProgressBar } from './ProgressBar';
import { TrainingCharts } from './TrainingCharts';
import { TrainingSession } from './TrainingSession';
import type { TrainingState } from './useTraining';
import { formatDuration, formatPercent, formatRate } from '../common/format';
import type { CurrentRunState } from '../runs/useCurrentRun';

interface TrainingPanelProps {
  readonly archs: readonly ArchSummary[];
  readonly ready: boolean;
  readonly training: TrainingState;
  readonly settings: TrainSettings;
  readonly onSettings: (s: TrainSettings) => void;
  /** Restoring the current run after a reload (status and notice). */
  readonly restore?: Pick<CurrentRunState, 'restoring' | 'notice' | 'dismiss'>;
}

/** Model + hyper-parameters, run controls, progress, live charts and the final test accuracy. */
export function TrainingPanel({ archs, ready, training, settings, onSettings, restore }: TrainingPanelProps) {
  const [touched, setTouched] = useState(false);
  const active = training.state === 'running' || training.state === 'paused';
  const problem = validateSettings(settings);
  const outcome = training.outcome;
  const shown = training.restored;

  return (
    <section className="panel" aria-labelledby="training-title">
      <div className="panel-head">
        <h2 id="training-title">Training</h2>
        <p className="panel-sub">A fresh model trained in the worker with a hand-written loop; the page stays responsive.</p>
      </div>
      <TrainingForm
        settings={settings}
        archs={archs}
        disabled={active}
        onChange={(s) => {
          setTouched(true);
          onSettings(s);
        }}
      />
      {problem && touched && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      <div className="controls" role="group" aria-label="Run controls">
        <button type="button" className="primary" disabled={!ready || active || problem !== null} onClick={() => training.start(settings)} aria-keyshortcuts="Space">
          Start training
        </button>
        {training.state === 'paused' ? (
          <button type="button" onClick={training.resume}>
            Resume
          </button>
        ) : (
          <button type="button" disabled={training.state !== 'running'} onClick={training.pause}>
            Pause
          </button>
        )}
        <button type="button" disabled={!active} onClick={training.cancel}>
          Cancel
        </button>
      </div>
      <TrainingSession training={training} settings={settings} onSettings={onSettings} />
      <ProgressBar progress={training.progress} />
      {training.error && (
        <p className="error" role="alert" data-testid="train-error">
          Training failed: {training.error}
        </p>
      )}
      {outcome?.diverged && (
        <p className="error" role="alert" data-testid="train-diverged" data-step={outcome.diverged.step} data-checkpoint={outcome.diverged.checkpointStep}>
          {outcome.diverged.message}
        </p>
      )}
      {restore?.restoring && (
        <p className="muted small" role="status" data-testid="restore-status">
          Restoring the run this page showed…
        </p>
      )}
      {restore?.notice && (
        <p className="notice" role="status" data-testid="restore-notice">
          {restore.notice}{' '}
          <button type="button" className="link-button" onClick={restore.dismiss}>
            Dismiss
          </button>
        </p>
      )}
      {shown && (
        <p className="muted small restored-run" data-testid="restored-run" data-run-id={shown.id} data-complete={shown.complete ? 'yes' : 'no'}>
          Showing the stored run <strong data-testid="restored-run-name">{shown.name}</strong> (kept in this browser): its model
          {outcome?.watermark ? ' and key are' : ' is'} loaded again, so the Attack, Landscape and Watermark panels work on it.{shown.complete ? '' : ' Saved before the lab kept full results: summary numbers only.'}
        </p>
      )}
      <TrainingCharts history={training.history} markers={training.changes} />
      {outcome && (
        <div className="result" data-testid="final-result">
          {outcome.cancelled ? (
            <p>
              Cancelled after {outcome.steps} steps ({formatDuration(outcome.seconds)}).
            </p>
          ) : (
            <>
              <div className="result-main">
                <span className="result-label">Test accuracy</span>
                <span className="result-value" data-testid="final-accuracy" data-value={outcome.testAccuracy ?? ''}>
                  {formatPercent(outcome.testAccuracy)}
                </span>
              </div>
              <p className="muted">
                test loss {outcome.testLoss?.toFixed(4) ?? '–'} on {outcome.testImages.toLocaleString('en-US')} images · {outcome.steps} steps
                {shown && !shown.complete ? '' : ` on ${outcome.trainImages.toLocaleString('en-US')} training images`} in {formatDuration(outcome.seconds)}
                {outcome.imagesPerSecond !== null && <> · {formatRate(outcome.imagesPerSecond)}</>} · backend {outcome.backend}
              </p>
            </>
          )}
        </div>
      )}
    </section>
  );
}
