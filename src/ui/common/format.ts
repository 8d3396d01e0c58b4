/** Small display formatters shared by the panels. */

/** 1234567 -> "1.23 M", 12345 -> "12.3 k". */
export function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)} k`;
  return n.toLocaleString('en-US');
}

/** Seconds -> "1 h 02 min", "3 min 05 s", "12 s". */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${s} s`;
}

/** 0.8123 -> "81.2 %". */
export function formatPercent(x: number | null, digits = 1): string {
  return x === null || !Number.isFinite(x) ? '–' : `${(x * 100).toFixed(digits)} %`;
}

/** Milliseconds with sensible precision ("12.3 ms", "450 ms", "27.0 s"). */
export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '–';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  return ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`;
}

/** Error of unknown type -> message. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Images per second: one decimal below 10 ("0.6 img/s"), whole numbers above. */
export function formatRate(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return '–';
  return `${x < 10 ? x.toFixed(1) : Math.round(x).toLocaleString('en-US')} img/s`;
}

/** Small numbers in scientific notation ("4.21e-5"), others with two decimals; "–" when not finite. */
export function formatSci(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '–';
  return v !== 0 && (Math.abs(v) < 0.01 || Math.abs(v) >= 1e4) ? v.toExponential(2) : v.toFixed(2);
}
