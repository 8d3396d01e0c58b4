/**
 * Compare mode's synchronised charts: A and B on the same axes (training loss and accuracy, the
 * two 1-D landscape slices with one shared loss scale, BER vs strength and the trade-off).
 */
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { AttackPoint, CompareLane } from '../../protocol/api';
import { axisProps, niceAxis } from '../common/chartAxis';
import { useChartStyle, useOnStage } from '../lecture/LectureContext';
import type { Lanes, LaneView } from './CompareModeRun';
import { LANE_COLORS } from '../common/runColors';

/** One colour per run, everywhere (colour-blind safe pair: blue and orange; see runColors.ts). */
export { LANE_COLORS };
const LANES: readonly CompareLane[] = ['A', 'B'];
const MARGIN = { top: 8, right: 16, bottom: 18, left: 4 };

/** "A · R = 0" style series names. */
export type LaneLabels = Readonly<Record<CompareLane, string>>;

interface XY {
  readonly x: number;
  readonly y: number;
}

interface PairChartProps {
  readonly title: string;
  readonly testId: string;
  readonly series: Readonly<Record<CompareLane, readonly XY[]>>;
  readonly labels: LaneLabels;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly xDomain?: [number | string, number | string];
  /** Fixed bounds, or 'auto' to fit the data (both rounded out to nice ticks). */
  readonly yDomain: [number | 'auto', number | 'auto'];
  /** Tick labels; default: plain numbers at the precision of the tick step. */
  readonly yFormat?: (v: number) => string;
  readonly empty: string;
  /** A chart a short stage leaves out (the stage keeps the one chart per column the lesson needs). */
  readonly secondary?: boolean;
}

/** A line chart with run A (solid) and run B (dashed: tells them apart in greyscale too), each with its own points, on the same axes. */
function PairChart(p: PairChartProps) {
  const style = useChartStyle();
  // On the stage a chart fills its grid cell (CSS sizes the cell); elsewhere it has a fixed height.
  const onStage = useOnStage();
  const axis = { fontSize: style.fontSize, fill: 'var(--muted, #56606b)' };
  const counts = { A: p.series.A.length, B: p.series.B.length };
  const y = niceAxis([...p.series.A, ...p.series.B].map((d) => d.y), { include: p.yDomain, fontSize: style.fontSize, labelled: true, format: p.yFormat });
  return (
    <figure className={`chart compare-mode-chart${p.secondary ? ' compare-mode-chart-secondary' : ''}`} data-testid={p.testId} data-points-a={counts.A} data-points-b={counts.B}>
      <figcaption>{p.title}</figcaption>
      {counts.A + counts.B === 0 ? (
        <p className="muted compare-mode-chart-empty">{p.empty}</p>
      ) : (
        <ResponsiveContainer width="100%" height={onStage ? '100%' : 220} minHeight={onStage ? 120 : undefined}>
          <LineChart margin={MARGIN}>
            <CartesianGrid stroke="#e3e7ec" />
            <XAxis
              type="number"
              dataKey="x"
              domain={p.xDomain ?? ['dataMin', 'dataMax']}
              tick={axis}
              allowDuplicatedCategory={false}
              tickFormatter={(v: number) => String(Number(v.toPrecision(3)))}
              label={{ value: p.xLabel, position: 'insideBottom', offset: -10, fontSize: style.fontSize, fill: 'var(--muted, #56606b)' }}
            />
            <YAxis tick={axis} {...axisProps(y)} label={{ value: p.yLabel, angle: -90, position: 'insideLeft', fontSize: style.fontSize, fill: 'var(--muted, #56606b)' }} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? (p.yFormat ?? tooltipNumber)(v) : String(v))} labelFormatter={(l) => `${p.xLabel}: ${l}`} />
            <Legend verticalAlign="top" height={24} />
            {LANES.map((lane) => (
              <Line
                key={lane}
                name={p.labels[lane]}
                data={[...p.series[lane]]}
                dataKey="y"
                stroke={LANE_COLORS[lane]}
                strokeWidth={style.strokeWidth}
                strokeDasharray={lane === 'B' ? '6 3' : undefined}
                dot={{ r: style.dotRadius }}
                connectNulls
                isAnimationActive={false}
                className={`compare-mode-line compare-mode-line-${lane.toLowerCase()}`}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      )}
    </figure>
  );
}

const byLane = <T,>(f: (l: LaneView) => T): ((lanes: Lanes) => Record<CompareLane, T>) => (lanes) => ({ A: f(lanes.A), B: f(lanes.B) });

/** [min, max] over finite values with 5 % headroom; null when there are none. */
export function sharedDomain(values: readonly (number | null)[]): [number, number] | null {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x));
  if (v.length === 0) return null;
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  const pad = Math.max((hi - lo) * 0.05, 1e-3);
  return [Number((lo - pad).toPrecision(4)), Number((hi + pad).toPrecision(4))];
}

const fixed2 = (v: number) => v.toFixed(2);
const pct0 = (v: number) => v.toFixed(0);
const tooltipNumber = (v: number) => String(Number(v.toPrecision(5)));

