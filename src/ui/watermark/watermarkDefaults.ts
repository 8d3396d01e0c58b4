/** Default watermark settings of the panel and the built-in 16x16 "WM" logo payload. */
import type { FcwConfig, UchidaConfig, WatermarkConfig, WatermarkPayload } from '../../protocol/api';

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
 * The panel's defaults: no watermark until the user picks WaterMAS; then the engine defaults
 * (R = 2, σ = 0.01, λ = 0.5, margin 0.5, replicas splitting the batch, q = 0.5) and a text
 * payload (tests/unit/workers/methodsDefaults.test.ts checks them against the engine's).
 */
export const DEFAULT_WATERMARK: WatermarkConfig = {
  method: 'none',
  payload: { kind: 'text', text: DEFAULT_TEXT },
  strength: 0.5,
  key: { kind: 'random' },
  replicas: 2,
  sigma: 0.01,
  lambda: 0.5,
  mode: 'gaussian',
  rho: 0.05,
  margin: DEFAULT_MARGIN,
  replicaBatch: 'split',
  balance: 'loss',
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

/**
 * Uchida defaults as the engine and `wmlab train --method uchida`: the engine's default layer
 * (first conv kernel with M >= bits), λ = 0.01 (UCHIDA_DEFAULT_LAMBDA; the UI cannot import the
 * engine, tests/unit/workers/methodsDefaults.test.ts checks that they agree).
 */
export const DEFAULT_UCHIDA: UchidaConfig = { layer: '', lambda: 0.01 };

/** FCW defaults as the engine and the CLI: 30 direct triggers, r = 0.5, 10 per batch, 0.2 % of the conv weights every 10 steps. */
export const DEFAULT_FCW: FcwConfig = { triggers: 30, mode: 'direct', ratio: 0.5, perBatch: 10, maskFraction: 0.002, maskPeriod: 10 };

/** The config for a newly picked method: Uchida cannot carry an image payload (it falls back to the default text). */
export function withMethod(config: WatermarkConfig, method: WatermarkConfig['method']): WatermarkConfig {
  const payload = method === 'uchida' && config.payload.kind === 'image' ? { kind: 'text' as const, text: DEFAULT_TEXT } : config.payload;
  return {
    ...config,
    method,
    payload,
    ...(method === 'uchida' ? { uchida: config.uchida ?? DEFAULT_UCHIDA } : {}),
    ...(method === 'fcw' ? { fcw: config.fcw ?? DEFAULT_FCW } : {}),
  };
}
