/** Uchida (2017) settings of the Watermark panel: the marked conv kernel and the regulariser weight λ. */
import { useCallback } from 'react';
import type { UchidaConfig, UchidaLayers } from '../../protocol/api';
import type { EngineHandle } from '../useEngine';
import { SliderField } from '../common/SliderField';
import { useWorkerQuery } from '../common/useWorkerQuery';

interface UchidaSettingsProps {
  readonly engine: EngineHandle;
  readonly arch: string;
  /** Payload bits T (the default layer is the first conv kernel with M >= T). */
  readonly bits: number;
  readonly config: UchidaConfig;
  readonly disabled: boolean;
  /** The worker has a backend (the layer list is asked only then). */
  readonly ready: boolean;
  readonly onChange: (c: UchidaConfig) => void;
}

/** Layer select (the model's conv kernels, asked from the worker) and λ. */
export function UchidaSettings({ engine, arch, bits, config, disabled, ready, onChange }: UchidaSettingsProps) {
  // The list only changes with the architecture and the bit count; during a run the select is locked anyway.
  const query = useWorkerQuery(
    useCallback(() => engine.uchidaLayers(arch, Math.max(1, bits)), [engine, arch, bits]),
    { enabled: !disabled && ready },
  );
  const layers: UchidaLayers | null = query.data ?? null;
  const error = query.error;
  const chosen = layers?.layers.find((l) => l.name === (config.layer || layers.defaultLayer));
  return (
    <div className="wm-method-settings field-wide" data-testid="uchida-settings">
      <div className="field">
        <label htmlFor="wm-uchida-layer">Marked layer</label>
        <select id="wm-uchida-layer" value={config.layer} disabled={disabled} onChange={(e) => onChange({ ...config, layer: e.target.value })}>
          <option value="">default{layers ? ` (${layers.defaultLayer})` : ''}</option>
          {layers?.layers.map((l) => (
            <option key={l.name} value={l.name}>
              {l.name} [{l.shape.join('×')}], M = {l.projected}
            </option>
          ))}
          {config.layer !== '' && layers && !layers.layers.some((l) => l.name === config.layer) && <option value={config.layer}>{config.layer} (not in {arch})</option>}
        </select>
        <span className="hint">
          {chosen ? `w = mean over the ${chosen.shape[3]} output channels, M = ${chosen.projected}` : 'a conv kernel [kh, kw, in, out]'}
          {chosen && chosen.projected < bits ? ` — fewer than ${bits} bits: not all signs can be satisfied` : ''}
        </span>
        {error && (
          <span className="error" role="alert">
            {error}
          </span>
        )}
      </div>
      <SliderField
        id="wm-uchida-lambda"
        label="Weight λ"
        unit="× BCE sum"
        tip="Weight of the regulariser λ·Σ BCE(sigmoid(Xw), b) added to the task loss (Uchida's default 0.01)."
        value={config.lambda}
        min={0}
        max={10}
        step={0.01}
        disabled={disabled}
        onValue={(v) => onChange({ ...config, lambda: v })}
      />
    </div>
  );
}
