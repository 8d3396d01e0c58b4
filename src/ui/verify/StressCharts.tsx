/** Small multiples of a "Stress it" run: per attack, the watermark error and the test accuracy against the strength. */
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { AttackSummary, StressPoint } from '../../protocol/api';

const AXIS = { fontSize: 11, fill: '#56606b' };

/**
 * The watermark error of a point on a 0..1 scale: the BER (WaterMAS, Uchida), or for an FCW key
 * the fraction of triggers NOT classified as the target (our choice, so one axis serves all keys).
 */
export function pointError(p: StressPoint): number {
  return p.ber ?? 1 - (p.triggerAccuracy ?? 0);
}

/** One mini chart per attack of the run, in request order; strengths on x (reversed for quantization bits). */
export function StressCharts({ points, catalog, fcw }: { readonly points: readonly StressPoint[]; readonly catalog: readonly AttackSummary[]; readonly fcw: boolean }) {
  const attacks = [...new Set(points.map((p) => p.attack))];
  return (
    <div className="stress-charts" data-testid="stress-charts" data-points={points.length}>
      {attacks.map((id) => {
        const info = catalog.find((a) => a.id === id);
        const data = points
          .filter((p) => p.attack === id)
          .map((p) => ({ x: p.strength, error: pointError(p), accuracy: p.accuracy }))
          .sort((a, b) => a.x - b.x);
        return (
          <figure className="stress-chart" key={id} data-testid={`stress-chart-${id}`}>
            <figcaption>
              {info?.label ?? id} · <span className="stress-key-error">{fcw ? '1 − trigger acc.' : 'BER'}</span> / <span className="stress-key-acc">accuracy</span>
            </figcaption>
            <ResponsiveContainer width="100%" height={140}>
              <LineChart data={data} margin={{ top: 4, right: 8, bottom: 4, left: 0 }}>
                <CartesianGrid stroke="#e3e7ec" />
                <XAxis type="number" dataKey="x" domain={['auto', 'auto']} reversed={info?.decreasing ?? false} tick={AXIS} />
                <YAxis domain={[0, 1]} tick={AXIS} width={32} />
                <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(3) : String(v))} labelFormatter={(l) => `${info?.strengthName ?? 'strength'} = ${l}`} />
                <Line dataKey="error" name={fcw ? '1 − trigger accuracy' : 'BER'} stroke="#d9534f" strokeWidth={2} dot={{ r: 2 }} isAnimationActive={false} />
                <Line dataKey="accuracy" name="accuracy" stroke="#2f6fdf" strokeWidth={2} dot={{ r: 2 }} isAnimationActive={false} />
              </LineChart>
            </ResponsiveContainer>
          </figure>
        );
      })}
    </div>
  );
}
