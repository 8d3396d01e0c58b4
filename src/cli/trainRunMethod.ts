/**
 * `wmlab train`'s watermark setups (trainMethods.ts, and WaterMAS embedding in commands/train.ts)
 * as the method of the shared training run (engine/run RunMethod). Their keys come from the CLI's
 * flags (--key-seed, --allocation, up to 1,000,000 bits, a resumed checkpoint's key), which a
 * protocol WatermarkConfig cannot express, so the CLI starts them itself and the run trains with
 * them; the CLI verifies the trained model with its own calls (the report's fields).
 */
import { fcwTrainingSetup, type FcwTrainingSetup } from '../engine/fcw';
import type { Model } from '../engine/models/types';
import type { RunMethod } from '../engine/run';
import type { FrozenPositions } from '../engine/train';
import type { WaterMASObjective, WatermasKey } from '../engine/watermark';
import type { FcwSetup, UchidaSetup } from './trainMethods';

/** A WaterMAS run: the embedded key, its frozen positions and the objective over the other weights. */
export function watermasRunMethod(key: WatermasKey, frozen: FrozenPositions, objective: WaterMASObjective): RunMethod {
  return {
    methodKey: { method: 'watermas', key },
    source: (stream) => stream,
    trainHooks: () => ({ objective, frozen }),
    dispose: () => objective.dispose(),
  };
}

/** An Uchida run: the regulariser objective. */
export function uchidaRunMethod(setup: UchidaSetup): RunMethod {
  return {
    methodKey: { method: 'uchida', key: setup.key },
    source: (stream) => stream,
    trainHooks: () => ({ objective: setup.objective }),
    dispose: () => setup.objective.dispose(),
  };
}

/** An FCW run (as engine/fcw trainFcw does it): triggers appended to every batch, masking before each step; `maskEvents()` counts the masking events. */
export function fcwRunMethod(model: Model, setup: FcwSetup): RunMethod & { maskEvents(): number } {
  let training: FcwTrainingSetup | null = null;
  return {
    methodKey: { method: 'fcw', key: setup.key },
    source(stream) {
      training = fcwTrainingSetup(model, stream, setup.embed);
      return training.source;
    },
    trainHooks: () => ({
      beforeStep: (ctx) => {
        if (!training) throw new Error('FCW: source() must wrap the training batches before the first step');
        training.beforeStep(ctx);
      },
    }),
    maskEvents: () => training?.masker.events.length ?? 0,
    dispose: () => undefined,
  };
}
