/** FCW (function-coupled watermark) settings of the Watermark panel: triggers, fusion, embedding and masking. */
import type { FcwConfig } from '../../protocol/api';
import { SliderField } from '../common/SliderField';

interface FcwSettingsProps {
  readonly config: FcwConfig;
  readonly disabled: boolean;
  readonly onChange: (c: FcwConfig) => void;
}

/** Trigger count, fusion mode (+ blend ratio), triggers per batch, mask fraction and period. */
export function FcwSettings({ config, disabled, onChange }: FcwSettingsProps) {
  const set = (partial: Partial<FcwConfig>) => {
    const next = { ...config, ...partial };
    // keep "per batch" within the trigger count
    onChange({ ...next, perBatch: Math.min(next.perBatch, next.triggers) });
  };
  return (
    <div className="wm-method-settings wm-sliders field-wide" data-testid="fcw-settings">
      <SliderField
        id="wm-fcw-triggers"
        label="Triggers"
        unit="images"
        tip="Number of fused trigger images, all labelled with one target class (the paper's code: 30)."
        value={config.triggers}
        min={1}
        max={100}
        step={1}
        disabled={disabled}
        onValue={(v) => set({ triggers: Math.round(v) })}
      />
      <div className="field">
        <label htmlFor="wm-fcw-mode">Fusion</label>
        <select id="wm-fcw-mode" value={config.mode} disabled={disabled} onChange={(e) => set({ mode: e.target.value as FcwConfig['mode'] })}>
          <option value="direct">direct (2×2 mosaic, two white quadrants)</option>
          <option value="invisible">invisible (blend (1 − r)·a + r·b)</option>
        </select>
      </div>
      {config.mode === 'invisible' && (
        <SliderField
          id="wm-fcw-ratio"
          label="Blend ratio r"
          unit="weight of b"
          tip="Invisible fusion: each trigger is (1 − r)·a + r·b of two training images of different classes."
          value={config.ratio}
          min={0}
          max={1}
          step={0.05}
          disabled={disabled}
          onValue={(v) => set({ ratio: v })}
        />
      )}
      <SliderField
        id="wm-fcw-per-batch"
        label="Triggers per batch"
        unit="rows"
        tip="Triggers appended to every training batch (the paper: 10 per batch of 128)."
        value={config.perBatch}
        min={1}
        max={config.triggers}
        step={1}
        disabled={disabled}
        onValue={(v) => set({ perBatch: Math.round(v) })}
      />
      <SliderField
        id="wm-fcw-mask-fraction"
        label="Mask fraction"
        unit="of conv weights"
        tip="Fraction of the conv weights set to 0 at each masking event (default 0.002 = 0.2 %); they keep training afterwards."
        value={config.maskFraction}
        min={0}
        max={0.05}
        step={0.001}
        disabled={disabled}
        onValue={(v) => set({ maskFraction: v })}
      />
      <SliderField
        id="wm-fcw-mask-period"
        label="Mask period"
        unit="steps"
        tip="A masking event happens before every period-th step (default every 10 steps)."
        value={config.maskPeriod}
        min={1}
        max={100}
        step={1}
        disabled={disabled}
        onValue={(v) => set({ maskPeriod: Math.round(v) })}
      />
      <p className="hint field-wide">Triggers, their target class and the masking are drawn from the run&apos;s seed (Training panel), as in `wmlab train --method fcw`.</p>
    </div>
  );
}
