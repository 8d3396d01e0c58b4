/** Compare mode's controls: the two runs' variants (R, σ, λ) and the shared analysis settings. */
import type { ChangeEvent } from 'react';
import type { CompareLane, WatermasMarkConfig } from '../../protocol/api';
import { WATERMAS_LIMITS } from '../../protocol/watermasSettings';
import { SliderField } from '../common/SliderField';
import { LAMBDA_SCALE, SIGMA_RANGE } from '../watermark/sigmaRange';
import { LANE_COLORS } from './CompareModeCharts';

/** What one run changes (R, σ, λ). */
export interface LaneVariant {
  readonly replicas: number;
  readonly sigma: number;
  readonly lambda: number;
}

/** Settings shared by both runs besides the Training panel's. */
export interface CompareAnalysisForm {
  /** Random payload bits of the shared mark. */
  readonly bits: number;
  readonly grid: number;
  readonly evalSize: number;
  readonly radius: number;
  /** Comma-separated noise strengths Ω. */
  readonly strengths: string;
  readonly attackImages: number;
}

/** The lecture's comparison: R = 0 (plain substitution, the control) vs R = 4; σ and λ at the engine defaults. */
export const DEFAULT_VARIANTS: Readonly<Record<CompareLane, LaneVariant>> = {
  A: { replicas: 0, sigma: 0.01, lambda: 0.5 },
  B: { replicas: 4, sigma: 0.01, lambda: 0.5 },
};

/** The variants with σ and λ taken from the Watermark panel (R kept): both runs start from its objective. */
export function variantsFollowing(vs: Readonly<Record<CompareLane, LaneVariant>>, wm: Pick<WatermasMarkConfig, 'sigma' | 'lambda'>): Record<CompareLane, LaneVariant> {
  return { A: { ...vs.A, sigma: wm.sigma, lambda: wm.lambda }, B: { ...vs.B, sigma: wm.sigma, lambda: wm.lambda } };
}

/** Small enough for a lecture demo on a laptop GPU (our choice). */
export const DEFAULT_ANALYSIS: CompareAnalysisForm = { bits: 256, grid: 11, evalSize: 256, radius: 1, strengths: '0, 1, 2, 7, 10', attackImages: 256 };

/** Parses "0, 1, 2.5" into numbers; null when any entry is not a number >= 0. */
export function parseStrengths(text: string): number[] | null {
  const parts = text.split(/[,\s]+/).filter((s) => s.length > 0);
  const values = parts.map(Number);
  return values.length > 0 && values.every((v) => Number.isFinite(v) && v >= 0) ? values : null;
}

/** Why the form cannot start, or null. */
export function analysisProblem(a: CompareAnalysisForm): string | null {
  if (!(Number.isInteger(a.bits) && a.bits >= 1 && a.bits <= 4096)) return 'payload bits must be a whole number in 1..4096';
  if (!(Number.isInteger(a.grid) && a.grid >= 3 && a.grid <= 101)) return 'landscape points must be a whole number in 3..101';
  if (!(Number.isInteger(a.evalSize) && a.evalSize >= 1)) return 'landscape images must be a whole number >= 1';
  if (!(a.radius > 0 && a.radius <= 100)) return 'the landscape radius must be in (0, 100]';
  if (!parseStrengths(a.strengths)) return 'noise strengths: a list of numbers >= 0, e.g. "0, 2, 10"';
  if (!(Number.isInteger(a.attackImages) && a.attackImages >= 1)) return 'attack images must be a whole number >= 1';
  return null;
}

interface LaneColumnProps {
  readonly lane: CompareLane;
  /** The Watermark panel's replica mode, which both runs use (it sets σ's unit). */
  readonly mode: WatermasMarkConfig['mode'];
  /** What λ scales (the Watermark panel's, shared by both runs): it sets λ's unit. */
  readonly balance: WatermasMarkConfig['balance'];
  readonly variant: LaneVariant;
  readonly disabled: boolean;
  readonly onVariant: (v: LaneVariant) => void;
}

