import { RunControl } from '../train/runControl';
import { train, type TrainHooks } from '../train/trainer';
import type { BatchSource, FrozenPositions } from '../train/types';
import type { Model } from '../models/types';
import type { FineTuneDeps, FineTuneMode } from './finetune';

export interface TrainerFineTuneOptions {
  readonly mode: FineTuneMode;
  /** The attacker's data (by default a third of the training set, disjoint from the owner's). */
  readonly source: BatchSource;
  /** methods.md §5: SGD lr 0.01, momentum 0.9, weight decay 5e-4. */
  readonly lr?: number;
  readonly momentum?: number;
  readonly weightDecay?: number;
  /** Passed to the trainer (pause / cancel, progress). */
  readonly hooks?: Omit<TrainHooks, 'frozen' | 'objective'>;
}

/** Every index of every parameter that is not trainable: FTLL's freeze mask. */
export function frozenExcept(model: Model, trainable: readonly string[]): FrozenPositions {
  const keep = new Set(trainable);
  const frozen = new Map<string, Int32Array>();
  for (const p of model.paramInfo) {
    if (keep.has(p.name)) continue;
    const size = p.shape.reduce((a, b) => a * b, 1);
    frozen.set(p.name, Int32Array.from({ length: size }, (_, i) => i));
  }
  return frozen;
}

/**
 * Fine-tuning dependencies over the lab's trainer: SGD with the methods.md §5 defaults,
 * cross-entropy on the attacker's batches, the non-trainable parameters frozen through the
 * trainer's FrozenPositions (bitwise). BatchNorm running statistics update as in any training
 * run (also for FTLL, as PyTorch's train mode does).
 */
export function trainerFineTune(o: TrainerFineTuneOptions): FineTuneDeps {
  return {
    mode: o.mode,
    lr: o.lr ?? 0.01,
    train: async (model, req) => {
      const frozen = req.trainable.length === model.paramInfo.length ? undefined : frozenExcept(model, req.trainable);
      // The request's signal (FineTuneDeps.signal) cancels the run between steps.
      const control = o.hooks?.control ?? new RunControl();
      const userBeforeStep = o.hooks?.beforeStep;
      const r = await train(
        model,
        o.source,
        { optimizer: 'sgd', epochs: req.epochs, lr: req.lr, momentum: o.momentum ?? 0.9, weightDecay: o.weightDecay ?? 5e-4, seed: req.seed },
        {
          ...o.hooks,
          control,
          frozen,
          beforeStep: async (ctx) => {
            if (req.signal?.aborted) control.cancel();
            await userBeforeStep?.(ctx);
          },
        },
      );
      if (r.status === 'diverged') throw new Error(`fine-tune diverged: ${r.message ?? ''}`);
      if (r.status === 'cancelled') throw new Error('fine-tune cancelled');
    },
  };
}
