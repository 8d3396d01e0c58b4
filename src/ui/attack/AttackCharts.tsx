import { useRef } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { AttackPoint, WatermarkMethodId } from '../../protocol/api';
import { downloadSvgPng } from '../common/exportFiles';
import { axisProps, niceAxis } from '../common/chartAxis';
import { formatPercent } from '../common/format';
import { useChartStyle } from '../lecture/LectureContext';
import { keyMethod } from '../watermark/methods/registry';

/** One sweep as drawn: a finished run kept for comparison, or the live one. */
export interface AttackSeries {
  readonly name: string;
  readonly attack: string;
  /** The key's method: BER (WaterMAS, Uchida) or trigger accuracy (FCW) is its evidence. */
  readonly method: WatermarkMethodId;
  readonly strengthName: string;
  readonly decreasing: boolean;
  /** Unattacked accuracy on the same test images (the reference of the accuracy drop). */
  readonly baseAccuracy: number | null;
  readonly points: readonly AttackPoint[];
  readonly color: string;
  readonly live?: boolean;
}

const AXIS = { fontSize: 12, fill: '#56606b' };
const MARGIN = { top: 8, right: 16, bottom: 18, left: 4 };

interface ChartProps {
  readonly title: string;
  readonly testId: string;
  readonly filename: string;
  readonly series: readonly AttackSeries[];
  readonly x: (s: AttackSeries, p: AttackPoint) => number;
  readonly y: (s: AttackSeries, p: AttackPoint) => number;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly yDomain: [number | 'auto', number | 'auto'];
  /** Default: the data's range. */
  readonly xDomain?: [number | ((v: number) => number), number | ((v: number) => number)];
  readonly xReversed?: boolean;
  readonly yFormat: (v: number) => string;
  /** A second, dashed line per series (same colour) where it is non-zero somewhere, e.g. the erasures inside the BER. */
  readonly part?: { readonly label: string; readonly y: (s: AttackSeries, pt: AttackPoint) => number | null };
  /** A note under the chart. */
  readonly note?: string;
}

/** A line chart with one line per series (each with its own points), and a PNG export. */
function SeriesChart(p: ChartProps) {
  const chartStyle = useChartStyle(); // thicker lines in the projector theme
  const ref = useRef<HTMLElement>(null);
  const total = p.series.reduce((s, x) => s + x.points.length, 0);
  const ys = p.series.flatMap((s) => s.points.map((pt) => p.y(s, pt)));
  const part = p.part;
  const parts = part ? p.series.filter((s) => s.points.some((pt) => (part.y(s, pt) ?? 0) > 0)) : [];
  const yAxis = niceAxis(ys, { include: p.yDomain, fontSize: AXIS.fontSize, labelled: true, format: p.yFormat });
  return (
    <figure className="chart" ref={ref} data-testid={p.testId} data-points={total}>
      <figcaption>
        {p.title}
        <button type="button" className="link-button chart-export" disabled={total === 0} onClick={() => downloadSvgPng(ref.current, p.filename)}>
          PNG
        </button>
      </figcaption>
      <ResponsiveContainer width="100%" height={230}>
        <LineChart margin={MARGIN}>
          <CartesianGrid stroke="#e3e7ec" />
          <XAxis
            type="number"
            dataKey="x"
            domain={p.xDomain ?? ['auto', 'auto']}
            reversed={p.xReversed}
            tick={AXIS}
            allowDuplicatedCategory={false}
            label={{ value: p.xLabel, position: 'insideBottom', offset: -10, fontSize: 12, fill: '#56606b' }}
          />
          <YAxis tick={AXIS} {...axisProps(yAxis)} label={{ value: p.yLabel, angle: -90, position: 'insideLeft', fontSize: 12, fill: '#56606b' }} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? p.yFormat(v) : String(v))} labelFormatter={(l) => `${p.xLabel}: ${l}`} />
          <Legend verticalAlign="top" height={24} />
          {p.series.map((s) => (
            <Line
              key={s.name}
              name={s.name}
              data={s.points.map((pt) => ({ x: p.x(s, pt), y: p.y(s, pt) })).sort((a, b) => a.x - b.x)}
              dataKey="y"
              stroke={s.color}
              strokeWidth={chartStyle.strokeWidth}
              strokeDasharray={s.live ? '5 3' : undefined}
              dot={{ r: 3 }}
              isAnimationActive={false}
            />
          ))}
          {part &&
            parts.map((s) => (
              <Line
                key={`${s.name}-${part.label}`}
                name={`${s.name}: ${part.label}`}
                data={s.points.map((pt) => ({ x: p.x(s, pt), y: part.y(s, pt) })).sort((a, b) => a.x - b.x)}
                dataKey="y"
                stroke={s.color}
                strokeWidth={Math.max(1, chartStyle.strokeWidth - 1)}
                strokeDasharray="2 3"
                dot={false}
                isAnimationActive={false}
              />
            ))}
        </LineChart>
      </ResponsiveContainer>
      {p.note && parts.length > 0 && <p className="muted small chart-note">{p.note}</p>}
    </figure>
  );
}

const pct = (v: number) => `${(v * 100).toFixed(0)}`;
const ber = (v: number) => v.toFixed(2);

/** The erasures inside a WaterMAS BER: marked weights at exactly 0 carry no sign, so no bit. */
const ERASURES: NonNullable<ChartProps['part']> = { label: 'erasures', y: (_, pt) => pt.erasureRate };
const ERASURE_NOTE =
  'The BER counts erased marks as errors: a marked weight set to exactly 0 (pruning does that) has no sign, so its bit is lost, not flipped. Dotted: the erasures alone. A BER above 0.5 with many erasures is pruning, not an inverted mark.';