/** One run's variant: R, σ, λ (the only fields in which A and B differ). */
export function CompareLaneControls({ lane, mode, balance, variant, disabled, onVariant }: LaneColumnProps) {
  const sigma = SIGMA_RANGE[mode === 'adversarial' ? 'gaussian' : mode];
  const id = lane.toLowerCase();
  const set = (k: keyof LaneVariant) => (v: number) => onVariant({ ...variant, [k]: v });
  return (
    <fieldset className="compare-mode-lane" style={{ borderColor: LANE_COLORS[lane] }} data-testid={`compare-mode-lane-${id}`}>
      <legend style={{ color: LANE_COLORS[lane] }}>Run {lane}</legend>
      <SliderField
        id={`cmp-${id}-replicas`} label={`Replicas R (${lane})`} unit="replicas" value={variant.replicas} min={0} max={WATERMAS_LIMITS.replicas.max} step={1} disabled={disabled}
        tip="Noisy copies of the model per step whose loss is also minimised; R = 0 is plain substitution (the control)." onValue={set('replicas')}
      />
      <SliderField
        id={`cmp-${id}-sigma`} label={`Noise σ (${lane})`} unit={sigma.unit} value={variant.sigma} min={0} max={sigma.max} step={sigma.step} disabled={disabled}
        tip={sigma.tip} onValue={set('sigma')}
      />
      <SliderField
        id={`cmp-${id}-lambda`} label={`Weight λ (${lane})`} unit={LAMBDA_SCALE[balance ?? 'loss'].unit} value={variant.lambda} min={0} max={5} step={0.05} disabled={disabled}
        tip={LAMBDA_SCALE[balance ?? 'loss'].tip} onValue={set('lambda')}
      />
    </fieldset>
  );
}

interface AnalysisProps {
  readonly form: CompareAnalysisForm;
  readonly disabled: boolean;
  readonly onForm: (f: CompareAnalysisForm) => void;
}

/** The settings both runs share: payload size, landscape grid and images, noise strengths and images. */
export function CompareAnalysisControls({ form, disabled, onForm }: AnalysisProps) {
  const num = (k: keyof CompareAnalysisForm) => (e: ChangeEvent<HTMLInputElement>) => onForm({ ...form, [k]: e.target.valueAsNumber });
  return (
    <div className="train-form compare-mode-shared" role="group" aria-label="Shared compare settings">
      <div className="field">
        <label htmlFor="cmp-bits">Payload bits</label>
        <input id="cmp-bits" type="number" min={1} max={4096} step={1} value={form.bits} disabled={disabled} onChange={num('bits')} />
      </div>
      <div className="field">
        <label htmlFor="cmp-ls-grid">Landscape points</label>
        <input id="cmp-ls-grid" type="number" min={3} max={101} step={2} value={form.grid} disabled={disabled} onChange={num('grid')} />
      </div>
      <div className="field">
        <label htmlFor="cmp-ls-radius">Landscape radius</label>
        <input id="cmp-ls-radius" type="number" min={0} max={100} step="any" value={form.radius} disabled={disabled} onChange={num('radius')} />
      </div>
      <div className="field">
        <label htmlFor="cmp-ls-eval">Landscape images</label>
        <input id="cmp-ls-eval" type="number" min={1} step={1} value={form.evalSize} disabled={disabled} onChange={num('evalSize')} />
      </div>
      <div className="field">
        <label htmlFor="cmp-attack-strengths">Noise strengths Ω</label>
        <input id="cmp-attack-strengths" type="text" value={form.strengths} disabled={disabled} onChange={(e) => onForm({ ...form, strengths: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor="cmp-attack-test">Attack images</label>
        <input id="cmp-attack-test" type="number" min={1} step={1} value={form.attackImages} disabled={disabled} onChange={num('attackImages')} />
      </div>
    </div>
  );
}
