import type { ArchSummary, OptimizerName, ScheduleName, TrainSettings } from '../../protocol/api';
import { TRAIN_LIMITS, type NumberLimit } from '../../protocol/training';
import { formatCount } from '../common/format';
import { Hideable, useIsHidden } from '../lecture/LectureContext';

export { validateSettings } from './validateSettings';

interface TrainingFormProps {
  readonly settings: TrainSettings;
  readonly archs: readonly ArchSummary[];
  readonly disabled: boolean;
  readonly onChange: (s: TrainSettings) => void;
}

interface NumberFieldProps {
  readonly id: string;
  readonly label: string;
  readonly value: number;
  readonly min: number;
  readonly max?: number;
  readonly step: number | 'any';
  readonly hint?: string;
  readonly disabled: boolean;
  readonly onValue: (v: number) => void;
}

/** An input's min / max from a contract limit (exclusive bounds are left to validateSettings's message). */
function range(l: NumberLimit): { min: number; max?: number } {
  return l.max >= Number.MAX_SAFE_INTEGER ? { min: l.min } : { min: l.min, max: l.max };
}

function NumberField({ id, label, value, min, max, step, hint, disabled, onValue }: NumberFieldProps) {
  if (useIsHidden(id)) return null; // hidden by a classroom link
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        value={Number.isFinite(value) ? value : ''}
        min={min}
        max={max}
        step={step}
        disabled={disabled}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(e) => onValue(e.target.valueAsNumber)}
      />
      {hint && (
        <span id={`${id}-hint`} className="hint">
          {hint}
        </span>
      )}
    </div>
  );
}

/** Model picker and hyper-parameters. */
export function TrainingForm({ settings, archs, disabled, onChange }: TrainingFormProps) {
  const set = <K extends keyof TrainSettings>(key: K, value: TrainSettings[K]) => onChange({ ...settings, [key]: value });
  const arch = archs.find((a) => a.name === settings.arch);
  return (
    <form className="train-form" onSubmit={(e) => e.preventDefault()} aria-label="Training settings">
      <Hideable id="arch"><div className="field field-wide">
        <label htmlFor="arch">Model</label>
        <select id="arch" value={settings.arch} disabled={disabled || archs.length === 0} onChange={(e) => set('arch', e.target.value)}>
          {archs.length === 0 && <option value={settings.arch}>{settings.arch}</option>}
          {archs.map((a) => (
            <option key={a.name} value={a.name}>
              {a.label} — {formatCount(a.parameterCount)} parameters
            </option>
          ))}
        </select>
        {arch && <span className="hint">{arch.description}</span>}
      </div></Hideable>
      <NumberField id="epochs" label="Epochs" value={settings.epochs} {...range(TRAIN_LIMITS.epochs)} step={1} disabled={disabled} onValue={(v) => set('epochs', v)} />
      <NumberField id="batch-size" label="Batch size" value={settings.batchSize} {...range(TRAIN_LIMITS.batchSize)} step={1} disabled={disabled} onValue={(v) => set('batchSize', v)} />
      <NumberField id="lr" label="Learning rate" value={settings.learningRate} {...range(TRAIN_LIMITS.learningRate)} step="any" disabled={disabled} onValue={(v) => set('learningRate', v)} />
      <Hideable id="optimizer"><div className="field">
        <label htmlFor="optimizer">Optimizer</label>
        <select id="optimizer" value={settings.optimizer} disabled={disabled} onChange={(e) => set('optimizer', e.target.value as OptimizerName)}>
          <option value="sgd">SGD</option>
          <option value="adam">Adam</option>
        </select>
      </div></Hideable>
      {settings.optimizer === 'sgd' && (
        <NumberField id="momentum" label="Momentum" value={settings.momentum} {...range(TRAIN_LIMITS.momentum)} step="any" disabled={disabled} onValue={(v) => set('momentum', v)} />
      )}
      <NumberField id="weight-decay" label="Weight decay" value={settings.weightDecay} {...range(TRAIN_LIMITS.weightDecay)} step="any" disabled={disabled} onValue={(v) => set('weightDecay', v)} />
      <Hideable id="schedule"><div className="field">
        <label htmlFor="schedule">Schedule</label>
        <select id="schedule" value={settings.schedule} disabled={disabled} onChange={(e) => set('schedule', e.target.value as ScheduleName)}>
          <option value="constant">constant</option>
          <option value="step">step (÷10 at 50 % and 75 %)</option>
          <option value="cosine">cosine</option>
        </select>
      </div></Hideable>
      <NumberField id="seed" label="Seed" value={settings.seed} {...range(TRAIN_LIMITS.seed)} step={1} disabled={disabled} onValue={(v) => set('seed', v)} />
      <NumberField id="train-limit" label="Train images" value={settings.trainLimit} {...range(TRAIN_LIMITS.trainLimit)} step={1} hint="0 = all" disabled={disabled} onValue={(v) => set('trainLimit', v)} />
      <NumberField id="test-limit" label="Test images" value={settings.testLimit} {...range(TRAIN_LIMITS.testLimit)} step={1} hint="0 = all" disabled={disabled} onValue={(v) => set('testLimit', v)} />
      <Hideable id="augment"><div className="field field-check">
        <input id="augment" type="checkbox" checked={settings.augment} disabled={disabled} onChange={(e) => set('augment', e.target.checked)} />
        <label htmlFor="augment">Augment (crop + flip)</label>
      </div></Hideable>
    </form>
  );
}
