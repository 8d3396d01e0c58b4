import { ATTACKS, attackOptionsFor, getAttack, sweepWithEvidence, type EvidencePoint } from '../../engine/attacks';
import { evalBatches } from '../../engine/data/batches';
import { sliceImageSet } from '../../engine/data/imageset';
import type { Model } from '../../engine/models/types';
import { evaluate } from '../../engine/train';
import type { WatermasKey } from '../../engine/watermark';
import { evidenceColumns, type KeyEvidence, type MethodKey } from '../../engine/methods';
import type { AttackPoint, AttackSummary, AttackSweepOutcome, AttackSweepSettings } from '../../protocol/analysis';
import type { LongJobInput } from '../jobs';

/** Evaluation batch size of the sweep (padded last batch: one kernel shape for the whole sweep). */
const EVAL_BATCH = 64;

/** The registry as plain data for the UI. */
export function attackCatalog(): AttackSummary[] {
  return ATTACKS.map((a) => ({
    id: a.id, label: a.label, strengthName: a.strengthName, strengthUnit: a.strengthUnit,
    defaultStrengths: [...a.defaultStrengths], decreasing: !!a.decreasing, trains: a.needs === 'trainer',
  }));
}

/** Checks sweep settings that came over the worker boundary; throws a one-line reason. */
export function validateAttackSettings(s: AttackSweepSettings): void {
  getAttack(s.attack);
  if (!Array.isArray(s.strengths) || s.strengths.some((x) => typeof x !== 'number' || !Number.isFinite(x) || x < 0)) {
    throw new Error('strengths must be a list of numbers >= 0');
  }
  if (s.strengths.length > 50) throw new Error(`at most 50 strengths per sweep, got ${s.strengths.length}`);
  if (!(Number.isInteger(s.testLimit) && s.testLimit >= 1)) throw new Error(`test images must be a whole number >= 1, got ${s.testLimit}`);
  if (!(Number.isInteger(s.seed) && s.seed >= 0)) throw new Error(`seed must be a whole number >= 0, got ${s.seed}`);
  if (s.attackerLimit !== undefined && !(Number.isInteger(s.attackerLimit) && s.attackerLimit >= 1)) {
    throw new Error(`attacker images must be a whole number >= 1, got ${s.attackerLimit}`);
  }
}

/** A bare `WatermasKey` (what the trainer and Compare mode hold) or a `MethodKey`, as a `MethodKey`. */
export function asMethodKey(key: WatermasKey | MethodKey): MethodKey {
  return 'key' in key && typeof key.key === 'object' && key.key !== null ? (key as MethodKey) : { method: 'watermas', key: key as WatermasKey };
}

/** An evidence sweep point as the Attack panel shows it. */
export function toAttackPoint(attack: string, total: number, p: EvidencePoint, e: KeyEvidence): AttackPoint {
  return {
    attack, strength: p.strength, index: p.index, total, accuracy: p.accuracy, method: e.method,
    ...evidenceColumns(e),
    pValue: e.pValue, log10PValue: e.log10PValue, detected: e.detected, ms: p.ms,
  };
}

export interface AttackRunInput extends LongJobInput {
  readonly model: Model;
  /** The run's key, any method (a bare WaterMAS `WatermasKey` is accepted as is). */
  readonly key: MethodKey | WatermasKey;
  readonly settings: AttackSweepSettings;
  readonly onPoint: (p: AttackPoint) => void | Promise<void>;
}

/**
 * One sweep: the unattacked accuracy first (the reference of the accuracy drop), then for each
 * strength the attacked copy's test accuracy and the watermark evidence of the key's method
 * read from the attacked weights (WaterMAS / Uchida: BER; FCW: trigger accuracy; p-value,
 * detected), streamed point by point. The model is never written.
 */
export async function runAttackSweepOn(input: AttackRunInput): Promise<AttackSweepOutcome> {
  const { model, dataset, normalization: norm, settings: s } = input;
  validateAttackSettings(s);
  const key = asMethodKey(input.key);
  const info = getAttack(s.attack);
  const signal = { get aborted() { return input.control.cancelled; } };
  const strengths = s.strengths.length > 0 ? s.strengths : info.defaultStrengths;
  const options = attackOptionsFor(s, key, dataset.train, norm, input.control);
  const test = sliceImageSet(dataset.test, 0, Math.min(s.testLimit, dataset.test.count));
  const batchSize = Math.min(EVAL_BATCH, test.count);
  const t0 = performance.now();
  const base = await evaluate(model, evalBatches(test, batchSize, norm));
  const points: AttackPoint[] = [];
  const result = await sweepWithEvidence({
    model, key, attack: info.id, strengths, options, test, batchSize, normalization: norm, signal,
    evidenceOptions: { trainSet: dataset.train },
    onPoint: (p) => {
      const point = toAttackPoint(info.id, strengths.length, p, p.evidence as KeyEvidence);
      points.push(point);
      void input.onPoint(point);
    },
  });
  return {
    attack: info.id, method: key.method, points, cancelled: result.cancelled, baseAccuracy: base.accuracy,
    testImages: test.count, seconds: (performance.now() - t0) / 1000, backend: input.backend(),
  };
}
