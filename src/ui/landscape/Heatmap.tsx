import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';
import { contours } from 'd3-contour';
import { interpolateViridis } from 'd3-scale-chromatic';
import { fillNearest } from '../common/analysisData';

export interface HeatmapProps {
  /** Values row-major [j * n + i] (i along x, j along y, y increasing upwards); NaN = not computed yet. */
  readonly values: readonly number[];
  readonly n: number;
  /** Axes run from -radius to radius. */
  readonly radius: number;
  /** Colour domain [lo, hi] in the same (already transformed) units as `values`; shared between compared maps. */
  readonly domain: readonly [number, number];
  readonly xLabel: string;
  readonly yLabel: string;
  readonly title: string;
  /** Legend text of the colour bar, e.g. "log10 loss". */
  readonly valueLabel: string;
  readonly testId?: string;
  readonly contourCount?: number;
}

export interface HeatmapHandle {
  readonly canvas: HTMLCanvasElement | null;
}

const W = 430;
const H = 380;
const M = { left: 56, right: 74, top: 28, bottom: 46 };
/** A 2-D heatmap with contour lines on a canvas (viridis colours, axis labels, a marker at the centre). */
export const Heatmap = forwardRef<HeatmapHandle, HeatmapProps>(function Heatmap(p, ref) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  useImperativeHandle(ref, () => ({ get canvas() { return canvasRef.current; } }), []);
  const { values, n, radius, domain, xLabel, yLabel, title, valueLabel, contourCount = 10 } = p;

  useEffect(() => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const dpr = globalThis.devicePixelRatio || 1;
    canvas.width = W * dpr;
    canvas.height = H * dpr;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, W, H);
    const pw = W - M.left - M.right;
    const ph = H - M.top - M.bottom;
    const [lo, hi] = domain;
    const t = (v: number) => (hi > lo ? Math.min(1, Math.max(0, (v - lo) / (hi - lo))) : 0.5);
    const shown = fillNearest(values, n);
    const cw = pw / n;
    const ch = ph / n;
    // Cells (j = 0 at the bottom).
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        const v = shown[j * n + i];
        ctx.fillStyle = Number.isFinite(v) ? interpolateViridis(t(v)) : '#eef1f4';
        ctx.fillRect(M.left + i * cw, M.top + ph - (j + 1) * ch, Math.ceil(cw), Math.ceil(ch));
      }
    }
    // Contour lines over the (filled) values; grid coordinates (cell centres at k + 0.5) -> pixels.
    if (shown.every(Number.isFinite) && hi > lo && n >= 3) {
      const levels = Array.from({ length: contourCount }, (_, k) => lo + ((k + 1) * (hi - lo)) / (contourCount + 1));
      const polys = contours().size([n, n]).thresholds(levels)(shown);
      ctx.lineWidth = 1;
      ctx.strokeStyle = 'rgba(255,255,255,0.75)';
      // d3-contour's coordinates are in cell units ([0, n], sample k at the centre k + 0.5), like the cells drawn above.
      const px = (x: number) => M.left + x * cw;
      const py = (y: number) => M.top + ph - y * ch;
      for (const mp of polys) {
        for (const poly of mp.coordinates) {
          for (const ring of poly) {
            ctx.beginPath();
            ring.forEach(([x, y], k) => (k === 0 ? ctx.moveTo(px(x), py(y)) : ctx.lineTo(px(x), py(y))));
            ctx.stroke();
          }
        }
      }
    }
    // Frame, ticks and labels.
    ctx.strokeStyle = '#56606b';
    ctx.strokeRect(M.left, M.top, pw, ph);
    ctx.fillStyle = '#1f2933';
    ctx.font = '12px system-ui, sans-serif';
    ctx.textAlign = 'center';
    const ticks = [-radius, -radius / 2, 0, radius / 2, radius];
    const fmt = (v: number) => String(Number(v.toPrecision(3)));
    for (const v of ticks) {
      // Grid points sit at cell centres: α = −r at the centre of the first cell.
      const x = M.left + cw / 2 + ((v + radius) / (2 * radius)) * (pw - cw);
      ctx.fillText(fmt(v), x, M.top + ph + 15);
      const y = M.top + ph - ch / 2 - ((v + radius) / (2 * radius)) * (ph - ch);
      ctx.textAlign = 'right';
      ctx.fillText(fmt(v), M.left - 6, y + 4);
      ctx.textAlign = 'center';
    }
    ctx.fillText(xLabel, M.left + pw / 2, H - 8);
    ctx.font = 'bold 13px system-ui, sans-serif';
    ctx.fillText(title, M.left + pw / 2, 18);
    ctx.save();
    ctx.translate(14, M.top + ph / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillText(yLabel, 0, 0);
    ctx.restore();
    // The trained model (α = β = 0).
    const cx = M.left + pw / 2;
    const cy = M.top + ph / 2;
    ctx.strokeStyle = '#fff';
    ctx.fillStyle = '#e15759';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(cx, cy, 5, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
    // Colour bar.
    const bx = W - M.right + 16;
    for (let k = 0; k < ph; k++) {
      ctx.fillStyle = interpolateViridis(1 - k / ph);
      ctx.fillRect(bx, M.top + k, 14, 1);
    }
    ctx.fillStyle = '#1f2933';
    ctx.textAlign = 'left';
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillText(Number.isFinite(hi) ? hi.toFixed(2) : '–', bx + 18, M.top + 8);
    ctx.fillText(Number.isFinite(lo) ? lo.toFixed(2) : '–', bx + 18, M.top + ph);
    ctx.save();
    ctx.translate(bx + 36, M.top + ph / 2);
    ctx.rotate(Math.PI / 2);
    ctx.textAlign = 'center';
    ctx.fillText(valueLabel, 0, 0);
    ctx.restore();
  }, [values, n, radius, domain, xLabel, yLabel, title, valueLabel, contourCount]);

  const computed = values.filter(Number.isFinite).length;
  return <canvas ref={canvasRef} className="heatmap" style={{ width: W, height: H }} data-testid={p.testId} data-cells={computed} aria-label={`${title}: ${computed} of ${n * n} cells computed`} role="img" />;
});
