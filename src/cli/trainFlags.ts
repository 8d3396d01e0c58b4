/**
 * `wmlab train`'s numeric training flags, checked against the training contract's limits
 * (src/protocol/training.ts: the form, the worker and the URL registry use the same ones).
 */
import { TRAIN_LIMITS, limitText, withinLimit, type NumberLimit, type NumericTrainSetting } from '../protocol/training';
import { num, UsageError } from './args';

/**
 * The flag's number (or `fallback` when absent); a usage error (exit code 2) when it is not a
 * number or outside the setting's limit: "--batch must be a whole number in 1..4096, got 5000".
 */
export function trainNum(value: string | undefined, flag: string, limit: NumericTrainSetting | NumberLimit, fallback: number): number {
  const l = typeof limit === 'string' ? TRAIN_LIMITS[limit] : limit;
  const v = num(value, flag, { default: fallback });
  if (value !== undefined && !withinLimit(l, v)) throw new UsageError(`--${flag} must be ${limitText(l)}, got ${value}`);
  return v;
}
