/**
 * The page's callbacks as a long job sees them (comlink proxies of the page's functions): called
 * without ever breaking the job, and released when the job ends.
 */
import * as Comlink from 'comlink';

/** Calls a page callback, never letting a closed page (or a callback that throws) break the job. */
export function safe<T>(cb: (v: T) => void | Promise<void>): (v: T) => Promise<void> {
  return async (v) => {
    try {
      await cb(v);
    } catch {
      /* the page is gone or the callback threw: keep going */
    }
  };
}

/** Closes the comlink port of a page callback (a plain function has none). */
export function release(cb: unknown): void {
  (cb as Partial<Record<typeof Comlink.releaseProxy, () => void>>)[Comlink.releaseProxy]?.();
}
