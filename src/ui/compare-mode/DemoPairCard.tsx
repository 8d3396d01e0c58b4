/**
 * The shipped demo pair (public/models/demo/): both models as loaded in the worker (files checked
 * against their SHA-256, each key read back from its weights) and the CLI's paired measure from
 * index.json, shown at once whatever data set the page has; compare mode measures them again
 * here on CIFAR-10.
 */
import { useCallback } from 'react';
import type { DemoPairInfo, DemoSideMeasure, LoadedDemoModel } from '../../protocol/api';
import type { EngineHandle } from '../useEngine';
import { formatPercent, formatSci } from '../common/format';
import { useWorkerQuery } from '../common/useWorkerQuery';
import { LANE_COLORS } from '../common/runColors';

/** "R = 2, gaussian σ 0.01, λ 0.5" from a demo model's settings. */
export function demoObjective(m: LoadedDemoModel): string {
  const s = m.settings;
  const r = typeof s.replicas === 'number' ? s.replicas : null;
  if (r === null) return 'unmarked';
  if (r === 0) return 'R = 0 (the twin: substitution only)';
  const mode = typeof s.replicaMode === 'string' ? `${s.replicaMode} ` : '';
  return `R = ${r}, ${mode}σ ${String(s.sigma ?? '–')}, λ ${String(s.lambda ?? '–')}`;
}

const points = (drop: number | null) => (drop === null ? '–' : `${(100 * drop).toFixed(1)} points`);

function ModelLine({ label, color, model }: { readonly label: string; readonly color: string; readonly model: LoadedDemoModel }) {
  return (
    <li style={{ borderColor: color }} data-testid={`demo-pair-${model.name}`} data-ber={model.ber ?? ''}>
      <strong>{label}</strong> · {demoObjective(model)} · test accuracy {formatPercent(model.testAccuracy)} ({model.testImages.toLocaleString('en-US')} CIFAR-10 test
      images) · its key read back from the weights: BER {model.ber === null ? '–' : model.ber.toFixed(3)}
    </li>
  );
}

function SideCells({ m }: { readonly m: DemoSideMeasure }) {
  return (
    <>
      <td>
        {formatSci(m.keyRise)} ± {formatSci(m.keyRiseSpread)}
      </td>
      <td>
        {formatSci(m.controlRise)} ± {formatSci(m.controlRiseSpread)}
      </td>
      <td>
        {points(m.flipKeyDrop)}
        {m.flipKeyDrops && m.flipKeyDrops.length > 1 && <small> (halves: {m.flipKeyDrops.map((v) => (100 * v).toFixed(1)).join(', ')})</small>}
      </td>
      <td>{points(m.flipControlDrop)}</td>
    </>
  );
}

/** The pair's numbers, as shipped. */
export function DemoPairCard({ engine, ready }: { readonly engine: EngineHandle; readonly ready: boolean }) {
  const query = useWorkerQuery(useCallback(() => engine.demoPair(), [engine]), { enabled: ready });
  const info: DemoPairInfo | null = query.data ?? null;
  const error = query.error;

  if (error) {
    return (
      <p className="error" role="alert" data-testid="demo-pair-error">
        The trained demo pair could not be loaded: {error}
      </p>
    );
  }
  if (!info) return <p className="muted small" data-testid="demo-pair-loading">Loading the trained pair (public/models/demo/)…</p>;
  const m = info.measure;
  return (
    <div className="demo-pair" data-testid="demo-pair" data-key-gain={m?.keyGain ?? ''}>
      <ul className="demo-pair-models">
        <ModelLine label="A · twin" color={LANE_COLORS.A} model={info.twin} />
        <ModelLine label="B · WaterMAS" color={LANE_COLORS.B} model={info.marked} />
      </ul>
      {info.unmarked && (
        <p className="muted small">
          Both were fine-tuned from the same unmarked model ({formatPercent(info.unmarked.testAccuracy)} test accuracy) with the same key, data order and seed:
          they differ only in the replica term.
        </p>
      )}
      {m ? (
        <>
          <table className="demo-pair-table" data-testid="demo-pair-measure">
            <caption>
              Measured by the CLI on {m.evalSize.toLocaleString('en-US')} test images, marked weights moved by {m.relativeRadius}·|w|
              <span className="demo-pair-command">
                {' '}
                (<code>wmlab compare-sharpness {m.flags}</code>)
              </span>
            </caption>
            <thead>
              <tr>
                <th scope="col">model</th>
                <th scope="col">key rise (nats)</th>
                <th scope="col">matched controls&apos; rise</th>
                <th scope="col">flip half the marks: accuracy lost</th>
                <th scope="col">flip half the controls</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <th scope="row">A · twin</th>
                <SideCells m={m.twin} />
              </tr>
              <tr>
                <th scope="row">B · WaterMAS</th>
                <SideCells m={m.marked} />
              </tr>
            </tbody>
          </table>
          <p data-testid="demo-pair-gain">
            <strong>Paired key gain</strong> (B&apos;s key rise over A&apos;s): {formatSci(m.keyGain)}×, matched controls {formatSci(m.controlGain)}×. A sharp valley
            would show as a gain well above 1 with the controls near 1, and a large accuracy loss when B&apos;s marks are flipped.
          </p>
        </>
      ) : (
        <p className="muted small">This index carries no paired measure: run `node scripts/demo-models.mjs run` and `publish`.</p>
      )}
    </div>
  );
}
