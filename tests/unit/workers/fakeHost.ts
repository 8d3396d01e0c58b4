import type { Model } from '../../../src/engine/models/types';
import type { MethodKey } from '../../../src/engine/methods';
import type { TrainSettings } from '../../../src/protocol/api';
import type { RunsHost } from '../../../src/workers/runs/runsService';
import { JobBoard } from '../../../src/workers/jobs';

/** An in-order promise queue, like the engine service's tensor queue (`exclusive`). */
export function inOrderQueue(): <T>(context: string, fn: () => Promise<T>) => Promise<T> {
  let queue: Promise<unknown> = Promise.resolve();
  return <T>(_context: string, fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn) as Promise<T>;
    queue = run.catch(() => undefined);
    return run;
  };
}

/** A fake engine host for the runs: a current-model slot, no data, an in-order queue, no long job going. */
export function fakeRunsHost(): { h: RunsHost; slot: { model: Model | null; key: MethodKey | null; settings: TrainSettings | null } } {
  const slot: { model: Model | null; key: MethodKey | null; settings: TrainSettings | null } = { model: null, key: null, settings: null };
  const h: RunsHost = {
    currentModel: () => slot.model,
    setCurrentModel: (model, key, settings) => {
      slot.model?.dispose();
      Object.assign(slot, { model, key, settings });
    },
    currentData: () => null,
    backendName: () => 'cpu',
    jobs: new JobBoard(),
    exclusive: inOrderQueue(),
  };
  return { h, slot };
}