/** FCW marks are judged by trigger accuracy; WaterMAS and Uchida marks by the BER. */
const byTriggers = (s: AttackSeries) => keyMethod(s.method).evidence === 'triggers';

/** The table's evidence column title for the methods of its rows. */
export function evidenceColumnTitle(methods: readonly WatermarkMethodId[]): string {
  const triggers = methods.some((m) => keyMethod(m).evidence === 'triggers');
  const bits = methods.some((m) => keyMethod(m).evidence === 'bits');
  return triggers && bits ? 'BER / trigger acc.' : triggers ? 'trigger acc.' : 'BER';
}

/** A point's evidence as the table shows it: the BER to 4 decimals (with its erasures when there are any), or the trigger accuracy in %. */
export function formatEvidence(p: Pick<AttackPoint, 'ber' | 'triggerAccuracy' | 'erasureRate'>): string {
  if (p.ber !== null) return p.erasureRate ? `${p.ber.toFixed(4)} (${p.erasureRate.toFixed(4)} erased)` : p.ber.toFixed(4);
  return p.triggerAccuracy !== null ? formatPercent(p.triggerAccuracy) : '–';
}

/**
 * The Attack panel's charts: the evidence (BER for WaterMAS / Uchida series, trigger accuracy for
 * FCW series, each on its own chart when both kinds are shown) and the accuracy against the
 * strength (the series of the selected attack), and the trade-off (accuracy drop on x, evidence
 * on y) over every kept series.
 */
export function AttackCharts({ perAttack, all }: { readonly perAttack: readonly AttackSeries[]; readonly all: readonly AttackSeries[] }) {
  const first = perAttack[0];
  const sName = first ? `strength ${first.strengthName}` : 'strength';
  const reversed = first?.decreasing ?? false;
  const bitSeries = perAttack.filter((s) => !byTriggers(s));
  const triggerSeries = perAttack.filter(byTriggers);
  const kept = all.filter((s) => s.baseAccuracy !== null);
  const keptBits = kept.filter((s) => !byTriggers(s));
  const keptTriggers = kept.filter(byTriggers);
  const drop = (s: AttackSeries, pt: AttackPoint) => Number((((s.baseAccuracy ?? 0) - pt.accuracy) * 100).toFixed(2));
  const dropDomain: ChartProps['xDomain'] = [(lo) => Math.min(0, Math.floor(lo)), (hi) => Math.max(1, Math.ceil(hi))];
  return (
    <div className="charts attack-charts">
      {(bitSeries.length > 0 || triggerSeries.length === 0) && (
        <SeriesChart
          title="BER vs strength"
          testId="attack-ber-chart"
          filename="ber-vs-strength.png"
          series={bitSeries}
          x={(_, pt) => pt.strength}
          y={(_, pt) => pt.ber ?? NaN}
          xLabel={sName}
          yLabel="BER"
          yDomain={[0, 0.6]}
          xReversed={reversed}
          yFormat={ber}
          part={ERASURES}
          note={ERASURE_NOTE}
        />
      )}
      {triggerSeries.length > 0 && (
        <SeriesChart
          title="Trigger accuracy (%) vs strength"
          testId="attack-trigger-chart"
          filename="trigger-accuracy-vs-strength.png"
          series={triggerSeries}
          x={(_, pt) => pt.strength}
          y={(_, pt) => pt.triggerAccuracy ?? NaN}
          xLabel={sName}
          yLabel="trigger accuracy %"
          yDomain={[0, 1]}
          xReversed={reversed}
          yFormat={pct}
        />
      )}
      <SeriesChart
        title="Test accuracy (%) vs strength"
        testId="attack-accuracy-chart"
        filename="accuracy-vs-strength.png"
        series={perAttack}
        x={(_, pt) => pt.strength}
        y={(_, pt) => pt.accuracy}
        xLabel={sName}
        yLabel="accuracy %"
        yDomain={[0, 1]}
        xReversed={reversed}
        yFormat={pct}
      />
      {(keptBits.length > 0 || keptTriggers.length === 0) && (
        <SeriesChart
          title={`Trade-off: BER vs accuracy drop (${keptTriggers.length > 0 ? 'WaterMAS / Uchida runs' : 'all kept runs'})`}
          testId="attack-tradeoff-chart"
          filename="tradeoff.png"
          series={keptBits}
          x={drop}
          y={(_, pt) => pt.ber ?? NaN}
          xLabel="accuracy drop (points)"
          xDomain={dropDomain}
          yLabel="BER"
          yDomain={[0, 0.6]}
          yFormat={ber}
          part={ERASURES}
          note={ERASURE_NOTE}
        />
      )}
      {keptTriggers.length > 0 && (
        <SeriesChart
          title={`Trade-off: trigger accuracy vs accuracy drop (${keptBits.length > 0 ? 'FCW runs' : 'all kept runs'})`}
          testId="attack-trigger-tradeoff-chart"
          filename="trigger-tradeoff.png"
          series={keptTriggers}
          x={drop}
          y={(_, pt) => pt.triggerAccuracy ?? NaN}
          xLabel="accuracy drop (points)"
          xDomain={dropDomain}
          yLabel="trigger accuracy %"
          yDomain={[0, 1]}
          yFormat={pct}
        />
      )}
    </div>
  );
}
