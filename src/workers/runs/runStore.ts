/// <reference lib="webworker" />
// (IndexedDB types for the Node typecheck of the unit tests, which import this module.)
/**
 * Keeps finished runs in IndexedDB so the Runs drawer survives reloads. Its own database
 * (`watermas-lab-runs`, separate from the data set's `watermas-lab`, so neither upgrade can
 * block the other) with two object stores keyed by run id:
 *   records  RunRecord (small: listed at start)
 *   models   { modelJson, weights } (read only when a run is selected, exported or compared)
 * The promise wrappers are src/workers/idb.ts.
 */
import type { RunModelFiles } from './runFile';
import type { RunRecord } from '../../protocol/runs';
import { openDatabase, transactionDone } from '../idb';

const DB_NAME = 'watermas-lab-runs';
const DB_VERSION = 1;
const RECORDS = 'records';
const MODELS = 'models';

/** What the registry needs from a persistent store (IndexedDB here; tests may pass another). */
export interface RunStore {
  /** Saves record + model files in one transaction (rejects on quota errors, nothing half-written). */
  put(record: RunRecord, files: RunModelFiles): Promise<void>;
  /** Replaces a stored record (rename). */
  putRecord(record: RunRecord): Promise<void>;
  remove(id: string): Promise<void>;
  records(): Promise<RunRecord[]>;
  /** null when the run has no stored model. */
  modelFiles(id: string): Promise<RunModelFiles | null>;
}

const openDb = () => openDatabase(DB_NAME, DB_VERSION, [RECORDS, MODELS]);

async function withStores<T>(mode: IDBTransactionMode, fn: (records: IDBObjectStore, models: IDBObjectStore) => () => T): Promise<T> {
  const db = await openDb();
  try {
    const tx = db.transaction([RECORDS, MODELS], mode);
    const read = fn(tx.objectStore(RECORDS), tx.objectStore(MODELS));
    await transactionDone(tx);
    return read();
  } finally {
    db.close();
  }
}

/** A readable reason for a failed write, naming quota problems as such. */
export function storageErrorMessage(e: unknown): string {
  const name = e instanceof Error || (typeof DOMException !== 'undefined' && e instanceof DOMException) ? (e as Error).name : '';
  const msg = e instanceof Error ? e.message : String(e);
  if (name === 'QuotaExceededError' || /quota/i.test(msg)) {
    return 'not saved: this browser\'s storage quota is full (delete old runs or export this one); it stays available until the page is closed';
  }
  return `not saved in this browser (${msg}); it stays available until the page is closed`;
}

/** The IndexedDB store of the Runs drawer. */
export const indexedDbRunStore: RunStore = {
  async put(record, files) {
    await withStores('readwrite', (records, models) => {
      records.put(record, record.id);
      models.put({ modelJson: files.modelJson, weights: files.weights }, record.id);
      return () => undefined;
    });
  },
  async putRecord(record) {
    await withStores('readwrite', (records) => {
      records.put(record, record.id);
      return () => undefined;
    });
  },
  async remove(id) {
    await withStores('readwrite', (records, models) => {
      records.delete(id);
      models.delete(id);
      return () => undefined;
    });
  },
  async records() {
    return withStores('readonly', (records) => {
      const req = records.getAll();
      return () => (req.result as RunRecord[]).filter((r) => r && typeof r.id === 'string');
    });
  },
  async modelFiles(id) {
    return withStores('readonly', (_records, models) => {
      const req = models.get(id);
      return () => {
        const v = req.result as Partial<RunModelFiles> | undefined;
        return v && typeof v.modelJson === 'string' && v.weights instanceof ArrayBuffer ? { modelJson: v.modelJson, weights: v.weights } : null;
      };
    });
  },
};
