import { useCallback, useState } from 'react';
import type { AttackSummary } from '../../protocol/api';
import { parseStrengths } from '../common/analysisData';
import { useWorkerQuery } from '../common/useWorkerQuery';
import type { EngineHandle } from '../useEngine';

const NO_ATTACKS: readonly AttackSummary[] = [];

/** The attack choice shared by the Attack panel and the comparison view. */
export interface AttackChoice {
  /** The registry (empty until the worker answered). */
  readonly catalog: readonly AttackSummary[];
  readonly attackId: string;
  /** The chosen attack's entry (undefined until the catalog is loaded). */
  readonly info: AttackSummary | undefined;
  readonly strengthsText: string;
  /** The parsed strengths; null when the text is not a list of numbers >= 0. */
  readonly strengths: number[] | null;
  /** Picks an attack and puts its default strength grid in the field. */
  readonly pick: (id: string) => void;
  readonly setStrengthsText: (text: string) => void;
}

/**
 * Loads the attack registry from the worker and holds the chosen attack and its strengths
 * (Gaussian noise and its default grid at first). A failed catalog load goes to `onError`.
 */
export function useAttackChoice(engine: EngineHandle, onError: (message: string) => void): AttackChoice {
  const [attackId, setAttackId] = useState('noise');
  const [strengthsText, setStrengthsText] = useState('');
  const askCatalog = useCallback(() => engine.attackCatalog(), [engine]);
  const catalog =
    useWorkerQuery(askCatalog, {
      onAnswer: (c) => setStrengthsText((t) => t || (c.find((a) => a.id === 'noise')?.defaultStrengths.join(', ') ?? '')),
      onError,
    }).data ?? NO_ATTACKS;

  const pick = (id: string) => {
    setAttackId(id);
    const a = catalog.find((x) => x.id === id);
    if (a) setStrengthsText(a.defaultStrengths.join(', '));
  };
  return { catalog, attackId, info: catalog.find((a) => a.id === attackId), strengthsText, strengths: parseStrengths(strengthsText), pick, setStrengthsText };
}

interface AttackPickerProps {
  readonly choice: AttackChoice;
  /** Element ids of the attack select and the strengths field (the browser tests address them). */
  readonly ids: { readonly attack: string; readonly strengths: string };
  readonly disabled: boolean;
}

/**
 * The attack and strengths fields (labels "Attack" and "Strengths"), with the attack's strength
 * unit and a note when it fine-tunes; goes inside a `.train-form`.
 */
export function AttackPicker({ choice, ids, disabled }: AttackPickerProps) {
  const { catalog, attackId, info, strengthsText, strengths } = choice;
  return (
    <>
      <div className="field field-wide">
        <label htmlFor={ids.attack}>Attack</label>
        <select id={ids.attack} value={attackId} disabled={disabled || catalog.length === 0} onChange={(e) => choice.pick(e.target.value)}>
          {catalog.map((a) => (
            <option key={a.id} value={a.id}>
              {a.label}
            </option>
          ))}
        </select>
        {info && (
          <span className="hint">
            {info.strengthName}: {info.strengthUnit}
            {info.trains ? ' · fine-tunes on a third of the training data: slow' : ''}
          </span>
        )}
      </div>
      <div className="field field-wide">
        <label htmlFor={ids.strengths}>Strengths</label>
        <input id={ids.strengths} type="text" value={strengthsText} disabled={disabled} onChange={(e) => choice.setStrengthsText(e.target.value)} />
        {strengths === null && <span className="hint error-text">a comma-separated list of numbers ≥ 0</span>}
      </div>
    </>
  );
}

interface AttackSampleFieldsProps {
  /** Element ids are `${idPrefix}-test` and `${idPrefix}-seed` (the browser tests address them). */
  readonly idPrefix: string;
  readonly testLimit: number;
  readonly seed: number;
  readonly setTestLimit: (n: number) => void;
  readonly setSeed: (n: number) => void;
  readonly disabled: boolean;
}

/** Whether the sweep's test images and attack seed can be run (a whole number >= 1, a whole number >= 0). */
export function sampleSettingsValid(testLimit: number, seed: number): boolean {
  return Number.isInteger(testLimit) && testLimit >= 1 && Number.isInteger(seed) && seed >= 0;
}

/** The "Images for accuracy" and "Attack seed" fields of an attack sweep (Attack panel, comparison view); inside a `.train-form`. */
export function AttackSampleFields({ idPrefix, testLimit, seed, setTestLimit, setSeed, disabled }: AttackSampleFieldsProps) {
  return (
    <>
      <div className="field">
        <label htmlFor={`${idPrefix}-test`}>Images for accuracy</label>
        <input id={`${idPrefix}-test`} type="number" min={1} step={1} value={testLimit} disabled={disabled} onChange={(e) => setTestLimit(e.target.valueAsNumber)} />
      </div>
      <div className="field">
        <label htmlFor={`${idPrefix}-seed`}>Attack seed</label>
        <input id={`${idPrefix}-seed`} type="number" min={0} step={1} value={seed} disabled={disabled} onChange={(e) => setSeed(e.target.valueAsNumber)} />
      </div>
    </>
  );
}
