/** DOM-free helpers of the Attack and Landscape panels (unit-tested in tests/unit/ui). */

/** "0, 1, 2.5" -> [0, 1, 2.5]; null when empty or when a part is not a number >= 0. */
export function parseStrengths(text: string): number[] | null {
  const parts = text.split(/[\s,;]+/).filter((p) => p.length > 0);
  if (parts.length === 0) return null;
  const v = parts.map(Number);
  return v.every((x) => Number.isFinite(x) && x >= 0) ? v : null;
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows of plain objects as CSV text (header line first), with the given columns in order. */
export function toCsv(rows: readonly Readonly<Record<string, unknown>>[], columns: readonly string[]): string {
  return [columns.join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(','))].join('\n') + '\n';
}

/** Nearest-neighbour fill of not-yet-computed cells is O(n⁴): only for grids up to this size. */
export const FILL_LIMIT = 41;

/**
 * Display values of a progressive n x n grid (row-major, NaN = not computed yet): each missing
 * cell takes its nearest computed cell's value (ties: the first in row-major order), so the
 * coarse grid shows as blocks that refine as cells arrive. Our choice; above FILL_LIMIT, or
 * with nothing computed yet, the values are returned as they are.
 */
export function fillNearest(values: readonly number[], n: number): number[] {
  const known: number[] = [];
  for (let k = 0; k < values.length; k++) if (Number.isFinite(values[k])) known.push(k);
  if (known.length === 0 || known.length === values.length || n > FILL_LIMIT) return [...values];
  return values.map((v, k) => {
    if (Number.isFinite(v)) return v;
    const i = k % n;
    const j = Math.floor(k / n);
    let best = known[0];
    let bestD = Infinity;
    for (const q of known) {
      const d = ((q % n) - i) ** 2 + (Math.floor(q / n) - j) ** 2;
      if (d < bestD) {
        bestD = d;
        best = q;
      }
    }
    return values[best];
  });
}

/** [min, max] of the finite values ([Infinity, -Infinity] when there are none). */
export function finiteRange(values: readonly number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  return [lo, hi];
}
