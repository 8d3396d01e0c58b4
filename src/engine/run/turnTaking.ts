/** Compare mode's turn taking: two runs that step one after the other. */
import type { TrainHooks } from '../train';

/** Steps in turn with another run (compare mode's gate, bound to one lane). */
export interface TurnTaking {
  acquire(): Promise<void>;
  /** Releases the gate for good: the other run never waits for this one again. */
  finish(): void;
}

/** `hooks` whose every step first waits for the run's turn. */
export function withTurn(hooks: TrainHooks, turn: TurnTaking | undefined): TrainHooks {
  if (!turn) return hooks;
  const inner = hooks.beforeStep;
  return {
    ...hooks,
    beforeStep: async (ctx) => {
      await turn.acquire();
      await inner?.(ctx);
    },
  };
}
