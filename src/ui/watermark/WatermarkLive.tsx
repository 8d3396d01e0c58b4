/** The live watermark state of the running (or last) run: BER (WaterMAS, Uchida) or trigger accuracy (FCW). */
import type { WatermarkProgress } from '../../protocol/api';
import { formatPercent } from '../common/format';

interface WatermarkLiveProps {
  /** The last live report (null: none yet). */
  readonly progress: WatermarkProgress | null;
  /** The method of the run the reports come from. */
  readonly method: 'watermas' | 'uchida' | 'fcw';
}

/** One line of live evidence, updated at every progress report. */
export function WatermarkLive({ progress, method }: WatermarkLiveProps) {
  const waiting = 'waiting for the first report…';
  if (method === 'fcw') {
    const t = progress?.triggerAccuracy;
    return (
      <div className="wm-live" aria-live="polite">
        <span>
          Trigger accuracy now:{' '}
          <strong data-testid="watermark-trigger-accuracy" data-value={t ? t.accuracy : ''}>
            {t ? `${formatPercent(t.accuracy, 1)} (${t.hits}/${t.n} to the target)` : waiting}
          </strong>
        </span>
        {progress && <span className="muted small">masking events so far: {progress.maskEvents ?? 0}</span>}
      </div>
    );
  }
  return (
    <div className="wm-live" aria-live="polite">
      <span>
        BER now:{' '}
        <strong data-testid="watermark-ber" data-value={progress ? progress.ber : ''}>
          {progress ? `${formatPercent(progress.ber, 2)} (${progress.errors}/${progress.bits})` : waiting}
        </strong>
      </span>
      {method === 'watermas' && (
        <span>
          Marked weights:{' '}
          <strong data-testid="watermark-frozen" data-value={progress ? String(progress.frozenUnchanged) : ''} className={progress && !progress.frozenUnchanged ? 'wm-no' : 'wm-yes'}>
            {progress ? (progress.frozenUnchanged ? 'unchanged ✓' : 'CHANGED ✗') : '–'}
          </strong>
        </span>
      )}
      {progress && method === 'watermas' && (
        <span className="muted small">
          R {progress.settings.replicas} · σ {progress.settings.sigma} · λ {progress.settings.lambda} · m{' '}
          {Number.isFinite(progress.settings.margin) ? progress.settings.margin : 'off'}
          {progress.settingsSinceStep > 0 ? ` since step ${progress.settingsSinceStep}` : ''}
          {progress.metrics.gap !== undefined && ` · replica gap ${progress.metrics.gap.toFixed(3)}`}
        </span>
      )}
      {progress && method === 'uchida' && progress.metrics.uchidaLoss !== undefined && (
        <span className="muted small">
          λ {progress.settings.lambda} · regulariser (BCE sum) {progress.metrics.uchidaLoss.toFixed(3)}
        </span>
      )}
    </div>
  );
}
