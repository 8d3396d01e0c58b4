import type { TrainProgress } from '../../protocol/api';
import { formatDuration, formatRate } from '../common/format';

const PHASE_TEXT: Record<TrainProgress['phase'], string> = {
  preparing: 'Preparing',
  training: 'Training',
  paused: 'Paused',
  evaluating: 'Evaluating on the test set',
  done: 'Done',
  cancelled: 'Cancelled',
};

/** Step progress with epoch, ETA and throughput. */
export function ProgressBar({ progress }: { progress: TrainProgress | null }) {
  const total = progress?.totalSteps ?? 0;
  const step = progress?.step ?? 0;
  const fraction = total > 0 ? Math.min(1, step / total) : 0;
  return (
    <div className="progress" data-testid="progress" data-phase={progress?.phase ?? 'idle'} data-step={step}>
      <div className="progress-text">
        <span>{progress ? PHASE_TEXT[progress.phase] : 'Not started'}</span>
        {progress && (
          <span className="muted">
            step {step} / {total} · epoch {Math.min(progress.epoch, progress.epochs)} / {progress.epochs}
            {progress.imagesPerSecond !== null && <> · {formatRate(progress.imagesPerSecond)}</>}
            {progress.phase === 'training' && <> · ETA {formatDuration(progress.etaSeconds)}</>}
            {' '}· {formatDuration(progress.elapsedSeconds)} elapsed
          </span>
        )}
      </div>
      <div
        className="progress-track"
        role="progressbar"
        aria-label="Training progress"
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={step}
      >
        <div className={`progress-fill progress-${progress?.phase ?? 'idle'}`} style={{ width: `${(fraction * 100).toFixed(1)}%` }} />
      </div>
    </div>
  );
}
