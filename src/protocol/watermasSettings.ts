/**
 * WaterMAS objective settings: the choices and limits the engine (validateSettings, the live
 * settings of a run), the URL registry and `wmlab train` check against, each written once
 * (issue 18; the defaults are in watermarkDefaults.ts).
 *
 * Limits: where the places differed, the widest of them that is still sane was kept (each limit
 * below says where it comes from), so every setting one of them accepted for a real use stays valid.
 */
import { z } from 'zod';
import { limitSchema, limitText, withinLimit, type NumberLimit } from './training';
import type { WatermarkLiveSettings } from './watermark';

/** How a replica perturbs the marks (engine/watermark/settings.ts documents each). */
export const REPLICA_MODES = ['gaussian', 'relative', 'flip', 'adversarial'] as const;
/** BatchNorm statistics in the replica passes: their own batch statistics, or the clean pass's. */
export const REPLICA_BN_MODES = ['batch', 'clean'] as const;
/** The images each replica pass sees: the whole batch, its slice of it, or its slice of the batch's first half. */
export const REPLICA_BATCH_MODES = ['full', 'split', 'half'] as const;
/** What λ scales: the replica term in the loss, or the push as a share of the task gradient's norm. */
export const BALANCE_MODES = ['loss', 'gradient'] as const;

export type NumericWatermasSetting = 'replicas' | 'sigma' | 'lambda' | 'rho' | 'margin';

/** The limits of the numeric WaterMAS settings (margin: also Infinity, "off"). */
export const WATERMAS_LIMITS: Readonly<Record<NumericWatermasSetting, NumberLimit>> = {
  // 0..16: the engine's limit on a run's (and a live change's) R; the URL and the CLI took up to 64,
  // which the run then refused.
  replicas: { int: true, min: 0, max: 16 },
  // <= 10: the URL's and the CLI's limit (the engine: finite). Flip mode: at most 1 (a fraction of the marks).
  sigma: { min: 0, max: 10 },
  // <= 1e6: the CLI's limit (the URL stopped at 1000; the engine: finite). Large λ is how a class
  // sees a run diverge (the forced-NaN browser case uses 10 000).
  lambda: { min: 0, max: 1e6 },
  // <= 100: the URL's and the CLI's limit (the engine: finite).
  rho: { min: 0, max: 100 },
  // > 0: the engine's (the CLI took 0, which the run refused); <= 1e6: the CLI had none, the URL 1000.
  margin: { min: 0, minExclusive: true, max: 1e6 },
};

/** In flip mode σ is the fraction of marks each replica flips. */
export const FLIP_SIGMA_MAX = 1;

/** How a setting's name reads in messages ("σ (sigma) must be in [0, 10], got 11"). */
export const WATERMAS_SETTING_LABELS: Readonly<Record<keyof WatermarkLiveSettings, string>> = {
  replicas: 'R',
  sigma: 'σ (sigma)',
  lambda: 'λ (lambda)',
  rho: 'ρ (rho)',
  margin: 'margin m',
  mode: 'replica mode',
  antithetic: 'antithetic',
  replicaBn: 'replica BatchNorm mode',
  replicaBatch: 'replica batch mode',
  balance: 'balance',
};

const show = (v: unknown): string => (typeof v === 'string' ? `"${v}"` : String(v));

/** The limit's text; the margin's adds its "off". */
export function watermasLimitText(setting: NumericWatermasSetting): string {
  return `${limitText(WATERMAS_LIMITS[setting])}${setting === 'margin' ? ' or Infinity (off)' : ''}`;
}

/** Whether a value is within a numeric setting's limit (the margin may also be Infinity). */
export function withinWatermasLimit(setting: NumericWatermasSetting, v: unknown): v is number {
  return (setting === 'margin' && v === Infinity) || withinLimit(WATERMAS_LIMITS[setting], v);
}

const choices: Readonly<Record<'mode' | 'replicaBn' | 'replicaBatch' | 'balance', readonly string[]>> = {
  mode: REPLICA_MODES,
  replicaBn: REPLICA_BN_MODES,
  replicaBatch: REPLICA_BATCH_MODES,
  balance: BALANCE_MODES,
};

/**
 * The first reason (partial) WaterMAS settings are invalid, one line, or null. Only the fields
 * present are checked: a run's full settings and a live change (some of them) go through the same check.
 */
export function watermasSettingsError(s: Partial<Record<keyof WatermarkLiveSettings, unknown>>): string | null {
  for (const k of ['replicas', 'sigma', 'lambda', 'rho', 'margin'] as const) {
    if (s[k] !== undefined && !withinWatermasLimit(k, s[k])) return `${WATERMAS_SETTING_LABELS[k]} must be ${watermasLimitText(k)}, got ${show(s[k])}`;
  }
  for (const k of ['mode', 'replicaBn', 'replicaBatch', 'balance'] as const) {
    if (s[k] !== undefined && !choices[k].includes(s[k] as string)) return `unknown ${WATERMAS_SETTING_LABELS[k]} ${show(s[k])} (${choices[k].join(', ')})`;
  }
  if (s.antithetic !== undefined && typeof s.antithetic !== 'boolean') return `antithetic must be true or false, got ${show(s.antithetic)}`;
  if (s.mode === 'flip' && typeof s.sigma === 'number' && s.sigma > FLIP_SIGMA_MAX) {
    return `σ (sigma) is the fraction of marks flipped in flip mode: at most ${FLIP_SIGMA_MAX}, got ${s.sigma}`;
  }
  return null;
}

/** A zod schema of one numeric setting (the URL registry reads one field at a time), with `label` in its message. */
export function watermasLimitSchema(setting: NumericWatermasSetting, label: string): z.ZodType<number> {
  if (setting !== 'margin') return limitSchema(WATERMAS_LIMITS[setting], label);
  return z.custom<number>((v) => withinWatermasLimit('margin', v), { error: (iss) => `${label} must be ${watermasLimitText('margin')}, got ${show(iss.input)}` });
}
