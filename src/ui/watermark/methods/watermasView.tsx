/** WaterMAS in the Watermark panel: the objective fields (live while it runs); BER and the frozen marks live. */
import { WatermarkObjectiveFields } from '../WatermarkObjectiveFields';
import { BitsLive } from './BitsLive';
import type { MethodLiveProps, MethodSettingsProps } from './viewTypes';

export function WatermasSettings({ config, lockedSetup, liveDisabled, liveBadge, update }: MethodSettingsProps) {
  return <WatermarkObjectiveFields config={config} lockedSetup={lockedSetup} marked liveDisabled={liveDisabled} liveBadge={liveBadge} update={update} />;
}

export function WatermasLive({ progress }: MethodLiveProps) {
  return (
    <BitsLive progress={progress}>
      <span>
        Marked weights:{' '}
        <strong data-testid="watermark-frozen" data-value={progress ? String(progress.frozenUnchanged) : ''} className={progress && !progress.frozenUnchanged ? 'wm-no' : 'wm-yes'}>
          {progress ? (progress.frozenUnchanged ? 'unchanged ✓' : 'CHANGED ✗') : '–'}
        </strong>
      </span>
      {progress && (
        <span className="muted small">
          R {progress.settings.replicas} · σ {progress.settings.sigma} · λ {progress.settings.lambda} · m{' '}
          {Number.isFinite(progress.settings.margin) ? progress.settings.margin : 'off'}
          {progress.settingsSinceStep > 0 ? ` since step ${progress.settingsSinceStep}` : ''}
          {progress.metrics.gap !== undefined && ` · replica gap ${progress.metrics.gap.toFixed(3)}`}
        </span>
      )}
    </BitsLive>
  );
}
