import { useRef } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ReferenceDot, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { axisProps, niceAxis } from '../common/chartAxis';
import { downloadSvgPng } from '../common/exportFiles';
import { useChartStyle } from '../lecture/LectureContext';

export interface SlicePoint {
  readonly alpha: number;
  readonly key: number | null;
  readonly complement: number | null;
}

const AXIS = { fontSize: 12, fill: '#56606b' };

export interface LandscapeSlicesProps {
  readonly points: readonly SlicePoint[];
  readonly baseLoss: number | null;
  /** Defaults: "Loss along the two subspaces", "landscape-chart", "trained model", "landscape-slices.png". */
  readonly title?: string;
  readonly testId?: string;
  readonly markerLabel?: string;
  readonly fileName?: string;
  readonly height?: number;
}

/**
 * The 1-D landscape: loss along d_K (key subspace) and along d_¬K (complement) on one chart,
 * against α in direction units, with a marker at the model (α = 0).
 */
export function LandscapeSlices({
  points, baseLoss, title = 'Loss along the two subspaces', testId = 'landscape-chart', markerLabel = 'trained model', fileName = 'landscape-slices.png', height = 260,
}: LandscapeSlicesProps) {
  const chartStyle = useChartStyle(); // thicker lines in the projector theme
  const ref = useRef<HTMLElement>(null);
  const computed = points.reduce((s, p) => s + (p.key !== null ? 1 : 0) + (p.complement !== null ? 1 : 0), 0);
  return (
    <figure className="chart" ref={ref} data-testid={testId} data-points={computed}>
      <figcaption>
        {title}
        <button type="button" className="link-button chart-export" disabled={computed === 0} onClick={() => downloadSvgPng(ref.current, fileName)}>
          PNG
        </button>
      </figcaption>
      <ResponsiveContainer width="100%" height={height}>
        <LineChart data={[...points]} margin={{ top: 8, right: 16, bottom: 18, left: 4 }}>
          <CartesianGrid stroke="#e3e7ec" />
          <XAxis
            dataKey="alpha"
            type="number"
            domain={['dataMin', 'dataMax']}
            tick={AXIS}
            tickFormatter={(v: number) => String(Number(v.toPrecision(3)))}
            label={{ value: 'α (d_K: × mark magnitude; d_¬K: × filter norm)', position: 'insideBottom', offset: -10, fontSize: 12, fill: '#56606b' }}
          />
          <YAxis tick={AXIS} {...axisProps(niceAxis(points.flatMap((p) => [p.key, p.complement]), { fontSize: AXIS.fontSize, labelled: true, include: baseLoss === null ? [] : [baseLoss] }))} label={{ value: 'loss', angle: -90, position: 'insideLeft', fontSize: 12, fill: '#56606b' }} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : String(v))} labelFormatter={(l) => `α = ${l}`} />
          <Legend verticalAlign="top" height={24} />
          <Line type="monotone" dataKey="key" name="key subspace d_K" stroke="#e15759" strokeWidth={chartStyle.strokeWidth} dot={{ r: 2 }} connectNulls isAnimationActive={false} />
          <Line type="monotone" dataKey="complement" name="complement d_¬K" stroke="#4e79a7" strokeWidth={chartStyle.strokeWidth} dot={{ r: 2 }} connectNulls isAnimationActive={false} />
          {baseLoss !== null && <ReferenceDot x={0} y={baseLoss} r={5} fill="#1f2933" stroke="#fff" label={{ value: markerLabel, position: 'top', fontSize: 11 }} />}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
