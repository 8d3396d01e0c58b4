/**
 * A finished cell's record (`cells/<id>/result.json`, one line of `results.jsonl`) and the one
 * table every view of a sweep shows: `wmlab sweep report` (CSV, JSON, plots) and the browser's
 * Runs comparison (import of results.jsonl). Pure: no file system, no tfjs.
 */
import { z } from 'zod';
import { canonicalJson, twinIdentity } from './cells';
import { methodInfo } from '../methods/info';
import type { SweepTable, SweepTableValue } from '../../protocol/runs';

/** What one cell produced: its settings, the training report and every step's result. */
export interface CellResult {
  readonly sweep: string;
  readonly id: string;
  readonly index: number;
  readonly varying: Readonly<Record<string, unknown>>;
  /** The cell's full `wmlab train` options. */
  readonly train: Readonly<Record<string, unknown>>;
  /** `wmlab train`'s report.json. */
  readonly report: Readonly<Record<string, unknown>>;
  readonly attacks: readonly { readonly file: string; readonly options: Readonly<Record<string, unknown>>; readonly rows: readonly Readonly<Record<string, unknown>>[] }[];
  /** Each landscape's `sharpness` block (the full JSON stays in the cell's file). */
  readonly landscapes: readonly { readonly file: string; readonly options: Readonly<Record<string, unknown>>; readonly sharpness: Readonly<Record<string, unknown>> }[];
  readonly verify?: Readonly<Record<string, unknown>>;
  /** Step files that do not apply to this cell's method (e.g. landscapes of an FCW model). */
  readonly notApplicable: readonly string[];
  /** Wall time of the cell's steps run in this attempt (finished steps reused are not counted). */
  readonly seconds: number;
  readonly finishedAt: string;
}

const record = z.record(z.string(), z.unknown());
const cellResultSchema = z.object({
  sweep: z.string(),
  id: z.string().min(1),
  index: z.number().int().min(0),
  varying: record,
  train: record,
  report: record,
  attacks: z.array(z.object({ file: z.string(), options: record, rows: z.array(record) })),
  landscapes: z.array(z.object({ file: z.string(), options: record, sharpness: record })),
  verify: record.optional(),
  notApplicable: z.array(z.string()),
  seconds: z.number(),
  finishedAt: z.string(),
});

/** Checks one parsed record; the message says what is wrong. */
export function parseCellResult(value: unknown, where: string): CellResult {
  const r = cellResultSchema.safeParse(value);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new Error(`${where}: not a sweep cell result (${i?.path.join('.') || 'record'}: ${i?.message})`);
  }
  return r.data as CellResult;
}

/**
 * The records of a results.jsonl text (blank lines ignored). A cell appended twice (a re-run
 * after a crash between finishing and appending) is kept once: its last line.
 */
export function parseResultsJsonl(text: string, source = 'results.jsonl'): CellResult[] {
  const byId = new Map<string, CellResult>();
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`${source} line ${i + 1}: not JSON`);
    }
    const cell = parseCellResult(value, `${source} line ${i + 1}`);
    byId.delete(cell.id);
    byId.set(cell.id, cell);
  });
  if (byId.size === 0) throw new Error(`${source}: no cell results (is this a sweep's results.jsonl?)`);
  return [...byId.values()];
}

/** The sweep as one table: a row per cell, a column per setting and measurement (the protocol's type: the browser shows it too). */
export type { SweepTable };
export type TableValue = SweepTableValue;

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The key-vs-control measure of a cell's first landscape that has one (`landscape --controls N`). */
export function keyVsControlOf(cell: CellResult): { keyRise: number; controlRise: number; ratio: number | null; flipDrop: number | null } | null {
  for (const l of cell.landscapes) {
    const k = l.sharpness.keyVsControl as Record<string, unknown> | undefined;
    if (!k) continue;
    const keyRise = num(k.keyRise);
    const controlRise = num(k.controlRise);
    if (keyRise === null || controlRise === null) continue;
    const flip = k.flip as Record<string, unknown> | undefined;
    return { keyRise, controlRise, ratio: num(k.ratio), flipDrop: flip ? num(flip.keyAccuracyDrop) : null };
  }
  return null;
}

