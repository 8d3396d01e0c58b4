/**
 * Keeps the user's CIFAR-10 batch files in IndexedDB so a dropped tarball survives reloads.
 * One database, one object store: key = file name (e.g. `data_batch_1.bin`), value = ArrayBuffer.
 */

const DB_NAME = 'watermas-lab';
const DB_VERSION = 1;
const STORE = 'cifar10-files';

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') {
      reject(new Error('IndexedDB is not available in this browser'));
      return;
    }
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB: open failed'));
    req.onblocked = () => reject(new Error('IndexedDB: open blocked by another tab'));
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB: transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB: transaction aborted (quota exceeded?)'));
  });
}

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
    await done(tx);
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
    await done(tx);
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
    await done(tx);
  } finally {
    db.close();
  }
}
