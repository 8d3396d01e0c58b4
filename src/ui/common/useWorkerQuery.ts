/**
 * Asks the worker something whenever the question changes and keeps the latest answer; an
 * answer to an older question, or one arriving after unmount, is dropped (the `let alive`
 * effect, written once).
 */
import { useEffect, useRef, useState } from 'react';
import { errorMessage } from './format';

export interface WorkerQuery<T> {
  /** The latest answer (undefined before the first; kept while a new question is out and after a failure). */
  readonly data: T | undefined;
  /** The latest failure, cleared by the next answer. */
  readonly error: string | null;
}

export interface WorkerQueryOptions<T> {
  /** Ask only while true (default true); while false the last answer stays. */
  readonly enabled?: boolean;
  /** Ask again whenever this changes (e.g. a stamp that changes when a training run ends). */
  readonly refresh?: unknown;
  /** Wait this long before asking (a debounce: a change meanwhile restarts the wait). */
  readonly delayMs?: number;
  /** Called with each kept answer. */
  readonly onAnswer?: (value: T) => void;
  /** Called with each kept failure's message. */
  readonly onError?: (message: string) => void;
}

/**
 * `ask` is the question: memoise it (useCallback) over its inputs; a new `ask`, `refresh`,
 * `enabled` or `delayMs` asks again. The callbacks need not be stable.
 */
export function useWorkerQuery<T>(ask: () => Promise<T>, options: WorkerQueryOptions<T> = {}): WorkerQuery<T> {
  const { enabled = true, refresh, delayMs = 0 } = options;
  const [answer, setAnswer] = useState<WorkerQuery<T>>({ data: undefined, error: null });
  const handlers = useRef(options);
  useEffect(() => {
    handlers.current = options;
  });
  useEffect(() => {
    if (!enabled) return;
    let current = true;
    const go = () => {
      ask().then(
        (data) => {
          if (!current) return;
          setAnswer({ data, error: null });
          handlers.current.onAnswer?.(data);
        },
        (e: unknown) => {
          if (!current) return;
          const error = errorMessage(e);
          setAnswer((a) => ({ data: a.data, error }));
          handlers.current.onError?.(error);
        },
      );
    };
    const timer = delayMs > 0 ? setTimeout(go, delayMs) : undefined;
    if (timer === undefined) go();
    return () => {
      current = false;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [ask, enabled, refresh, delayMs]);
  return answer;
}
