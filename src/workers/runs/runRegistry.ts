/**
 * The list of finished runs: records in memory, weights in the persistent store (IndexedDB) and
 * in memory until they are saved. A run whose save fails (quota, no IndexedDB) keeps its weights
 * in memory for the session and says why it is not saved. No tensors here: weights are bytes.
 */
import type { RunModelFiles } from './runFile';
import type { RunListItem, RunRecord, RunStorageState } from '../../protocol/runs';
import { storageErrorMessage, type RunStore } from './runStore';

interface Entry {
  record: RunRecord;
  /** Held until saved (and for good when saving failed). */
  files: RunModelFiles | null;
  state: RunStorageState;
}

/** A new unique run id. */
export function newRunId(): string {
  return typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

export const MAX_RUN_NAME = 120;

export class RunRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly restored: Promise<void>;
  /** Writes in flight (listing waits for them so the drawer shows the final storage state). */
  private pending = new Set<Promise<void>>();
  /** The last write of each id: the next write of that id waits for it. */
  private readonly writes = new Map<string, Promise<void>>();
  /** Why the stored list could not be read at start (shown once in the drawer). */
  restoreError: string | null = null;

  /** `store` null = memory only. The stored list is read at once. */
  constructor(private readonly store: RunStore | null) {
    this.restored = this.restore();
  }

  private async restore(): Promise<void> {
    if (!this.store) return;
    try {
      for (const record of await this.store.records()) {
        if (!this.entries.has(record.id)) this.entries.set(record.id, { record, files: null, state: { stored: true } });
      }
    } catch (e) {
      this.restoreError = `stored runs could not be read: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  /** Resolves once the stored list is loaded and every write so far has settled. */
  async settled(): Promise<void> {
    await this.restored;
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** Adds a run (in memory at once) and saves it in the background. */
  add(record: RunRecord, files: RunModelFiles): RunRecord {
    if (this.entries.has(record.id)) throw new Error(`a run with id ${record.id} exists already`);
    return this.put(record, files);
  }

  /**
   * Adds or replaces a run under its id (a run in progress saved again, then its final record)
   * and saves it in the background; writes of one id are stored in the order they were made.
   */
  upsert(record: RunRecord, files: RunModelFiles): RunRecord {
    return this.put(record, files);
  }

  private put(record: RunRecord, files: RunModelFiles): RunRecord {
    const entry: Entry = { record, files, state: { stored: false } };
    this.entries.set(record.id, entry);
    if (!this.store) {
      entry.state = { stored: false, storageError: 'not saved: no persistent storage here; it stays available until the page is closed' };
      return record;
    }
    const store = this.store;
    const before = this.writes.get(record.id) ?? this.restored;
    const write = (async () => {
      await before.catch(() => undefined);
      try {
        await store.put(record, files);
        // Deleted (or replaced) meanwhile: a deleted run's record must not come back.
        if (!this.entries.has(record.id)) {
          await store.remove(record.id).catch(() => undefined);
          return;
        }
        if (this.entries.get(record.id) === entry) {
          entry.state = { stored: true };
          entry.files = null;
        }
      } catch (e) {
        entry.state = { stored: false, storageError: storageErrorMessage(e) };
      }
    })();
    this.writes.set(record.id, write);
    void write.finally(() => {
      if (this.writes.get(record.id) === write) this.writes.delete(record.id);
    });
    this.track(write);
    return record;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  /** The record, or a clear error. */
  get(id: string): RunRecord {
    const e = this.entries.get(id);
    if (!e) throw new Error(`no run with id "${String(id)}" (deleted?)`);
    return e.record;
  }

  /** Every run, newest first. */
  async list(currentId: string | null): Promise<RunListItem[]> {
    await this.settled();
    return [...this.entries.values()]
      .map((e) => ({ ...e.record, ...e.state, current: e.record.id === currentId }))
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  }

  async rename(id: string, name: string): Promise<RunRecord> {
    await this.restored;
    const entry = this.entries.get(id);
    if (!entry) throw new Error(`no run with id "${String(id)}" (deleted?)`);
    const trimmed = typeof name === 'string' ? name.trim() : '';
    if (!trimmed) throw new Error('a run name cannot be empty');
    if (trimmed.length > MAX_RUN_NAME) throw new Error(`a run name has at most ${MAX_RUN_NAME} characters`);
    entry.record = { ...entry.record, name: trimmed };
    if (entry.state.stored && this.store) {
      try {
        await this.store.putRecord(entry.record);
      } catch (e) {
        throw new Error(`renamed for this session only: ${storageErrorMessage(e)}`, { cause: e });
      }
    }
    return entry.record;
  }

  async remove(id: string): Promise<void> {
    await this.settled();
    if (!this.entries.delete(id)) throw new Error(`no run with id "${String(id)}" (deleted already?)`);
    if (this.store) await this.store.remove(id);
  }

  /** The run's model files (memory first, then the store). */
  async files(id: string): Promise<RunModelFiles> {
    await this.restored;
    const entry = this.entries.get(id);
    if (!entry) throw new Error(`no run with id "${String(id)}" (deleted?)`);
    if (entry.files) return entry.files;
    const files = this.store ? await this.store.modelFiles(id) : null;
    if (!files) throw new Error(`the weights of run "${entry.record.name}" are missing from this browser's storage`);
    return files;
  }
}
