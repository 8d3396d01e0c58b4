/** Display of an imported sweep table (src/ui/runs/comparison/SweepImport.tsx): one readable text per value. */
import type { SweepTableValue } from '../../../protocol/api';

/** Columns holding fractions shown as percentages: accuracies (incl. trigger accuracy) and accuracy drops. */
export function isPercentColumn(column: string): boolean {
  return /accuracy/i.test(column);
}

/** Columns holding p-values (scientific notation). */
export function isPValueColumn(column: string): boolean {
  return /(^|\s)p-?value$/i.test(column);
}

/** A number to about 4 significant digits: whole numbers as they are, very large or small ones in scientific notation. */
export function formatSignificant(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return x.toExponential(3);
  return String(Number(x.toPrecision(4)));
}

/** One cell of the sweep table as the page shows it ("98.4 %", "3.05e-12", "0.1234", "yes", "–"). */
export function formatSweepValue(column: string, v: SweepTableValue): string {
  if (v === null) return '–';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return String(v);
  if (isPercentColumn(column)) return `${(v * 100).toFixed(1)} %`;
  if (isPValueColumn(column)) return v === 0 ? '0' : v.toExponential(2);
  return formatSignificant(v);
}

/** The CSV file's name: the sweep's name (letters, digits, dashes) + "-table.csv", as `wmlab sweep report` names it table.csv. */
export function sweepCsvName(sweeps: readonly string[]): string {
  const base = sweeps.length === 1 ? sweeps[0].normalize('NFKD').replace(/[^\w.-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '').slice(0, 80) : '';
  return `${base || 'sweep'}-table.csv`;
}
