import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { axisProps, niceAxis } from '../common/chartAxis';
import type { LiveHistoryRow } from './LandscapeLiveState';

const AXIS = { fontSize: 12, fill: '#56606b' };
const num = (v: unknown, d = 3) => (typeof v === 'number' && Number.isFinite(v) ? (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : v.toFixed(d)) : '–');

/**
 * The sharpness ratio (loss rise at radius r along d_K over the rise along d_¬K) against the
 * training step: the valley forming around the mark while the model learns.
 */
export function LandscapeLiveHistory({ rows, totalSteps }: { readonly rows: readonly LiveHistoryRow[]; readonly totalSteps: number }) {
  return (
    <figure className="chart" data-testid="landscape-live-history" data-points={rows.length}>
      <figcaption>Sharpness ratio key / complement vs training step</figcaption>
      <ResponsiveContainer width="100%" height={200}>
        <LineChart data={[...rows]} margin={{ top: 8, right: 16, bottom: 18, left: 4 }}>
          <CartesianGrid stroke="#e3e7ec" />
          <XAxis
            dataKey="step"
            type="number"
            domain={[0, Math.max(1, totalSteps)]}
            allowDecimals={false}
            tick={AXIS}
            label={{ value: 'training step', position: 'insideBottom', offset: -10, fontSize: 12, fill: '#56606b' }}
          />
          <YAxis tick={AXIS} {...axisProps(niceAxis(rows.map((r) => r.ratio), { fontSize: AXIS.fontSize }))} />
          <Tooltip
            labelFormatter={(l) => `step ${l}`}
            formatter={(v, _name, item) => {
              const r = (item as { payload?: LiveHistoryRow }).payload;
              return [`${num(v, 2)} (key rise ${num(r?.key)}, complement rise ${num(r?.complement)}, loss ${num(r?.loss)})`, 'ratio'];
            }}
          />
          <Line type="monotone" dataKey="ratio" name="ratio" stroke="#b07aa1" strokeWidth={2} dot={{ r: 2 }} connectNulls isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
