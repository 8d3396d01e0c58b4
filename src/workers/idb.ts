/// <reference lib="webworker" />
/**
 * The IndexedDB promise wrappers every store of the worker uses (data set files, runs, backend
 * choices): each store keeps its own database, so that no upgrade of one can block another.
 */

/** Opens database `name` at `version`, creating the object stores it lacks; rejects with a clear reason. */
export function openDatabase(name: string, version: number, stores: readonly string[]): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') {
      reject(new Error('IndexedDB is not available here'));
      return;
    }
    const req = indexedDB.open(name, version);
    req.onupgradeneeded = () => {
      for (const store of stores) if (!req.result.objectStoreNames.contains(store)) req.result.createObjectStore(store);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB: open failed'));
    req.onblocked = () => reject(new Error('IndexedDB: open blocked by another tab'));
  });
}

/** Resolves when the transaction has committed; rejects when it fails or aborts (quota exceeded, for one). */
export function transactionDone(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB: transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB: transaction aborted (quota exceeded?)'));
  });
}
