import { useState } from 'react';
import type { RunListItem } from '../../protocol/api';
import { formatPercent } from '../common/format';
import { formatDate, formatEpochSeconds, methodName, outcomeEvidence } from './runsFormat';

interface RunsTableProps {
  readonly runs: readonly RunListItem[];
  /** Each run's colour (runColors): the swatch here, its lines in the comparison chart. */
  readonly colors: ReadonlyMap<string, string>;
  /** Runs ticked for the comparison. */
  readonly checked: ReadonlySet<string>;
  readonly onCheck: (id: string, on: boolean) => void;
  /** No select / delete meanwhile (training or another action is going). */
  readonly locked: boolean;
  readonly onSelect: (id: string) => void;
  readonly onRename: (id: string, name: string) => void;
  readonly onDelete: (id: string) => void;
  readonly onExport: (id: string) => void;
}

/** A tiny loss curve of the run (inline SVG), or nothing without points. */
function LossSparkline({ run }: { readonly run: RunListItem }) {
  const pts = run.history.filter((p) => p.loss !== null && Number.isFinite(p.loss));
  if (pts.length < 2) return null;
  const losses = pts.map((p) => p.loss as number);
  const lo = Math.min(...losses);
  const hi = Math.max(...losses);
  const w = 64;
  const h = 18;
  const path = pts.map((p, i) => `${((i / (pts.length - 1)) * w).toFixed(1)},${(h - 1 - ((((p.loss as number) - lo) / (hi - lo || 1)) * (h - 2))).toFixed(1)}`).join(' ');
  return (
    <svg className="runs-spark" width={w} height={h} viewBox={`0 0 ${w} ${h}`} role="img" aria-label={`training loss from ${losses[0].toFixed(2)} to ${losses[losses.length - 1].toFixed(2)}`}>
      <polyline points={path} fill="none" stroke="currentColor" strokeWidth={1.5} />
    </svg>
  );
}

function RunRow(p: RunsTableProps & { readonly run: RunListItem }) {
  const { run } = p;
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(run.name);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const save = () => {
    setEditing(false);
    if (draft.trim() && draft.trim() !== run.name) p.onRename(run.id, draft);
  };
  return (
    <tr data-testid="run-row" data-run-id={run.id} data-stored={run.stored ? 'yes' : 'no'} data-current={run.current ? 'yes' : 'no'} className={run.current ? 'runs-current' : undefined}>
      <td>
        <input type="checkbox" aria-label={`Compare ${run.name}`} checked={p.checked.has(run.id)} onChange={(e) => p.onCheck(run.id, e.target.checked)} />
      </td>
      <td className="runs-name">
        {editing ? (
          <input
            type="text"
            aria-label="Run name"
            value={draft}
            maxLength={120}
            autoFocus
            onChange={(e) => setDraft(e.target.value)}
            onBlur={save}
            onKeyDown={(e) => {
              if (e.key === 'Enter') save();
              if (e.key === 'Escape') {
                setDraft(run.name);
                setEditing(false);
              }
            }}
          />
        ) : (
          <>
            <span className="runs-swatch" style={{ background: p.colors.get(run.id) }} data-testid="run-swatch" data-color={p.colors.get(run.id)} aria-hidden="true" />
            <span data-testid="run-name">{run.name}</span>
            {run.current && <span className="runs-badge">current</span>}
            {run.outcome.cancelled && <span className="runs-badge runs-badge-warn">cancelled</span>}
            {run.inProgress && (
              <span
                className={`runs-badge${run.interrupted ? ' runs-badge-warn' : ''}`}
                data-testid="run-in-progress"
                title={`saved at ${new Date(run.inProgress.savedAt).toLocaleTimeString()} while training; its weights and key are those of step ${run.inProgress.step}`}
              >
                {run.interrupted ? 'interrupted' : 'in progress'} at step {run.inProgress.step} / {run.inProgress.totalSteps}
              </span>
            )}
            {!run.stored && (
              <span className="runs-badge runs-badge-warn" title={run.storageError} data-testid="run-unsaved">
                not saved
              </span>
            )}
          </>
        )}
        <LossSparkline run={run} />
      </td>
      <td>{methodName(run.method)}</td>
      <td data-testid="run-accuracy">{formatPercent(run.outcome.testAccuracy)}</td>
      <td>{outcomeEvidence(run.outcome)}</td>
      <td>{formatEpochSeconds(run.outcome.secondsPerEpoch)}</td>
      <td className="runs-date">{formatDate(run.createdAt)}</td>
      <td className="runs-actions">
        <button type="button" disabled={p.locked || run.current} onClick={() => p.onSelect(run.id)} aria-label={`Select ${run.name}`}>
          Select
        </button>
        <button
          type="button"
          className="link-button"
          onClick={() => {
            setDraft(run.name);
            setEditing(true);
          }}
          aria-label={`Rename ${run.name}`}
        >
          Rename
        </button>
        <button type="button" className="link-button" disabled={p.locked} onClick={() => p.onExport(run.id)} aria-label={`Export ${run.name}`}>
          Export
        </button>
        {confirmDelete ? (
          <button type="button" className="link-button runs-danger" disabled={p.locked} onClick={() => p.onDelete(run.id)} onBlur={() => setConfirmDelete(false)} autoFocus>
            Really delete?
          </button>
        ) : (
          <button type="button" className="link-button" disabled={p.locked} onClick={() => setConfirmDelete(true)} aria-label={`Delete ${run.name}`}>
            Delete
          </button>
        )}
      </td>
    </tr>
  );
}

/** The drawer's list of runs: one row per run, newest first, with its actions. */
export function RunsTable(p: RunsTableProps) {
  return (
    <div className="table-wrap">
      <table className="results-table runs-table" data-testid="runs-table">
        <thead>
          <tr>
            <th>
              <span className="sr-only">Compare</span>
            </th>
            <th>run</th>
            <th>method</th>
            <th>accuracy</th>
            <th>mark</th>
            <th>time / epoch</th>
            <th>date</th>
            <th>
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {p.runs.map((r) => (
            <RunRow key={r.id} {...p} run={r} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
