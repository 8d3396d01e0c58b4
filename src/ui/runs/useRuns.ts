import { useCallback, useEffect, useState } from 'react';
import type { RunListItem, RunRecord } from '../../protocol/api';
import { downloadBlob } from '../common/exportFiles';
import { errorMessage } from '../common/format';
import type { EngineHandle } from '../useEngine';

export interface RunsState {
  readonly runs: readonly RunListItem[];
  readonly loaded: boolean;
  /** The last action's failure (import, select...), shown in the drawer. */
  readonly error: string | null;
  /** The last action's success line (e.g. "Imported …"). */
  readonly message: string | null;
  /** An action is going (select, import, export...). */
  readonly busy: boolean;
  refresh(): void;
  select(id: string): void;
  rename(id: string, name: string): void;
  remove(id: string): void;
  exportRun(id: string): void;
  importFile(file: File): void;
}

/**
 * The worker's run list for the drawer, with its actions. Asked again whenever `stamp` changes
 * (pass something that changes when a training run ends). `onSelected` hears a run loaded into
 * the current model slot (the other panels then ask the worker again).
 */
export function useRuns(engine: EngineHandle, stamp: unknown, onSelected?: (r: RunRecord) => void): RunsState {
  const [runs, setRuns] = useState<readonly RunListItem[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(() => {
    engine.listRuns().then(
      (r) => {
        setRuns(r);
        setLoaded(true);
      },
      (e: unknown) => setError(errorMessage(e)),
    );
  }, [engine]);

  useEffect(refresh, [refresh, stamp]);

  /** Runs one action: busy flag, error / message, then a fresh list. */
  const act = useCallback(
    (what: string, fn: () => Promise<string | null>) => {
      setBusy(true);
      setError(null);
      setMessage(null);
      fn()
        .then((m) => setMessage(m))
        .catch((e: unknown) => setError(`${what} failed: ${errorMessage(e)}`))
        .finally(() => {
          setBusy(false);
          refresh();
        });
    },
    [refresh],
  );

  const select = useCallback(
    (id: string) =>
      act('Select', async () => {
        const r = await engine.selectRun(id);
        onSelected?.(r);
        return `“${r.name}” is now the current model (Attack, Landscape and Watermark panels use it).`;
      }),
    [act, engine, onSelected],
  );
  const rename = useCallback((id: string, name: string) => act('Rename', async () => (await engine.renameRun(id, name), null)), [act, engine]);
  const remove = useCallback((id: string) => act('Delete', async () => (await engine.deleteRun(id), null)), [act, engine]);
  const exportRun = useCallback(
    (id: string) =>
      act('Export', async () => {
        const f = await engine.exportRun(id);
        downloadBlob(new Blob([f.bytes], { type: 'application/zip' }), f.filename);
        return `Saved ${f.filename}.`;
      }),
    [act, engine],
  );
  const importFile = useCallback(
    (file: File) =>
      act('Import', async () => {
        const r = await engine.importRun(await file.arrayBuffer());
        return `Imported “${r.name}”.`;
      }),
    [act, engine],
  );

  return { runs, loaded, error, message, busy, refresh, select, rename, remove, exportRun, importFile };
}
