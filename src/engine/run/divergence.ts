/** A run whose loss diverged: the report of one that ended on its checkpoint, the error of one without. */
import type { TrainResult } from '../train';
import type { DivergenceReport } from '../../protocol/session';

/** The divergence report of a run stopped on its checkpoint (null when it did not diverge or had none). */
export function divergenceOf(r: TrainResult): DivergenceReport | null {
  if (r.status !== 'diverged' || r.restoredStep === undefined || r.divergedAtStep === undefined) return null;
  const loss = r.divergedLoss ?? NaN;
  return {
    step: r.divergedAtStep,
    loss: Number.isFinite(loss) ? loss.toPrecision(3) : String(loss),
    checkpointStep: r.restoredStep,
    message: r.message ?? `The loss diverged at step ${r.divergedAtStep}. Training stopped; the model is the last good checkpoint from step ${r.restoredStep}.`,
  };
}

/** A run that diverged with no checkpoint to end on (its message the trainer's); `result` is the trainer's. */
export class TrainingDivergedError extends Error {
  readonly result: TrainResult;

  constructor(result: TrainResult) {
    super(result.message ?? 'training diverged');
    this.result = result;
  }
}
