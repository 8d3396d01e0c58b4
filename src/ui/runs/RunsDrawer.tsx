import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { RunRecord } from '../../protocol/api';
import { ComparisonPanel } from './comparison/ComparisonPanel';
import { SweepImport } from './comparison/SweepImport';
import { FilePickerButton } from '../common/FilePickerButton';
import type { EngineHandle } from '../useEngine';
import { RunsTable } from './RunsTable';
import { useRuns } from './useRuns';
import { runColors } from '../common/runColors';
import './runs.css';

interface RunsDrawerProps {
  readonly engine: EngineHandle;
  /** Changes when a training run ends (the worker then lists a new run). */
  readonly stamp: unknown;
  /** A training run is going: no select / delete / comparison meanwhile. */
  readonly locked: boolean;
  /** A stored run became the current model. */
  readonly onSelected?: (r: RunRecord) => void;
  /** Open state when the parent keeps it (the URL hash restores it after a reload); else the drawer keeps its own. */
  readonly open?: boolean;
  /** Hears every open / close. */
  readonly onOpenChange?: (open: boolean) => void;
}

/**
 * The "Runs" drawer: a fixed tab on the right edge opens a side panel listing every finished run
 * (kept in this browser across reloads) with select / rename / delete / export, an import button,
 * the comparison view over the ticked runs and the import of a `wmlab sweep` results.jsonl.
 */
export function RunsDrawer({ engine, stamp, locked, onSelected, open: openProp, onOpenChange }: RunsDrawerProps) {
  const [openState, setOpenState] = useState(false);
  const open = openProp ?? openState;
  // Stable setter (the focus effect below must not re-run when the parent re-renders).
  const onOpenChangeRef = useRef(onOpenChange);
  useEffect(() => {
    onOpenChangeRef.current = onOpenChange;
  }, [onOpenChange]);
  const setOpen = useCallback((o: boolean) => {
    setOpenState(o);
    onOpenChangeRef.current?.(o);
  }, []);
  const [checked, setChecked] = useState<ReadonlySet<string>>(new Set());
  const runs = useRuns(engine, stamp, onSelected);
  const colors = useMemo(() => runColors(runs.runs), [runs.runs]);
  const panel = useRef<HTMLElement>(null);

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    window.addEventListener('keydown', onKey);
    panel.current?.focus();
    return () => window.removeEventListener('keydown', onKey);
  }, [open, setOpen]);

  const check = useCallback((id: string, on: boolean) => {
    setChecked((c) => {
      const next = new Set(c);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  }, []);

  const actionsLocked = locked || runs.busy;
  return (
    <>
      <button
        type="button"
        className="runs-tab"
        aria-expanded={open}
        aria-controls="runs-drawer"
        data-testid="runs-tab"
        data-count={runs.runs.length}
        onClick={() => {
          if (!open) runs.refresh();
          setOpen(!open);
        }}
      >
        Runs{runs.loaded ? ` (${runs.runs.length})` : ''}
      </button>
      {/* Hidden, not unmounted, when closed: a comparison keeps streaming into it. */}
      <aside id="runs-drawer" className="runs-drawer" aria-labelledby="runs-title" data-testid="runs-drawer" tabIndex={-1} ref={panel} hidden={!open}>
          <div className="runs-head">
            <div>
              <h2 id="runs-title">Runs</h2>
              <p className="panel-sub">Every finished training run, kept in this browser. Select one to attack or inspect it; tick several to compare them.</p>
            </div>
            <button type="button" className="link-button" onClick={() => setOpen(false)} aria-label="Close the runs drawer">
              Close
            </button>
          </div>
          <div className="controls">
            <FilePickerButton disabled={runs.busy} accept=".zip,application/zip" ariaLabel="Import a run file" testId="runs-import" onFile={runs.importFile}>
              Import run…
            </FilePickerButton>
            {runs.busy && <span className="muted small">working…</span>}
          </div>
          {runs.error && (
            <p className="error" role="alert" data-testid="runs-error">
              {runs.error}
            </p>
          )}
          {runs.message && (
            <p className="muted small" role="status" data-testid="runs-message">
              {runs.message}
            </p>
          )}
          {runs.loaded && runs.runs.length === 0 ? (
            <p className="muted" data-testid="runs-empty">
              No runs yet: train a model and it appears here.
            </p>
          ) : (
            <RunsTable
              runs={runs.runs}
              colors={colors}
              checked={checked}
              onCheck={check}
              locked={actionsLocked}
              onSelect={runs.select}
              onRename={runs.rename}
              onDelete={runs.remove}
              onExport={runs.exportRun}
            />
          )}
          <ComparisonPanel engine={engine} runs={runs.runs.filter((r) => checked.has(r.id))} colors={colors} locked={locked} />
          <SweepImport engine={engine} />
      </aside>
    </>
  );
}
