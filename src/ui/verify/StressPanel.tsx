/**
 * "Stress it" on the Verify result card: attack sweeps on the UPLOADED model (the worker keeps a
 * runnable copy after a verified check), judged with the uploaded key, on the loaded data set's
 * test images; points stream into a table and small charts, with progress and Cancel.
 */
import { useCallback, useState } from 'react';
import type { AttackSummary, StressOutcome, StressPoint, StressReadiness } from '../../protocol/api';
import { formatPercent } from '../common/format';
import { DEFAULT_STRESS_ATTACKS, DEFAULT_STRESS_TEST_IMAGES, stressRequestFrom, type AttackChoice } from './StressForm';
import { StressCharts, pointError } from './StressCharts';
import type { EngineHandle } from '../useEngine';
import { useStreamedJob } from '../common/useStreamedJob';
import { useWorkerQuery } from '../common/useWorkerQuery';
import { formatPValue } from '../watermark/watermarkDefaults';
import { keyMethod } from '../watermark/methods/registry';

interface StressPanelProps {
  readonly engine: EngineHandle;
  readonly readiness: StressReadiness | undefined;
}

const NO_ATTACKS: readonly AttackSummary[] = [];
const NO_POINTS: readonly StressPoint[] = [];
const appendPoint = (points: readonly StressPoint[], p: StressPoint): readonly StressPoint[] => [...points, p];

