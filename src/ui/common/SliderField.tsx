/** A labelled range slider paired with a number box, with a unit and an explanatory tooltip. */
import { useIsHidden } from '../lecture/LectureContext';

interface SliderFieldProps {
  readonly id: string;
  readonly label: string;
  /** Unit shown after the value ("replicas", "weight units", "nats"...). */
  readonly unit: string;
  /** What the control does (tooltip and accessible description). */
  readonly tip: string;
  readonly value: number;
  readonly min: number;
  readonly max: number;
  readonly step: number;
  readonly disabled: boolean;
  /** Shown next to the label, e.g. "live" when a change applies at the next step. */
  readonly badge?: string;
  readonly onValue: (v: number) => void;
}

/** Slider + number box: both drive the same value (the box allows exact values, also beyond the slider's range up to max). */
export function SliderField({ id, label, unit, tip, value, min, max, step, disabled, badge, onValue }: SliderFieldProps) {
  if (useIsHidden(id)) return null; // hidden by a classroom link
  const emit = (v: number) => {
    if (Number.isFinite(v)) onValue(Math.min(max, Math.max(min, v)));
  };
  return (
    <div className="field slider-field" title={tip}>
      <label htmlFor={id}>
        {label}
        {badge && <span className="live-badge">{badge}</span>}
      </label>
      <div className="slider-row">
        <input
          id={id}
          type="range"
          min={min}
          max={max}
          step={step}
          value={value}
          disabled={disabled}
          aria-describedby={`${id}-tip`}
          aria-valuetext={`${value} ${unit}`}
          onChange={(e) => emit(e.target.valueAsNumber)}
        />
        <input
          type="number"
          className="slider-number"
          aria-label={`${label} value`}
          min={min}
          max={max}
          step={step}
          value={value}
          disabled={disabled}
          onChange={(e) => emit(e.target.valueAsNumber)}
        />
        <span className="slider-unit">{unit}</span>
      </div>
      <span id={`${id}-tip`} className="hint">
        {tip}
      </span>
    </div>
  );
}
