/**
 * A small static line chart as SVG text, for `wmlab sweep report`: one line per series through
 * the per-x means, every cell's value as a dot, nice ticks from d3-scale, a legend. Readable in a
 * browser, an editor or a paper draft; no DOM needed.
 */
import { scaleLinear } from 'd3-scale';

export interface ChartSeries {
  readonly name: string;
  /** Every measured value (several per x when seeds repeat). */
  readonly points: readonly { readonly x: number; readonly y: number }[];
}

export interface ChartSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
  /** Force the y range to include these values (e.g. 0 and 0.5 for BER). */
  readonly yInclude?: readonly number[];
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (v: number) => (v === 0 ? '0' : Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3 ? v.toExponential(1) : String(Number(v.toPrecision(4))));

/** The chart as a standalone SVG document. */
export function lineChartSvg(c: ChartSpec): string {
  const W = 640, H = 400, left = 72, right = 170, top = 40, bottom = 56;
  const all = c.series.flatMap((s) => s.points);
  const xs = all.map((p) => p.x);
  const ys = [...all.map((p) => p.y), ...(c.yInclude ?? [])];
  const x = scaleLinear().domain(xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1]).range([left, W - right]);
  const y = scaleLinear().domain(ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1]).range([H - bottom, top]);
  if (x.domain()[0] === x.domain()[1]) x.domain([x.domain()[0] - 1, x.domain()[0] + 1]);
  if (y.domain()[0] === y.domain()[1]) y.domain([y.domain()[0] - 1, y.domain()[0] + 1]);
  x.nice();
  y.nice();
  const parts: string[] = [];
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(`<text x="${W / 2 - right / 2 + left / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600">${esc(c.title)}</text>`);
  for (const t of y.ticks(6)) {
    parts.push(`<line x1="${left}" x2="${W - right}" y1="${y(t)}" y2="${y(t)}" stroke="#e4e4e4"/>`);
    parts.push(`<text x="${left - 6}" y="${y(t) + 4}" text-anchor="end" font-size="11">${fmt(t)}</text>`);
  }
  for (const t of x.ticks(8)) {
    parts.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${H - bottom}" y2="${H - bottom + 5}" stroke="#333"/>`);
    parts.push(`<text x="${x(t)}" y="${H - bottom + 18}" text-anchor="middle" font-size="11">${fmt(t)}</text>`);
  }
  parts.push(`<line x1="${left}" x2="${W - right}" y1="${H - bottom}" y2="${H - bottom}" stroke="#333"/>`);
  parts.push(`<line x1="${left}" x2="${left}" y1="${top}" y2="${H - bottom}" stroke="#333"/>`);
  parts.push(`<text x="${(left + W - right) / 2}" y="${H - 14}" text-anchor="middle" font-size="12">${esc(c.xLabel)}</text>`);
  parts.push(`<text transform="translate(18 ${(top + H - bottom) / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(c.yLabel)}</text>`);
  c.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const byX = new Map<number, number[]>();
    for (const p of s.points) byX.set(p.x, [...(byX.get(p.x) ?? []), p.y]);
    const means = [...byX.entries()].sort((a, b) => a[0] - b[0]).map(([px, v]) => [px, v.reduce((a, b) => a + b, 0) / v.length] as const);
    if (means.length > 1) {
      parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${means.map(([px, py]) => `${x(px).toFixed(1)},${y(py).toFixed(1)}`).join(' ')}"/>`);
    }
    for (const p of s.points) parts.push(`<circle cx="${x(p.x).toFixed(1)}" cy="${y(p.y).toFixed(1)}" r="3" fill="${color}" fill-opacity="0.6"/>`);
    const ly = top + 8 + i * 18;
    parts.push(`<line x1="${W - right + 14}" x2="${W - right + 34}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<text x="${W - right + 40}" y="${ly + 4}" font-size="11">${esc(s.name.length > 22 ? `${s.name.slice(0, 21)}…` : s.name)}</text>`);
  });
  if (c.series.length === 0) parts.push(`<text x="${(left + W - right) / 2}" y="${H / 2}" text-anchor="middle" font-size="12" fill="#777">no data</text>`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">\n${parts.join('\n')}\n</svg>\n`;
}
