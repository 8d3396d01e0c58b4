import { WATERMAS_DEFAULTS, WATERMAS_RECIPE_2020 } from '../../protocol/watermarkDefaults';
import { BALANCE_MODES, REPLICA_BATCH_MODES, REPLICA_BN_MODES, REPLICA_MODES, watermasSettingsError } from '../../protocol/watermasSettings';
import type { KeyObjectiveSettings } from './keyFile';

/**
 * How a replica perturbs the marked weights K (methods.md §1.5; docs/experiments/sharpness.md):
 * - `gaussian`: ε_i ~ N(0, σ²), σ in weight units (the 2020 recipe);
 * - `relative`: ε_i = σ · |w_i| · z_i, z_i ~ N(0, 1): σ is a fraction of each mark's magnitude;
 * - `flip`: each replica flips the sign of a random fraction σ of the marks (ε_i = −2 w_i on them),
 *   the perturbation an eraser makes;
 * - `adversarial`: one replica ε = ρ · g_K / ‖g_K‖ (SAM-style, ρ an L2 norm over all of K).
 */
export { REPLICA_MODES };
export type ReplicaMode = (typeof REPLICA_MODES)[number];

/** BatchNorm statistics in the replica passes: their own batch statistics, or the clean pass's (as constants). */
export { REPLICA_BN_MODES };
export type ReplicaBn = (typeof REPLICA_BN_MODES)[number];

/**
 * The images each replica pass sees (issue 16; docs/experiments/sharpness.md, "Replica batches"):
 * - `full`: every replica the whole batch (the 2020 recipe): a step costs 1 + R forward+backward passes;
 * - `split`: the batch is cut into R slices (R/2 with antithetic pairs, each pair on one slice so
 *   its first-order terms still cancel on the same images) and each replica sees one: all replicas
 *   together cost about one more pass, whatever R. The same objective in expectation over the data;
 *   each replica's gap is its slice's loss minus the same model's clean loss on the same rows.
 * - `half` (the default): as `split` over the batch's first half (rows come shuffled): all replicas
 *   together cost about half a pass. Still the same objective in expectation, its replica term
 *   estimated from half the images (docs/experiments/sharpness.md, "Cheaper replicas").
 * The adversarial replica always sees the whole batch (its baseline is then the clean loss).
 */
export { REPLICA_BATCH_MODES };
export type ReplicaBatch = (typeof REPLICA_BATCH_MODES)[number];

/**
 * What λ scales (docs/experiments/sharpness.md, "Balancing the push"):
 * - `loss`: λ weighs the replica term in the loss (the WaterMAS objective as written): the push on
 *   the unmarked weights is λ times the term's gradient, so it grows with the replicas' loss gap and
 *   a key whose flips barely move the loss (marks in a wide dense layer) gets almost none;
 * - `gradient` (our choice): each step the replica term's gradient over the unmarked weights is
 *   rescaled to λ × the task gradient's norm × the fraction of replicas inside the margin, so λ is
 *   the push's size relative to the task's, the same for every key. Needs the task gradient on its
 *   own: one more forward+backward pass per step with replicas on slices of the batch (none with
 *   whole-batch or adversarial replicas, whose clean pass has a tape of its own).
 */
export { BALANCE_MODES };
export type Balance = (typeof BALANCE_MODES)[number];

/** WaterMAS objective settings (methods.md §1.5); all may change between steps. */
export interface WaterMASSettings {
  /** R: number of replicas; 0 = plain substitution (the control). Adversarial mode uses one replica when R ≥ 1. */
  readonly replicas: number;
  /** σ: replica noise size; its unit depends on the mode (weight units, fraction of |w|, fraction of marks flipped). */
  readonly sigma: number;
  /** λ: weight of the replica term. */
  readonly lambda: number;
  readonly mode: ReplicaMode;
  /** ρ: radius of the adversarial replica (L2 norm over K). */
  readonly rho: number;
  /** m: hinge margin on the loss gap L(θ+ε) − L(θ); Infinity = every replica always active (the m → ∞ limit). */
  readonly margin: number;
  /** Gaussian and relative modes: replicas in antithetic pairs (ε, −ε), so the first-order term cancels in each pair. */
  readonly antithetic: boolean;
  readonly replicaBn: ReplicaBn;
  readonly replicaBatch: ReplicaBatch;
  readonly balance: Balance;
}