export function StressPanel({ engine, readiness }: StressPanelProps) {
  const [choices, setChoices] = useState<Record<string, AttackChoice>>({});
  const [testImages, setTestImages] = useState(DEFAULT_STRESS_TEST_IMAGES);
  // Leaving the card (a new upload) stops a run on the old model.
  const job = useStreamedJob<StressPoint, StressOutcome, readonly StressPoint[]>({
    initial: NO_POINTS, fold: appendPoint, cancel: () => engine.cancelStress(), cancelOnUnmount: true,
  });
  const { running, view: points, outcome, error } = job;
  const [open, setOpen] = useState(false);

  const askCatalog = useCallback(() => engine.attackCatalog(), [engine]);
  const catalog =
    useWorkerQuery(askCatalog, {
      onAnswer: (c) => setChoices(Object.fromEntries(c.map((a) => [a.id, { on: DEFAULT_STRESS_ATTACKS.includes(a.id), strengths: a.defaultStrengths.join(', ') }]))),
      onError: job.setError,
    }).data ?? NO_ATTACKS;

  const ready = readiness?.ready === true;
  // Key interception needs the marked positions (a WaterMAS key).
  const visible = catalog.filter((a) => a.id !== 'intercept' || (ready && keyMethod(readiness.method).keyPositions));
  const request = stressRequestFrom(visible, choices, testImages, 0);
  const why = !readiness ? 'Verify a model with its key first.' : !readiness.ready ? readiness.reason : typeof request === 'string' ? request : '';
  const totalPoints = typeof request === 'string' ? 0 : request.attacks.reduce((s, a) => s + a.strengths.length, 0);

  const start = () => {
    if (typeof request === 'string' || !ready) return;
    job.start((onPoint) => engine.stressUploaded(request, onPoint), NO_POINTS);
  };

  const set = (id: string, patch: Partial<AttackChoice>) => setChoices((c) => ({ ...c, [id]: { ...c[id], ...patch } }));
  const fcw = ready && keyMethod(readiness.method).evidence === 'triggers';
  const state = running ? 'running' : error ? 'error' : outcome ? (outcome.cancelled ? 'cancelled' : 'done') : 'idle';

  return (
    <div className="stress" data-testid="stress" data-state={state}>
      <div className="controls stress-controls" role="group" aria-label="Stress controls">
        <button type="button" className="primary" data-testid="stress-run" disabled={!!why || running} title={why || 'Attack the uploaded model and watch the watermark evidence'} onClick={start}>
          Stress it
        </button>
        {running && (
          <button type="button" data-testid="stress-cancel" onClick={job.cancel}>
            Cancel
          </button>
        )}
        <button type="button" className="link-button" aria-expanded={open} onClick={() => setOpen((o) => !o)} data-testid="stress-settings-toggle">
          {open ? 'Hide settings' : 'Settings'}
        </button>
        {ready && (
          <span className="muted small">
            uploaded {readiness.arch} ({readiness.parameters.toLocaleString('en-US')} parameters) · {typeof request === 'string' ? '' : `${request.attacks.map((a) => a.attack).join(', ')} · `}
            {testImages} test images of the loaded data set
          </span>
        )}
        {!ready && why && (
          <span className="muted small" data-testid="stress-unavailable">
            {why}
          </span>
        )}
      </div>
      {open && (
        <fieldset className="stress-settings" disabled={running} data-testid="stress-settings">
          <legend className="sr-only">Stress settings</legend>
          {visible.map((a) => {
            const c = choices[a.id];
            if (!c) return null;
            return (
              <div className="stress-attack" key={a.id}>
                <label>
                  <input type="checkbox" checked={c.on} onChange={(e) => set(a.id, { on: e.target.checked })} data-testid={`stress-attack-${a.id}`} /> {a.label}
                  {a.trains ? <span className="muted small"> (trains on the data set: slow)</span> : null}
                </label>
                {c.on && (
                  <input
                    type="text"
                    className="stress-strengths"
                    aria-label={`${a.label} strengths (${a.strengthName}, ${a.strengthUnit})`}
                    title={`${a.strengthName}: ${a.strengthUnit}`}
                    value={c.strengths}
                    onChange={(e) => set(a.id, { strengths: e.target.value })}
                    data-testid={`stress-strengths-${a.id}`}
                  />
                )}
              </div>
            );
          })}
          <label className="stress-attack">
            Test images{' '}
            <input type="number" min={1} step={1} value={testImages} onChange={(e) => setTestImages(Math.floor(Number(e.target.value)))} data-testid="stress-test-images" />
          </label>
        </fieldset>
      )}
      {(running || points.length > 0) && (
        <p className="muted small" data-testid="stress-progress">
          <progress max={Math.max(1, totalPoints)} value={points.length} /> {points.length} of {totalPoints} points
          {running && points.length > 0 ? ` · last: ${points[points.length - 1].attack} at ${points[points.length - 1].strength}` : ''}
          {outcome ? ` · ${outcome.seconds.toFixed(1)} s on ${outcome.backend}, ${outcome.testImages} test images, unattacked accuracy ${formatPercent(outcome.baseAccuracy, 1)}` : ''}
          {outcome?.cancelled ? ' · cancelled' : ''}
        </p>
      )}
      {error && (
        <p className="error" role="alert" data-testid="stress-error">
          Stress run failed: {error}
        </p>
      )}
      {points.length > 0 && (
        <>
          <StressCharts points={points} catalog={catalog} fcw={fcw} />
          <div className="table-wrap">
            <table className="results-table stress-table" data-testid="stress-table">
              <thead>
                <tr>
                  <th>attack</th>
                  <th>strength</th>
                  <th>accuracy</th>
                  <th>{fcw ? 'trigger acc.' : 'BER'}</th>
                  <th>p-value</th>
                  <th>detected</th>
                </tr>
              </thead>
              <tbody>
                {points.map((p) => (
                  <tr key={`${p.attack}-${p.index}`} data-attack={p.attack} data-strength={p.strength} data-error={pointError(p)}>
                    <td>{p.attack}</td>
                    <td>{p.strength}</td>
                    <td>{formatPercent(p.accuracy, 1)}</td>
                    <td>{p.ber !== null ? p.ber.toFixed(3) : formatPercent(p.triggerAccuracy, 1)}</td>
                    <td>{formatPValue(p.pValue, p.log10PValue)}</td>
                    <td className={p.detected ? 'wm-yes' : 'wm-no'}>{p.detected ? 'yes' : 'no'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}
