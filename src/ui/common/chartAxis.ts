/**
 * Value axes with nice round ticks and a width that fits their labels, for the recharts charts:
 * d3-scale's `nice` / `ticks` / `tickFormat` (0, 0.5, 1, 1.5 rather than 1.98, 2.73, 3.48; 2e-4,
 * 4e-4 rather than "00e-4"), and the width measured from the longest label instead of a fixed
 * 48–52 px that clips "−0.0004" or "1,000".
 */
import { scaleLinear } from 'd3-scale';

export interface NiceAxis {
  readonly domain: readonly [number, number];
  readonly ticks: readonly number[];
  readonly format: (v: number) => string;
  /** Pixels for the tick labels (plus the rotated axis label when `labelled`). */
  readonly width: number;
}

export interface NiceAxisOptions {
  /** About how many ticks (d3 picks 1, 2 or 5 × a power of ten near it). Default 5. */
  readonly count?: number;
  /**
   * Values the domain must include besides the data (e.g. 0, or a threshold line); a chart's
   * `[lo | 'auto', hi | 'auto']` bounds may be given as is (its numbers are included: the data
   * still extends the axis beyond them, as recharts extends a fixed domain to its data).
   */
  readonly include?: readonly (number | 'auto')[];
  /** Tick label font size in px (the projector theme's is larger). Default 12. */
  readonly fontSize?: number;
  /** The axis carries a rotated label (`label={{ angle: -90 }}`): leaves room for it. */
  readonly labelled?: boolean;
  /** Tick labels in a format of the chart's own (e.g. percent); default: d3's for the tick step. */
  readonly format?: (v: number) => string;
}

/** Below this magnitude (largest |tick|), ticks are written in scientific notation. */
const SCIENTIFIC_BELOW = 1e-2;
/** At or above this magnitude too (no "100000" labels). */
const SCIENTIFIC_FROM = 1e5;

/** A nice axis over the finite values in `values` (nulls, NaN and ±Infinity are skipped). */
export function niceAxis(values: Iterable<number | null | undefined>, opts: NiceAxisOptions = {}): NiceAxis {
  const count = opts.count ?? 5;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (typeof v === 'number' && Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  for (const v of opts.include ?? []) {
    if (v === 'auto') continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (!Number.isFinite(lo)) [lo, hi] = [0, 1];
  if (lo === hi) {
    const pad = Math.abs(lo) * 0.05 || 1;
    [lo, hi] = [lo - pad, hi + pad];
  }
  const scale = scaleLinear().domain([lo, hi]).nice(count);
  const [d0, d1] = scale.domain() as [number, number];
  const ticks = scale.ticks(count);
  const magnitude = Math.max(...ticks.map(Math.abs));
  const scientific = magnitude > 0 && (magnitude < SCIENTIFIC_BELOW || magnitude >= SCIENTIFIC_FROM);
  const d3Format = scale.tickFormat(count, scientific ? '~e' : ',~f');
  const format = opts.format ?? ((v: number) => (v === 0 ? '0' : d3Format(v)));
  const longest = Math.max(...ticks.map((t) => format(t).length));
  const fontSize = opts.fontSize ?? 12;
  const width = Math.ceil(longest * fontSize * 0.62 + 10 + (opts.labelled ? fontSize + 6 : 0));
  return { domain: [d0, d1], ticks, format, width };
}

/** The recharts `<YAxis>` / `<XAxis>` props of a nice axis (every tick shown). */
export function axisProps(a: NiceAxis) {
  return { width: a.width, domain: [a.domain[0], a.domain[1]] as [number, number], ticks: [...a.ticks], tickFormatter: a.format, interval: 0 as const };
}
