/**
 * The backend choice measured on each adapter, kept in IndexedDB so that the next visit starts
 * on the winner at once (key: adapterCacheKey). Its own small database, so that it never shares
 * a schema version with the dataset or runs stores. Every failure reads as "nothing cached".
 */
import type { CachedChoice } from '../../engine/backend/start-plan';
import { openDatabase } from '../idb';

const DB_NAME = 'watermas-lab-backend';
const STORE = 'choices';

const openDb = () => openDatabase(DB_NAME, 1, [STORE]);

function isCachedChoice(v: unknown): v is CachedChoice {
  const c = v as CachedChoice | null;
  return (
    typeof c === 'object' && c !== null && typeof c.winner === 'string' && typeof c.at === 'number' &&
    Array.isArray(c.measured) && Array.isArray(c.abandoned) && Array.isArray(c.failed)
  );
}

/** The choice stored for `key`, or null (none, unreadable, or IndexedDB unavailable). */
export async function readCachedChoice(key: string): Promise<CachedChoice | null> {
  let db: IDBDatabase;
  try {
    db = await openDb();
  } catch {
    return null;
  }
  try {
    return await new Promise<CachedChoice | null>((resolve) => {
      const req = db.transaction(STORE, 'readonly').objectStore(STORE).get(key);
      req.onsuccess = () => resolve(isCachedChoice(req.result) ? req.result : null);
      req.onerror = () => resolve(null);
    });
  } finally {
    db.close();
  }
}

/** Stores the choice for `key`; false when it could not be stored (the lab then measures again next time). */
export async function writeCachedChoice(key: string, choice: CachedChoice): Promise<boolean> {
  let db: IDBDatabase;
  try {
    db = await openDb();
  } catch {
    return false;
  }
  try {
    return await new Promise<boolean>((resolve) => {
      const tx = db.transaction(STORE, 'readwrite');
      tx.objectStore(STORE).put(choice, key);
      tx.oncomplete = () => resolve(true);
      tx.onerror = () => resolve(false);
      tx.onabort = () => resolve(false);
    });
  } finally {
    db.close();
  }
}