/** True when `method` names a method whose objective has replicas R (WaterMAS: R = 0 is a marked cell's twin). */
export function withReplicas(method: unknown): boolean {
  return methodInfo(method)?.hasReplicas === true;
}

/**
 * One row per cell: its varying settings, the trained model's accuracy and evidence, each attack
 * strength's accuracy and evidence (BER for bit marks, trigger accuracy for FCW), the landscape's
 * key-vs-control sharpness and, for a marked WaterMAS cell whose R = 0 twin (same settings but
 * the objective) is in the sweep, the paired gain: its key rise over the twin's.
 */
export function sweepTable(cells: readonly CellResult[]): SweepTable {
  const sorted = [...cells].sort((a, b) => a.index - b.index || a.id.localeCompare(b.id));
  const varyingNames = [...new Set(sorted.flatMap((c) => Object.keys(c.varying)))];
  const twins = new Map<string, CellResult>();
  for (const c of sorted) {
    if (withReplicas(c.train.method) && (c.train.replicas ?? 0) === 0) twins.set(twinIdentity(c.train), c);
  }
  const columns = new Set<string>(['id', ...varyingNames, 'method', 'model', 'replicas', 'seed', 'testAccuracy', 'ber', 'pValue', 'detected', 'trainSeconds']);
  const rows = sorted.map((c) => {
    const row: Record<string, TableValue> = { id: c.id };
    for (const n of varyingNames) row[n] = scalar(c.varying[n]);
    row.method = scalar(c.report.method ?? c.train.method ?? 'none');
    row.model = scalar(c.report.model ?? c.train.model);
    row.replicas = withReplicas(c.report.method) ? num(c.report.replicas) : null;
    row.seed = num(c.report.seed);
    row.testAccuracy = num(c.report.testAccuracy);
    row.ber = num(c.report.ber);
    row.pValue = num(c.report.pValue);
    row.detected = typeof c.report.detected === 'boolean' ? c.report.detected : null;
    row.trainSeconds = num(c.report.seconds);
    for (const a of c.attacks) {
      for (const r of a.rows) {
        const label = `${String(r.attack)}@${String(r.strength)}`;
        row[`${label} accuracy`] = num(r.accuracy);
        columns.add(`${label} accuracy`);
        const evidence = 'ber' in r ? 'ber' : 'triggerAccuracy' in r ? 'triggerAccuracy' : null;
        if (evidence) {
          row[`${label} ${evidence}`] = num(r[evidence]);
          columns.add(`${label} ${evidence}`);
        }
      }
    }
    const kvc = keyVsControlOf(c);
    if (kvc) {
      Object.assign(row, { keyRise: kvc.keyRise, controlRise: kvc.controlRise, keyVsControl: kvc.ratio, flipAccuracyDrop: kvc.flipDrop });
      for (const k of ['keyRise', 'controlRise', 'keyVsControl', 'flipAccuracyDrop']) columns.add(k);
      const twin = withReplicas(c.train.method) && (c.train.replicas ?? 0) !== 0 ? twins.get(twinIdentity(c.train)) : undefined;
      const twinKvc = twin && keyVsControlOf(twin);
      if (twinKvc) {
        row.twin = twin.id;
        row.pairedGain = twinKvc.keyRise > 0 ? kvc.keyRise / twinKvc.keyRise : null;
        columns.add('twin');
        columns.add('pairedGain');
      }
    }
    if (c.verify) {
      row.verifyBer = num(c.verify.ber);
      row.verifyDetected = typeof c.verify.detected === 'boolean' ? c.verify.detected : null;
      columns.add('verifyBer');
      columns.add('verifyDetected');
    }
    return row;
  });
  const cols = [...columns];
  return { settings: varyingNames, columns: cols, rows: rows.map((r) => Object.fromEntries(cols.map((k) => [k, r[k] ?? null]))) };
}

