/** DOM-free helpers of the "Stress it" form (defaults, request building); unit-tested in tests/unit/workers/stressRequest.test.ts. */
import type { AttackSummary, StressRequest } from '../../protocol/api';
import { parseStrengths } from '../common/analysisData';

/** Attacks checked by default: cheap, no training (our choice; fine-tuning is opt-in, it trains on the data set). */
export const DEFAULT_STRESS_ATTACKS: readonly string[] = ['noise', 'prune-global', 'quantize'];
/** Default number of test images (adjustable). */
export const DEFAULT_STRESS_TEST_IMAGES = 256;

export interface AttackChoice {
  readonly on: boolean;
  readonly strengths: string;
}

/** The request for the checked attacks, or a one-line reason why the form is not valid. */
export function stressRequestFrom(catalog: readonly AttackSummary[], choices: Readonly<Record<string, AttackChoice>>, testImages: number, seed: number): StressRequest | string {
  const attacks: { attack: string; strengths: number[] }[] = [];
  for (const a of catalog) {
    const c = choices[a.id];
    if (!c?.on) continue;
    const s = parseStrengths(c.strengths);
    if (!s) return `${a.label}: strengths must be a comma-separated list of numbers ≥ 0`;
    if (s.length > 50) return `${a.label}: at most 50 strengths`;
    attacks.push({ attack: a.id, strengths: s });
  }
  if (attacks.length === 0) return 'choose at least one attack';
  if (!(Number.isInteger(testImages) && testImages >= 1)) return 'test images must be a whole number ≥ 1';
  return { attacks, testLimit: testImages, seed };
}
