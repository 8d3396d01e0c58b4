/**
 * `wmlab sweep report OUT`: the finished cells (their result.json files, the source of truth)
 * as one table (table.csv, table.json) and the plots a paper would show, as SVG:
 * accuracy vs R, BER (or trigger accuracy) vs attack strength per method, and the key-vs-control
 * sharpness ratio and paired gain vs R.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { keyVsControlOf, summaryToMarkdown, sweepSummary, sweepTable, tableToCsv, withReplicas, type CellResult } from '../../engine/sweep';
import { readFinished, writeFileAtomic } from './runner';
import { lineChartSvg, type ChartSeries } from './svgChart';

/** Every finished cell under OUT/cells. */
export function finishedCells(out: string): CellResult[] {
  const dir = join(out, 'cells');
  if (!existsSync(dir)) throw new Error(`${out}: no cells/ folder (is this a sweep's output folder?)`);
  const cells = readdirSync(dir).flatMap((id) => {
    const r = readFinished(out, id);
    return r ? [r] : [];
  });
  if (cells.length === 0) throw new Error(`${out}: no finished cells yet`);
  return cells.sort((a, b) => a.index - b.index);
}

/** The label of a cell's series: its varying settings except those on the x axis (and seeds, averaged). */
function seriesLabel(c: CellResult, except: readonly string[]): string {
  const parts = Object.entries(c.varying).filter(([k]) => !except.includes(k)).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  const method = String(c.report.method ?? 'none');
  return parts.length ? parts.join(' ') : method;
}

function group(cells: readonly CellResult[], except: readonly string[], point: (c: CellResult) => { x: number; y: number }[]): ChartSeries[] {
  const map = new Map<string, { x: number; y: number }[]>();
  for (const c of cells) {
    const pts = point(c);
    if (pts.length === 0) continue;
    const label = seriesLabel(c, except);
    map.set(label, [...(map.get(label) ?? []), ...pts]);
  }
  return [...map.entries()].map(([name, points]) => ({ name, points }));
}

const replicasOf = (c: CellResult) => (withReplicas(c.report.method) && typeof c.report.replicas === 'number' ? c.report.replicas : null);

/** Writes OUT/report/*; returns the files written (relative to OUT) and the table size. */
export function writeSweepReport(out: string): { cells: number; columns: number; files: string[] } {
  const cells = finishedCells(out);
  const table = sweepTable(cells);
  const dir = join(out, 'report');
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const write = (name: string, text: string) => {
    writeFileAtomic(join(dir, name), text);
    files.push(join('report', name));
  };
  write('table.csv', tableToCsv(table));
  write('table.json', `${JSON.stringify(table, null, 2)}\n`);
  const summary = sweepSummary(table);
  write('summary.md', summaryToMarkdown(summary));
  write('summary.json', `${JSON.stringify(summary, null, 2)}\n`);

  const byR = (y: (c: CellResult) => number | null) => (c: CellResult) => {
    const r = replicasOf(c);
    const v = y(c);
    return r === null || v === null ? [] : [{ x: r, y: v }];
  };
  const watermas = cells.filter((c) => replicasOf(c) !== null);
  if (watermas.length) {
    write('accuracy-vs-replicas.svg', lineChartSvg({
      title: 'Test accuracy vs replicas R', xLabel: 'replicas R', yLabel: 'test accuracy',
      series: group(watermas, ['replicas', 'seed'], byR((c) => (typeof c.report.testAccuracy === 'number' ? c.report.testAccuracy : null))),
    }));
    if (watermas.some((c) => keyVsControlOf(c))) {
      write('sharpness-vs-replicas.svg', lineChartSvg({
        title: 'Key vs matched controls: loss-rise ratio vs R', xLabel: 'replicas R', yLabel: 'key rise / control rise', yInclude: [1],
        series: group(watermas, ['replicas', 'seed'], byR((c) => keyVsControlOf(c)?.ratio ?? null)),
      }));
      const gains = table.rows.filter((r) => typeof r.pairedGain === 'number');
      if (gains.length) {
        const cellById = new Map(cells.map((c) => [c.id, c]));
        write('paired-gain-vs-replicas.svg', lineChartSvg({
          title: 'Paired gain: key rise over the R = 0 twin', xLabel: 'replicas R', yLabel: 'key rise ÷ twin key rise', yInclude: [1],
          series: group(gains.map((r) => cellById.get(String(r.id))!), ['replicas', 'seed'], byR((c) => {
            const row = table.rows.find((r) => r.id === c.id);
            return typeof row?.pairedGain === 'number' ? row.pairedGain : null;
          })),
        }));
      }
    }
  }
  const attacks = [...new Set(cells.flatMap((c) => c.attacks.flatMap((a) => a.rows.map((r) => String(r.attack)))))];
  for (const attack of attacks) {
    for (const evidence of ['ber', 'triggerAccuracy', 'accuracy'] as const) {
      const series = group(cells, ['seed'], (c) =>
        c.attacks.flatMap((a) => a.rows.filter((r) => r.attack === attack && typeof r[evidence] === 'number' && typeof r.strength === 'number').map((r) => ({ x: r.strength as number, y: r[evidence] as number }))),
      );
      if (series.length === 0) continue;
      const yLabel = evidence === 'ber' ? 'bit error rate' : evidence === 'triggerAccuracy' ? 'trigger accuracy' : 'test accuracy';
      write(`${evidence === 'ber' ? 'ber' : evidence === 'triggerAccuracy' ? 'trigger-accuracy' : 'accuracy'}-vs-${attack}.svg`, lineChartSvg({
        title: `${yLabel[0].toUpperCase()}${yLabel.slice(1)} under ${attack}`, xLabel: `${attack} strength`, yLabel, series,
        ...(evidence === 'ber' ? { yInclude: [0, 0.5] } : {}),
      }));
    }
  }
  return { cells: cells.length, columns: table.columns.length, files };
}
