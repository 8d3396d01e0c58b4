/** WaterMAS settings of the Watermark panel: mark strength q and the replica objective (R, σ / ρ, λ, margin), live during a run. */
import { WATERMAS_DEFAULTS } from '../../protocol/watermarkDefaults';
import { BALANCE_MODES, REPLICA_BATCH_MODES } from '../../protocol/watermasSettings';
import { LAMBDA_SCALE, SIGMA_RANGE } from './sigmaRange';
import { useRef } from 'react';
import { SliderField } from '../common/SliderField';
import { DEFAULT_MARGIN, type WatermarkForm } from './watermarkDefaults';

interface WatermarkObjectiveFieldsProps {
  readonly config: WatermarkForm;
  /** Strength is fixed at embedding: locked during a run. */
  readonly lockedSetup: boolean;
  readonly marked: boolean;
  /** The live settings cannot change now (no WaterMAS run, or another kind of run going). */
  readonly liveDisabled: boolean;
  /** "live" while a WaterMAS run takes the changes at its next step. */
  readonly liveBadge: string | undefined;
  readonly update: (partial: Partial<WatermarkForm>) => void;
}

/** Strength, replica mode, R, σ or ρ, λ, the hinge margin and how the replicas share the batch. */
export function WatermarkObjectiveFields({ config, lockedSetup, marked, liveDisabled, liveBadge, update }: WatermarkObjectiveFieldsProps) {
  const lastMargin = useRef(Number.isFinite(config.margin) ? config.margin : DEFAULT_MARGIN);
  const marginOn = Number.isFinite(config.margin);
  return (
    <div className="wm-sliders field-wide">
      <SliderField
        id="wm-strength"
        label="Strength q"
        unit="quantile"
        tip="Magnitude floor of the marked weights: each keeps at least the q-quantile of |w| of its tensor (0 keeps magnitudes). Fixed at embedding."
        value={config.strength}
        min={0}
        max={1}
        step={0.05}
        disabled={lockedSetup || !marked}
        onValue={(v) => update({ strength: v })}
      />
      <div className="field">
        <label htmlFor="wm-mode">
          Replica mode{liveBadge && <span className="live-badge">{liveBadge}</span>}
        </label>
        <select
          id="wm-mode"
          value={config.mode}
          disabled={liveDisabled}
          title="Gaussian: R replicas with absolute noise σ on the key weights (the 2020 recipe); relative: noise σ·|w| on each key weight, in antithetic pairs; sign flips: each replica flips a fraction σ of the marks; adversarial: one SAM-style worst-case replica of radius ρ"
          onChange={(e) => {
            const mode = e.target.value as WatermarkForm['mode'];
            const sigma = SIGMA_RANGE[mode === 'adversarial' ? 'gaussian' : mode].fallback;
            update(mode === config.mode ? {} : { mode, ...(mode === 'adversarial' ? {} : { sigma }) });
          }}
        >
          <option value="gaussian">Gaussian (R, σ absolute)</option>
          <option value="relative">relative (R, σ × |w|)</option>
          <option value="flip">sign flips (R, fraction)</option>
          <option value="adversarial">adversarial (ρ)</option>
        </select>
      </div>
      <SliderField
        id="wm-replicas"
        label="Replicas R"
        unit="passes"
        tip="Noisy copies of the key weights evaluated per step; 0 = plain substitution (the control). Each costs one more forward+backward pass over its images: the whole batch, or its slice when the replicas split the batch or half of it."
        value={config.replicas}
        min={0}
        max={8}
        step={1}
        badge={liveBadge}
        disabled={liveDisabled}
        onValue={(v) => update({ replicas: Math.round(v) })}
      />
      {config.mode !== 'adversarial' ? (
        <SliderField
          id="wm-sigma"
          label={config.mode === 'flip' ? 'Flipped σ' : 'Noise σ'}
          unit={SIGMA_RANGE[config.mode].unit}
          tip={SIGMA_RANGE[config.mode].tip}
          value={config.sigma}
          min={0}
          max={SIGMA_RANGE[config.mode].max}
          step={SIGMA_RANGE[config.mode].step}
          badge={liveBadge}
          disabled={liveDisabled}
          onValue={(v) => update({ sigma: v })}
        />
      ) : (
        <SliderField
          id="wm-rho"
          label="Radius ρ"
          unit="L2 norm"
          tip="Length of the adversarial step on the key weights, along the clean gradient restricted to them."
          value={config.rho}
          min={0}
          max={0.5}
          step={0.005}
          badge={liveBadge}
          disabled={liveDisabled}
          onValue={(v) => update({ rho: v })}
        />
      )}
      <SliderField
        id="wm-lambda"
        label="Weight λ"
        unit={LAMBDA_SCALE[config.balance ?? 'loss'].unit}
        tip={LAMBDA_SCALE[config.balance ?? 'loss'].tip}
        value={config.lambda}
        min={0}
        max={4}
        step={0.05}
        badge={liveBadge}
        disabled={liveDisabled}
        onValue={(v) => update({ lambda: v })}
      />
      <div className="field">
        <label htmlFor="wm-balance">λ scales</label>
        <select
          id="wm-balance"
          value={config.balance ?? 'loss'}
          disabled={liveDisabled}
          title="The replica term in the loss: the push on the other weights grows with how far the replicas' loss has moved, so a key whose marks barely matter yet gets almost none (WaterMAS as written). The task gradient: each step the push is resized to λ × the task gradient's size, whatever the key (one more pass per step with replicas on slices)."
          onChange={(e) => update({ balance: BALANCE_MODES.find((m) => m === e.target.value) ?? 'loss' })}
        >
          <option value="loss">the replica term (loss)</option>
          <option value="gradient">the task gradient</option>
        </select>
      </div>
      <div className="wm-margin">
        <div className="field field-check">
          <input
            id="wm-margin-on"
            type="checkbox"
            checked={marginOn}
            disabled={liveDisabled}
            onChange={(e) => update({ margin: e.target.checked ? lastMargin.current : Infinity })}
          />
          <label htmlFor="wm-margin-on" title="Off = every replica always pushes: J = (1 + λ)·L − λ·mean L(θ+ε), the limit of a margin that never binds">
            Hinge margin on
          </label>
        </div>
        {marginOn && (
          <SliderField
            id="wm-margin"
            label="Margin m"
            unit="nats"
            tip="Replicas whose loss exceeds the clean loss by more than m stop pushing (bounded form)."
            value={config.margin}
            min={0.05}
            max={5}
            step={0.05}
            badge={liveBadge}
            disabled={liveDisabled}
            onValue={(v) => {
              lastMargin.current = v;
              update({ margin: v });
            }}
          />
        )}
      </div>
      <div className="field">
        <label htmlFor="wm-replica-batch">Replicas see</label>
        <select
          id="wm-replica-batch"
          value={config.replicaBatch ?? WATERMAS_DEFAULTS.replicaBatch}
          disabled={lockedSetup || !marked}
          title="Which images the replica passes see. Slices of half the batch: all R replicas cost about half a pass more (the same objective in expectation, the replica term estimated from half the images). Each its slice of the batch: about one more pass. The whole batch each: R more passes per step (the 2020 recipe). Fixed at the start of a run."
          onChange={(e) => update({ replicaBatch: REPLICA_BATCH_MODES.find((m) => m === e.target.value) ?? WATERMAS_DEFAULTS.replicaBatch })}
        >
          <option value="half">a slice of half the batch each</option>
          <option value="split">a slice of the batch each</option>
          <option value="full">the whole batch each</option>
        </select>
      </div>
    </div>
  );
}
