/**
 * Keeps the user's CIFAR-10 batch files in IndexedDB so a dropped tarball survives reloads.
 * One database, one object store: key = file name (e.g. `data_batch_1.bin`), value = ArrayBuffer.
 */

import { openDatabase, transactionDone } from '../idb';

const DB_NAME = 'watermas-lab';
const DB_VERSION = 1;
const STORE = 'cifar10-files';

const openDb = () => openDatabase(DB_NAME, DB_VERSION, [STORE]);

/** Stores the given files (replacing everything stored before) in one transaction. */
export async function storeFiles(files: ReadonlyMap<string, Uint8Array>): Promise<void> {
  const db = await openDb();
  try {
    const tx = db.transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    store.clear();
    for (const [name, bytes] of files) {
      // Store a tight copy: a subarray view would otherwise drag its whole parent buffer along.
      store.put(bytes.slice().buffer, name);
    }
    await transactionDone(tx);
  } finally {
    db.close();
  }
}

/** Reads the stored files (empty map when nothing is stored or IndexedDB is unavailable). */
export async function loadFiles(): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  let db: IDBDatabase;
  try {
    db = await openDb();
  } catch {
    return out;
  }
  try {
    const tx = db.transaction(STORE, 'readonly');
    const store = tx.objectStore(STORE);
    const keysReq = store.getAllKeys();
    const valuesReq = store.getAll();
    await transactionDone(tx);
    const keys = keysReq.result;
    const values = valuesReq.result as unknown[];
    keys.forEach((k, i) => {
      const v = values[i];
      if (typeof k === 'string' && v instanceof ArrayBuffer) out.set(k, new Uint8Array(v));
    });
    return out;
  } finally {
    db.close();
  }
}

/** Deletes every stored file. */
export async function clearFiles(): Promise<void> {
  const db = await openDb();
  try {
    const tx = db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).clear();
    await transactionDone(tx);
  } finally {
    db.close();
  }
}
