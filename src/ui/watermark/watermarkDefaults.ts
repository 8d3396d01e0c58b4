/** Default watermark settings of the panel and the built-in 16x16 "WM" logo payload. */
import type { FcwConfig, UchidaConfig, WatermarkConfig, WatermarkMethodName, WatermarkPayload, WatermasMarkConfig } from '../../protocol/api';
import { FCW_DEFAULTS, UCHIDA_DEFAULTS, WATERMAS_DEFAULTS, WATERMAS_MARK_DEFAULTS } from '../../protocol/watermarkDefaults';
import { uiMethod } from './methods/registry';

/** 16x16 grey "WM" glyph: '#' = ink (255), '.' = background (0). */
const LOGO_ROWS = [
  '................',
  '................',
  '................',
  '................',
  '#.....#.#.....#.',
  '#.....#.##...##.',
  '#.....#.#.#.#.#.',
  '#..#..#.#..#..#.',
  '#..#..#.#.....#.',
  '#.#.#.#.#.....#.',
  '##...##.#.....#.',
  '#.....#.#.....#.',
  '................',
  '................',
  '................',
  '................',
];

/** The built-in logo payload: 16x16, one grey channel, white "WM" on black. */
export function builtInLogo(): WatermarkPayload {
  const pixels: number[] = [];
  for (const row of LOGO_ROWS) for (const ch of row) pixels.push(ch === '#' ? 255 : 0);
  return { kind: 'image', width: 16, height: 16, channels: 1, pixels, label: 'built-in WM logo' };
}

export const DEFAULT_TEXT = '© WM Lab 2026';
export const DEFAULT_RANDOM_BITS = 256;
/** Margin used when the user turns the hinge back on. */
export const DEFAULT_MARGIN = 0.5;

/**
 * What the Watermark panel holds: every method's fields at once, so switching methods keeps what
 * was typed. It is a WatermarkConfig as it stands (the engine reads the fields of its method).
 */
export type WatermarkForm = Omit<WatermasMarkConfig, 'method'> & {
  readonly method: WatermarkMethodName;
  readonly uchida?: UchidaConfig;
  readonly fcw?: FcwConfig;
};

/** The panel's form of a run's watermark (the panel only ever stores forms; none: the defaults). */
export function watermarkForm(config: WatermarkConfig | undefined): WatermarkForm {
  return (config ?? DEFAULT_WATERMARK) as WatermarkForm;
}

/**
 * The panel's defaults: no watermark until the user picks WaterMAS; then the WaterMAS defaults
 * of protocol/watermarkDefaults.ts, which the engine uses too (R = 2, σ = 0.01, λ = 0.5, margin
 * 0.5, replicas splitting half the batch, q = 0.5), and a text payload. The antithetic pairs and the
 * replicas' normalisation are left to the engine (they follow the mode).
 */
export const DEFAULT_WATERMARK: WatermarkForm = {
  method: 'none',
  payload: { kind: 'text', text: DEFAULT_TEXT },
  ...WATERMAS_MARK_DEFAULTS,
  replicaBatch: WATERMAS_DEFAULTS.replicaBatch,
  balance: WATERMAS_DEFAULTS.balance,
};

/** Number of payload bits (pixel values for an image) a payload asks for. */
export function payloadSize(p: WatermarkPayload): number {
  if (p.kind === 'random') return p.bits;
  if (p.kind === 'text') return new TextEncoder().encode(p.text).length * 8;
  return p.width * p.height * p.channels;
}

/** p-value for display, exact in log10 where the double underflows ("2.1e-22", "< 1e-300" never). */
export function formatPValue(p: number, log10: number): string {
  if (p >= 1e-3) return p.toPrecision(3);
  const e = Math.floor(log10);
  const m = Math.pow(10, log10 - e);
  return `${m.toFixed(1)}e${e}`;
}

/** Uchida defaults as the engine and `wmlab train --method uchida` (protocol/watermarkDefaults.ts). */
export const DEFAULT_UCHIDA: UchidaConfig = UCHIDA_DEFAULTS;

/** FCW defaults as the engine and the CLI (protocol/watermarkDefaults.ts). */
export const DEFAULT_FCW: FcwConfig = FCW_DEFAULTS;

/**
 * The config for a newly picked method: it keeps what was typed for the other methods, falls back
 * to the default text when the method cannot carry the payload (Uchida: no image) and adds the
 * method's own settings (its defaults) when the form has none yet.
 */
export function withMethod(config: WatermarkForm, method: WatermarkMethodName): WatermarkForm {
  const m = uiMethod(method);
  const payload = m.payloadKinds.length > 0 && !m.payloadKinds.includes(config.payload.kind) ? { kind: 'text' as const, text: DEFAULT_TEXT } : config.payload;
  return { ...config, method, payload, ...m.onPick(config) };
}
