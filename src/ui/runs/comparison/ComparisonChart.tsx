import { useRef } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ComparisonPoint } from '../../../protocol/api';
import { DETECT_SCORE, EVIDENCE_SCORE_CAP } from '../../../protocol/runs';
import { downloadSvgPng } from '../../common/exportFiles';

/** One run's curve. */
export interface ComparisonSeries {
  readonly name: string;
  readonly color: string;
  readonly points: readonly ComparisonPoint[];
}

const AXIS = { fontSize: 12, fill: '#56606b' };

/**
 * Accuracy drop (x, percentage points) against watermark evidence on the common scale
 * (y = min(-log10 p, cap)), one line per run in strength order, with the detection threshold
 * (p < 1e-6) as a dashed line. Runs without a key have no evidence and draw no line.
 */
export function ComparisonChart({ series }: { readonly series: readonly ComparisonSeries[] }) {
  const ref = useRef<HTMLElement>(null);
  const drawn = series.map((s) => ({ ...s, data: s.points.filter((p) => p.evidence).map((p) => ({ x: 100 * p.accuracyDrop, y: p.evidence!.score, strength: p.strength })) }));
  const total = drawn.reduce((n, s) => n + s.data.length, 0);
  return (
    <figure className="chart" ref={ref} data-testid="comparison-chart" data-points={total}>
      <figcaption>
        Accuracy drop vs watermark evidence
        <button type="button" className="link-button chart-export" disabled={total === 0} onClick={() => downloadSvgPng(ref.current, 'comparison.png')}>
          PNG
        </button>
      </figcaption>
      <ResponsiveContainer width="100%" height={260}>
        <LineChart margin={{ top: 8, right: 16, bottom: 18, left: 4 }}>
          <CartesianGrid stroke="#e3e7ec" />
          <XAxis
            type="number"
            dataKey="x"
            domain={['auto', 'auto']}
            tick={AXIS}
            allowDuplicatedCategory={false}
            label={{ value: 'accuracy drop (points)', position: 'insideBottom', offset: -10, fontSize: 12, fill: '#56606b' }}
          />
          <YAxis
            tick={AXIS}
            width={52}
            domain={[0, EVIDENCE_SCORE_CAP]}
            label={{ value: '−log10 p (capped)', angle: -90, position: 'insideLeft', fontSize: 12, fill: '#56606b' }}
          />
          <ReferenceLine y={DETECT_SCORE} stroke="#b42318" strokeDasharray="6 4" label={{ value: 'detected above (p < 1e-6)', position: 'insideTopRight', fontSize: 11, fill: '#b42318' }} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(1) : String(v))} labelFormatter={(l) => `accuracy drop ${Number(l).toFixed(1)} points`} />
          <Legend verticalAlign="top" height={24} />
          {drawn.map((s) => (
            <Line key={s.name} name={s.name} data={s.data} dataKey="y" stroke={s.color} strokeWidth={2} dot={{ r: 3 }} isAnimationActive={false} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
