/**
 * The three verdicts a watermark check can show, told apart by colour, icon and words.
 *
 * - detected: p below the detection threshold (1e-6 by default).
 * - inconclusive: not detected, but p ≤ 0.01: the model matches the key better than an unrelated
 *   model would in 99 cases out of 100, yet not well enough to claim the mark (a damaged mark, or
 *   a payload too short for the threshold). It says "look closer", not "absent".
 * - not detected: p > 0.01, what an unrelated model typically gives.
 */
export type VerdictKind = 'detected' | 'inconclusive' | 'not-detected';

/** log10 of the p-value at or below which an undetected mark is called inconclusive rather than absent. */
export const INCONCLUSIVE_LOG10_P = -2;

export function verdictOf(detected: boolean, log10PValue: number): VerdictKind {
  if (detected) return 'detected';
  return log10PValue <= INCONCLUSIVE_LOG10_P ? 'inconclusive' : 'not-detected';
}

export const VERDICT_TEXT: Readonly<Record<VerdictKind, { readonly icon: string; readonly words: string }>> = {
  detected: { icon: '✓', words: 'watermark detected' },
  inconclusive: { icon: '?', words: 'inconclusive' },
  'not-detected': { icon: '✗', words: 'not detected' },
};
