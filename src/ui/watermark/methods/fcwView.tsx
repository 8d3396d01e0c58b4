/** FCW in the Watermark panel: trigger settings, trigger accuracy live, the trigger gallery. */
import type { DatasetInfo, FcwPreviewRequest, TrainSettings } from '../../../protocol/api';
import { FCW_DEFAULTS } from '../../../protocol/watermarkDefaults';
import { formatPercent } from '../../common/format';
import { FcwSettings } from '../FcwSettings';
import { TriggerGallery } from '../TriggerGallery';
import { watermarkForm } from '../watermarkDefaults';
import { WAITING } from './BitsLive';
import type { MethodExtraProps, MethodLiveProps, MethodSettingsProps } from './viewTypes';

export function FcwMethodSettings({ config, lockedSetup, update }: MethodSettingsProps) {
  return <FcwSettings config={config.fcw ?? FCW_DEFAULTS} disabled={lockedSetup} onChange={(f) => update({ fcw: f })} />;
}

export function FcwLive({ progress }: MethodLiveProps) {
  const t = progress?.triggerAccuracy;
  return (
    <div className="wm-live" aria-live="polite">
      <span>
        Trigger accuracy now:{' '}
        <strong data-testid="watermark-trigger-accuracy" data-value={t ? t.accuracy : ''}>
          {t ? `${formatPercent(t.accuracy, 1)} (${t.hits}/${t.n} to the target)` : WAITING}
        </strong>
      </span>
      {progress && <span className="muted small">masking events so far: {progress.maskEvents ?? 0}</span>}
    </div>
  );
}

/** What the gallery previews for these settings (the run's seed and images + FCW settings); null until the data set is loaded. */
function previewRequest(s: TrainSettings, dataset: DatasetInfo | null): FcwPreviewRequest | null {
  return dataset ? { seed: s.seed, trainLimit: s.trainLimit, fcw: watermarkForm(s.watermark).fcw ?? FCW_DEFAULTS } : null;
}
const requestKey = (r: FcwPreviewRequest | null): string => (r ? JSON.stringify(r) : '');

/** The trigger gallery: the trained model's triggers when the last run was FCW with the current settings, else a preview. */
export function FcwExtra({ engine, settings, training, dataset, active, lastRun }: MethodExtraProps) {
  const request = previewRequest(settings, dataset);
  const report = training.outcome?.watermark ?? null;
  const showModel =
    !active && report?.method === 'fcw' && training.outcome?.cancelled === false && lastRun !== null && requestKey(previewRequest(lastRun, dataset)) === requestKey(request);
  return <TriggerGallery engine={engine} classNames={dataset?.classNames ?? []} request={request} showModel={showModel} modelStamp={training.outcome} busy={active} />;
}
