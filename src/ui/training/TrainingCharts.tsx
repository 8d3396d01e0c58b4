import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { SettingsChange } from '../../protocol/api';
import { axisProps, niceAxis } from '../common/chartAxis';
import { changeLabel } from './TrainingMarkers';
import { useChartStyle } from '../lecture/LectureContext';
import type { HistoryPoint } from './trainingView';

interface TrainingChartsProps {
  readonly history: readonly HistoryPoint[];
  /** Live setting changes, marked on the step axis at the step they took effect. */
  readonly markers?: readonly SettingsChange[];
}

const MARKER_COLOR = '#b45309';

/** Vertical marker lines with their labels ("R=4") for one chart. */
function markerLines(markers: readonly SettingsChange[], fontSize: number) {
  return markers.map((m, i) => (
    <ReferenceLine
      key={`${m.step}-${i}`}
      x={m.step}
      stroke={MARKER_COLOR}
      strokeDasharray="4 3"
      ifOverflow="extendDomain"
      className="training-marker"
      label={{ value: changeLabel(m), position: 'insideTopLeft', fill: MARKER_COLOR, fontSize }}
    />
  ));
}

const AXIS = { fontSize: 12, fill: '#56606b' };

/** Live training loss and accuracy against the step, side by side. */
export function TrainingCharts({ history, markers = [] }: TrainingChartsProps) {
  const chartStyle = useChartStyle(); // thicker lines in the projector theme
  const data = history.map((p) => ({ step: p.step, loss: p.loss, accuracy: p.accuracy === null ? null : p.accuracy * 100 }));
  const { width: _w, ...stepAxis } = axisProps(niceAxis(data.map((d) => d.step), { fontSize: AXIS.fontSize }));
  if (data.length === 0) {
    return (
      <div className="charts charts-empty" data-testid="training-chart" data-points={0}>
        <p className="muted">The loss and accuracy curves appear here as soon as training reports its first steps.</p>
      </div>
    );
  }
  return (
    <div className="charts" data-testid="training-chart" data-points={history.length}>
      <figure className="chart">
        <figcaption>Training loss</figcaption>
        <ResponsiveContainer width="100%" height={220}>
          <LineChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
            <CartesianGrid stroke="#e3e7ec" />
            <XAxis dataKey="step" type="number" tick={AXIS} {...stepAxis} />
            <YAxis tick={AXIS} {...axisProps(niceAxis(data.map((d) => d.loss), { fontSize: AXIS.fontSize }))} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : String(v))} labelFormatter={(l) => `step ${l}`} />
            <Legend />
            {markerLines(markers, chartStyle.fontSize)}
            <Line type="monotone" dataKey="loss" name="loss" stroke="#2563eb" strokeWidth={chartStyle.strokeWidth} dot={false} isAnimationActive={false} connectNulls />
          </LineChart>
        </ResponsiveContainer>
      </figure>
      <figure className="chart">
        <figcaption>Training accuracy (%)</figcaption>
        <ResponsiveContainer width="100%" height={220}>
          <LineChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
            <CartesianGrid stroke="#e3e7ec" />
            <XAxis dataKey="step" type="number" tick={AXIS} {...stepAxis} />
            <YAxis tick={AXIS} {...axisProps(niceAxis([0, 100], { fontSize: AXIS.fontSize }))} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? `${v.toFixed(1)} %` : String(v))} labelFormatter={(l) => `step ${l}`} />
            <Legend />
            {markerLines(markers, chartStyle.fontSize)}
            <Line type="monotone" dataKey="accuracy" name="accuracy" stroke="#16a34a" strokeWidth={chartStyle.strokeWidth} dot={false} isAnimationActive={false} connectNulls />
          </LineChart>
        </ResponsiveContainer>
      </figure>
      {markers.length > 0 && (
        <ul className="training-markers field-wide" data-testid="training-markers" aria-label="Live setting changes">
          {markers.map((m, i) => (
            <li key={`${m.step}-${i}`} data-step={m.step} data-label={changeLabel(m)}>
              from step {m.step + 1}: {changeLabel(m)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
