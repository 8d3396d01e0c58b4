import type { Model } from '../models/types';
import { fineTuneAttack } from './finetune';
import { interceptAttack } from './intercept';
import { gaussianNoiseAttack } from './noise';
import { overwriteAttack } from './overwrite';
import { permuteAttack } from './permute';
import { globalPruneAttack, pruneAttack } from './prune';
import { quantizeAttack } from './quantize';
import { weightShiftAttack } from './shift';
import type { AttackFn, AttackOptions, AttackedWeights } from './types';

export type AttackId =
  | 'noise'
  | 'prune'
  | 'prune-global'
  | 'quantize'
  | 'finetune'
  | 'overwrite'
  | 'intercept'
  | 'shift'
  | 'permute';

export interface AttackInfo {
  readonly id: AttackId;
  readonly label: string;
  /** Name of the strength parameter, as shown on axes. */
  readonly strengthName: string;
  /** Unit / meaning of the strength. */
  readonly strengthUnit: string;
  /** Default sweep grid (methods.md §5 where it gives one; otherwise our choice, see below). */
  readonly defaultStrengths: readonly number[];
  /** True when a larger strength means a weaker attack (quantization bits). */
  readonly decreasing?: boolean;
  /** What the attack needs besides the model: key positions, or an injected trainer. */
  readonly needs?: 'positions' | 'trainer';
  readonly run: AttackFn;
}

/**
 * The attack suite. Grids: noise, pruning, quantization and fine-tuning are methods.md §5's
 * (fine-tuning with Θ = 0 prepended as the no-attack point). Our choices: overwriting n ∈
 * {0, 64, 256, 1024, 4096} bits; interception f ∈ {0, 0.1, 0.25, 0.5, 0.75, 1}; shifting
 * λ ∈ {0, 0.1, 0.25, 0.5, 1, 2}; permutation p ∈ {0, 0.25, 0.5, 1} (fraction of units shuffled).
 */
export const ATTACKS: readonly AttackInfo[] = [
  { id: 'noise', label: 'Gaussian noise', strengthName: 'Ω', strengthUnit: '× std(W) per tensor', defaultStrengths: [0, 1, 2, 7, 10], run: gaussianNoiseAttack },
  { id: 'prune', label: 'Magnitude pruning (per tensor)', strengthName: 'T', strengthUnit: 'fraction pruned', defaultStrengths: [0, 0.5, 0.91, 0.95, 0.98, 0.99], run: pruneAttack },
  { id: 'prune-global', label: 'Magnitude pruning (global)', strengthName: 'T', strengthUnit: 'fraction pruned', defaultStrengths: [0, 0.5, 0.91, 0.95, 0.98, 0.99], run: globalPruneAttack },
  { id: 'quantize', label: 'Uniform quantization', strengthName: 'B', strengthUnit: 'bits (0 = none)', defaultStrengths: [16, 8, 6, 4, 2], decreasing: true, run: quantizeAttack },
  { id: 'finetune', label: 'Fine-tuning', strengthName: 'Θ', strengthUnit: 'epochs', defaultStrengths: [0, 1, 2, 5, 10], needs: 'trainer', run: fineTuneAttack },
  { id: 'overwrite', label: 'Overwriting (second mark)', strengthName: 'n', strengthUnit: 'bits overwritten', defaultStrengths: [0, 64, 256, 1024, 4096], run: overwriteAttack },
  { id: 'intercept', label: 'Key interception', strengthName: 'f', strengthUnit: 'fraction of marked entries', defaultStrengths: [0, 0.1, 0.25, 0.5, 0.75, 1], needs: 'positions', run: interceptAttack },
  { id: 'shift', label: 'Weight shifting', strengthName: 'λ', strengthUnit: 'λ1 = λ2', defaultStrengths: [0, 0.1, 0.25, 0.5, 1, 2], run: weightShiftAttack },
  { id: 'permute', label: 'Neuron permutation', strengthName: 'p', strengthUnit: 'fraction of units shuffled', defaultStrengths: [0, 0.25, 0.5, 1], run: permuteAttack },
];

/** The attack with this id (throws for an unknown id). */
export function getAttack(id: string): AttackInfo {
  const a = ATTACKS.find((x) => x.id === id);
  if (!a) throw new Error(`unknown attack: ${id} (known: ${ATTACKS.map((x) => x.id).join(', ')})`);
  return a;
}

/**
 * Runs one attack at one strength: a fresh attacked copy of the model's weights (caller disposes
 * it with `disposeWeights`); the model itself is never written.
 */
export function runAttack(id: AttackId | string, model: Model, strength: number, opts: AttackOptions): Promise<AttackedWeights> {
  return getAttack(id).run(model, strength, opts);
}
