/** The training form's check of its settings (re-exported by TrainingForm.tsx). */
import type { TrainSettings } from '../../protocol/api';
import { trainSettingsError } from '../../protocol/training';

/** Returns a reason when the settings cannot be run (the training contract's, protocol/training.ts), else null. */
export function validateSettings(s: TrainSettings): string | null {
  const error = trainSettingsError(s);
  // The form shows the value itself: "Epochs must be a whole number in 1..10000."
  if (error !== null) return `${error[0].toUpperCase()}${error.slice(1).replace(/, got .*$/, '')}.`;
  if (s.trainLimit > 0 && s.trainLimit < s.batchSize) return 'Train images must be at least one batch.';
  return null;
}