function scalar(v: unknown): TableValue {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  return canonicalJson(v);
}

/** RFC 4180 CSV of the table (numbers as JSON writes them, empty for null). */
export function tableToCsv(table: SweepTable): string {
  const cell = (v: TableValue) => {
    if (v === null) return '';
    const s = String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [table.columns.map((c) => cell(c)).join(','), ...table.rows.map((r) => table.columns.map((c) => cell(r[c] ?? null)).join(','))].join('\n') + '\n';
}

/** The measurements the summary averages over seeds (when the table has them). */
export const SUMMARY_METRICS = ['testAccuracy', 'keyRise', 'controlRise', 'keyVsControl', 'flipAccuracyDrop', 'pairedGain', 'trainSeconds'] as const;

/** One row per setting: the cells that differ only in `seed`, with mean and sample standard deviation of each metric. */
export interface SummaryRow {
  readonly setting: Readonly<Record<string, TableValue>>;
  readonly seeds: readonly number[];
  readonly metrics: Readonly<Record<string, { readonly mean: number; readonly sd: number | null; readonly n: number }>>;
}

/**
 * The table grouped over seeds: a row per setting of the varying options other than `seed` (in
 * the table's order), the mean ± sd of every summary metric over its cells. What a paper's table
 * shows, and what a sharpness claim needs (the spread over seeds next to the mean).
 */
export function sweepSummary(table: SweepTable): SummaryRow[] {
  const keys = table.settings.filter((c) => c !== 'seed');
  const groups = new Map<string, Readonly<Record<string, TableValue>>[]>();
  for (const row of table.rows) {
    const k = canonicalJson(keys.map((c) => row[c] ?? null));
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return [...groups.values()].map((rows) => {
    const metrics: Record<string, { mean: number; sd: number | null; n: number }> = {};
    for (const m of SUMMARY_METRICS) {
      const xs = rows.map((r) => r[m]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      if (xs.length === 0) continue;
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : null;
      metrics[m] = { mean, sd, n: xs.length };
    }
    return {
      setting: Object.fromEntries(keys.map((c) => [c, rows[0]![c] ?? null])),
      seeds: rows.map((r) => r.seed).filter((s): s is number => typeof s === 'number'),
      metrics,
    };
  });
}

/**
 * The summary as a Markdown table (3 significant digits, "mean ± sd"; "(2 of 3)" when a metric
 * exists for fewer cells than the setting has, e.g. a paired gain whose twin's rise is not > 0;
 * "–" where it is absent).
 */
export function summaryToMarkdown(rows: readonly SummaryRow[]): string {
  if (rows.length === 0) return '';
  const settingCols = Object.keys(rows[0]!.setting);
  const metricCols = SUMMARY_METRICS.filter((m) => rows.some((r) => r.metrics[m]));
  const fmt = (v: number) => (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4) ? v.toExponential(2) : String(Number(v.toPrecision(3))));
  const head = [...(settingCols.length ? settingCols : ['setting']), 'seeds', ...metricCols];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const setting = settingCols.length ? settingCols.map((c) => (r.setting[c] === null ? '–' : String(r.setting[c]))) : ['all'];
    const metrics = metricCols.map((m) => {
      const x = r.metrics[m];
      if (!x) return '–';
      const fewer = x.n < r.seeds.length ? ` (${x.n} of ${r.seeds.length})` : '';
      return `${fmt(x.mean)}${x.sd !== null ? ` ± ${fmt(x.sd)}` : ''}${fewer}`;
    });
    lines.push(`| ${[...setting, r.seeds.join(', '), ...metrics].join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}
