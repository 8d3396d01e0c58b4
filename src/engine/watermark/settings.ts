import type { KeyObjectiveSettings } from './keyFile';

export type ReplicaMode = 'gaussian' | 'adversarial';

/** WaterMAS objective settings (methods.md §1.5); all may change between steps. */
export interface WaterMASSettings {
  /** R: number of Gaussian replicas; 0 = plain substitution (the control). Adversarial mode uses one replica when R ≥ 1. */
  readonly replicas: number;
  /** σ: standard deviation of the Gaussian replica noise on K (absolute, weight units). */
  readonly sigma: number;
  /** λ: weight of the replica term. */
  readonly lambda: number;
  readonly mode: ReplicaMode;
  /** ρ: radius of the adversarial replica (L2 norm over K). */
  readonly rho: number;
  /** m: hinge margin on the loss gap L(θ+ε) − L(θ); Infinity = unbounded form. */
  readonly margin: number;
}

/**
 * Defaults (our choice): R = 2 Gaussian replicas with σ = 0.01 (as the 2020 code's σ), λ = 0.5,
 * ρ = 0.05 for the adversarial mode, hinge margin m = 0.5 nats (bounded form on by default).
 */
export const DEFAULT_WATERMAS_SETTINGS: WaterMASSettings = {
  replicas: 2,
  sigma: 0.01,
  lambda: 0.5,
  mode: 'gaussian',
  rho: 0.05,
  margin: 0.5,
};

/** Checks ranges; throws RangeError with the offending field. */
export function validateSettings(s: WaterMASSettings): void {
  if (!Number.isInteger(s.replicas) || s.replicas < 0) throw new RangeError(`replicas must be an integer >= 0, got ${s.replicas}`);
  if (!(s.sigma >= 0) || !Number.isFinite(s.sigma)) throw new RangeError(`sigma must be finite and >= 0, got ${s.sigma}`);
  if (!(s.lambda >= 0) || !Number.isFinite(s.lambda)) throw new RangeError(`lambda must be finite and >= 0, got ${s.lambda}`);
  if (!(s.rho >= 0) || !Number.isFinite(s.rho)) throw new RangeError(`rho must be finite and >= 0, got ${s.rho}`);
  if (!(s.margin > 0)) throw new RangeError(`margin must be > 0 (Infinity = unbounded), got ${s.margin}`);
  if (s.mode !== 'gaussian' && s.mode !== 'adversarial') throw new RangeError(`mode must be gaussian or adversarial, got ${String(s.mode)}`);
}

/** Key-file form (margin ∞ is written as null). */
export function settingsToKey(s: WaterMASSettings): KeyObjectiveSettings {
  return { ...s, margin: Number.isFinite(s.margin) ? s.margin : null };
}

/** From the key-file form. */
export function settingsFromKey(k: KeyObjectiveSettings): WaterMASSettings {
  return { ...k, margin: k.margin ?? Infinity };
}
