/** Uchida in the Watermark panel: layer and λ; BER and the regulariser live. */
import { UCHIDA_DEFAULTS } from '../../../protocol/watermarkDefaults';
import { UchidaSettings } from '../UchidaSettings';
import { BitsLive } from './BitsLive';
import type { MethodLiveProps, MethodSettingsProps } from './viewTypes';

export function UchidaMethodSettings({ engine, settings, config, bits, lockedSetup, ready, update }: MethodSettingsProps) {
  return (
    <UchidaSettings
      engine={engine}
      arch={settings.arch}
      bits={bits}
      config={config.uchida ?? UCHIDA_DEFAULTS}
      disabled={lockedSetup}
      ready={ready}
      onChange={(uchida) => update({ uchida })}
    />
  );
}

export function UchidaLive({ progress }: MethodLiveProps) {
  return (
    <BitsLive progress={progress}>
      {progress && progress.metrics.uchidaLoss !== undefined && (
        <span className="muted small">
          λ {progress.settings.lambda} · regulariser (BCE sum) {progress.metrics.uchidaLoss.toFixed(3)}
        </span>
      )}
    </BitsLive>
  );
}