/**
 * The 2020 recipe (Tartaglione et al.): independent Gaussian replicas with σ = 0.01 absolute, replicas
 * normalised by their own batch statistics; with λ = 0.5 and the hinge (m = 0.5) of the lab's bounded
 * form. Measured on CIFAR-10 (docs/experiments/sharpness.md), it does not sharpen K.
 */
export const RECIPE_2020_SETTINGS: WaterMASSettings = WATERMAS_RECIPE_2020;

/**
 * The antithetic and BatchNorm choices that go with each replica mode when none is given (our
 * choice, docs/experiments/sharpness.md): relative noise in antithetic pairs; Gaussian noise and
 * sign flips as independent replicas; all three normalised with the clean pass's statistics, as the
 * perturbed model is at test time and at no extra cost (with their own statistics, replicas on
 * slices of the batch need one more pass for their baselines: objective.ts). The adversarial replica
 * keeps its own statistics: it sees the whole batch, so its baseline is the clean loss at no cost.
 */
export function modeDefaults(mode: ReplicaMode): Pick<WaterMASSettings, 'antithetic' | 'replicaBn'> {
  switch (mode) {
    case 'relative':
      return { antithetic: true, replicaBn: 'clean' };
    case 'adversarial':
      return { antithetic: false, replicaBn: 'batch' };
    default:
      return { antithetic: false, replicaBn: 'clean' };
  }
}

/**
 * Defaults (our choice): the 2020 recipe's replicas, each on its slice of half the batch and
 * normalised with the clean pass's statistics (since 2026-12-06: exact at ε = 0 without the extra
 * baseline pass that own-statistics slices need; since 2026-12-07 on half the batch, so R = 4
 * costs about one and a half plain passes: 1.55× on ResNet-20, 2.0× on the whole batch's slices).
 * The new modes did not sharpen K reproducibly either (docs/experiments/sharpness.md: paired key
 * gain over 3 seeds 0.97 ± 0.04 for this recipe, 1.9 ± 2.1 for relative antithetic replicas, within the
 * measure's noise), so no mode has earned the default yet. Split replica batches measured the
 * same as full ones at R = 4 (paired key gain 1.18 ± 0.11 vs 1.00 ± 0.03, controls 2.2 ± 2.1 vs
 * 1.3 ± 0.4, accuracy and flip cost equal, 3 seeds) at 2.5× less time per step, and slices of half
 * the batch as the whole batch's slices with the sign-flip replicas that do sharpen (3 keys, 390
 * steps: paired key gain 1,341 ± 1,336 vs 1,229 ± 916, flip cost 38.3 ± 12.3 vs 43.5 ± 8.4 points,
 * accuracy −1.3 ± 0.2 vs −1.5 ± 0.5 against the twins; sharpness.md, "Cheaper replicas"); in
 * 125-step fine-tunings they left a smaller valley (flip cost 20.3 ± 1.7 vs 30.0 ± 10.7), so the
 * presets that teach it keep the whole batch's slices.
 */
export const DEFAULT_WATERMAS_SETTINGS: WaterMASSettings = WATERMAS_DEFAULTS;

/** Checks ranges (the WaterMAS contract's limits, protocol/watermasSettings.ts); throws RangeError with the offending field. */
export function validateSettings(s: WaterMASSettings): void {
  const error = watermasSettingsError(s);
  if (error !== null) throw new RangeError(error);
}

/** Key-file form (margin ∞ is written as null). */
export function settingsToKey(s: WaterMASSettings): KeyObjectiveSettings {
  return { ...s, margin: Number.isFinite(s.margin) ? s.margin : null };
}

/** From the key-file form (keys written before antithetic / replicaBn / replicaBatch / balance existed get the 2020 values). */
export function settingsFromKey(k: KeyObjectiveSettings): WaterMASSettings {
  return {
    ...k,
    margin: k.margin ?? Infinity,
    antithetic: k.antithetic ?? RECIPE_2020_SETTINGS.antithetic,
    replicaBn: k.replicaBn ?? RECIPE_2020_SETTINGS.replicaBn,
    replicaBatch: k.replicaBatch ?? RECIPE_2020_SETTINGS.replicaBatch,
    balance: k.balance ?? RECIPE_2020_SETTINGS.balance,
  };
}