/** Training loss and accuracy of A and B against the step (one chart each: one scale for both runs). */
export function CompareTrainingCharts({ lanes, labels }: { readonly lanes: Lanes; readonly labels: LaneLabels }) {
  const loss = byLane((l) => l.history.filter((h) => h.loss !== null).map((h) => ({ x: h.step, y: h.loss as number })))(lanes);
  const acc = byLane((l) => l.history.filter((h) => h.accuracy !== null).map((h) => ({ x: h.step, y: (h.accuracy as number) * 100 })))(lanes);
  return (
    <div className="charts compare-mode-charts" data-testid="compare-mode-training-chart" data-points-a={loss.A.length} data-points-b={loss.B.length}>
      <PairChart
        title="Training loss"
        testId="compare-mode-loss-chart"
        series={loss}
        labels={labels}
        xLabel="step"
        yLabel="loss"
        yDomain={['auto', 'auto']}
        empty="The loss curves of A and B appear here as training reports."
      />
      <PairChart
        title="Training accuracy (%)"
        secondary
        testId="compare-mode-accuracy-chart"
        series={acc}
        labels={labels}
        xLabel="step"
        yLabel="accuracy %"
        yDomain={[0, 100]}
        yFormat={pct0}
        empty="The accuracy curves of A and B appear here as training reports."
      />
    </div>
  );
}

/** The 1-D landscape of A and B: loss along d_K and along d_¬K, both charts on one loss scale. */
export function CompareLandscapeCharts({ lanes, labels, alphas }: { readonly lanes: Lanes; readonly labels: LaneLabels; readonly alphas: readonly number[] }) {
  const points = (slice: readonly (number | null)[]) =>
    slice.flatMap((y, i) => (y !== null && Number.isFinite(y) && alphas[i] !== undefined ? [{ x: alphas[i], y }] : []));
  const key = byLane((l) => points(l.sliceKey))(lanes);
  const comp = byLane((l) => points(l.sliceComplement))(lanes);
  const domain: [number | 'auto', number | 'auto'] = sharedDomain([...key.A, ...key.B, ...comp.A, ...comp.B].map((p) => p.y)) ?? ['auto', 'auto'];
  const radius = alphas.length > 0 ? Math.max(...alphas.map(Math.abs)) : 1;
  const x: [number, number] = [-radius, radius];
  const empty = 'The slices appear here after training (the same directions and images for A and B).';
  return (
    <div className="charts compare-mode-charts" data-testid="compare-mode-landscape-chart" data-points-a={key.A.length + comp.A.length} data-points-b={key.B.length + comp.B.length}>
      <PairChart title="Loss along the key subspace d_K" testId="compare-mode-landscape-key-chart" series={key} labels={labels} xLabel="α (× mark magnitude)" yLabel="loss" xDomain={x} yDomain={domain} empty={empty} />
      <PairChart secondary title="Loss along the complement d_¬K" testId="compare-mode-landscape-complement-chart" series={comp} labels={labels} xLabel="α (× filter norm)" yLabel="loss" xDomain={x} yDomain={domain} empty={empty} />
    </div>
  );
}

/** Accuracy drop in points against the unattacked accuracy (null until the sweep's reference is known). */
function drop(base: number | null, p: AttackPoint): number | null {
  return base === null ? null : Number(((base - p.accuracy) * 100).toFixed(2));
}

/** BER against the attack strength (streams) and the trade-off BER vs accuracy drop (after each sweep), A and B overlaid. */
export function CompareAttackCharts({ lanes, labels, strengthName }: { readonly lanes: Lanes; readonly labels: LaneLabels; readonly strengthName: string }) {
  // Compare mode trains WaterMAS runs: every point has a BER (null only for FCW keys).
  const ber = byLane((l) => [...l.attackPoints].sort((a, b) => a.strength - b.strength).flatMap((p) => (p.ber === null ? [] : [{ x: p.strength, y: p.ber }])))(lanes);
  const trade = byLane((l) => {
    const base = l.attack?.baseAccuracy ?? null;
    return l.attackPoints.flatMap((p) => {
      const d = drop(base, p);
      return d === null || p.ber === null ? [] : [{ x: d, y: p.ber }];
    }).sort((a, b) => a.x - b.x);
  })(lanes);
  const drops = [...trade.A, ...trade.B].map((p) => p.x);
  const xDomain: [number, number] = [Math.min(0, Math.floor(Math.min(0, ...drops))), Math.max(1, Math.ceil(Math.max(1, ...drops)))];
  return (
    <div className="charts compare-mode-charts">
      <PairChart
        title="BER vs attack strength"
        secondary
        testId="compare-mode-ber-chart"
        series={ber}
        labels={labels}
        xLabel={strengthName}
        yLabel="BER"
        yDomain={[0, 0.6]}
        yFormat={fixed2}
        empty="The attack sweep of each run streams here after its landscape."
      />
      <PairChart
        title="Trade-off: BER vs accuracy drop"
        testId="compare-mode-tradeoff-chart"
        series={trade}
        labels={labels}
        xLabel="accuracy drop (points)"
        yLabel="BER"
        xDomain={xDomain}
        yDomain={[0, 0.6]}
        yFormat={fixed2}
        empty="The trade-off of each run appears when its sweep finishes."
      />
    </div>
  );
}
