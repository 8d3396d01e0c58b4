import type * as tf from '@tensorflow/tfjs-core';
import { ATTACKS, getAttack, runSweep, trainerFineTune, type AttackOptions } from '../engine/attacks';
import { BatchStream, evalBatches } from '../engine/data/batches';
import { sliceImageSet } from '../engine/data/imageset';
import type { Dataset, ImageSet, Normalization } from '../engine/data/types';
import type { Model } from '../engine/models/types';
import { RunControl, evaluate } from '../engine/train';
import { judgeValues, readKeyValues, type Key } from '../engine/watermark';
import type { AttackPoint, AttackSummary, AttackSweepOutcome, AttackSweepSettings } from './analysisApi';

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

/** The attacker's data: the last third of the training set (disjoint from the owner's first two thirds), at most `limit` images. */
export function attackerSet(train: ImageSet, limit: number): ImageSet {
  const start = Math.floor((2 * train.count) / 3);
  return sliceImageSet(train, start, Math.max(1, Math.min(limit, train.count - start)));
}

export interface AttackRunInput {
  readonly model: Model;
  readonly key: Key;
  readonly dataset: Dataset;
  readonly normalization: Normalization;
  readonly settings: AttackSweepSettings;
  /** Its cancel() stops the sweep between strengths (and a fine-tuning run between steps). */
  readonly control: RunControl;
  readonly backend: () => string;
  readonly onPoint: (p: AttackPoint) => void | Promise<void>;
}

/**
 * One sweep: the unattacked accuracy first (the reference of the accuracy drop), then for each
 * strength the attacked copy's test accuracy and the watermark decision read from the attacked
 * weights (BER, p-value, detected), streamed point by point. The model is never written.
 */
export async function runAttackSweepOn(input: AttackRunInput): Promise<AttackSweepOutcome> {
  const { model, key, dataset, normalization: norm, settings: s } = input;
  validateAttackSettings(s);
  const info = getAttack(s.attack);
  const signal = { get aborted() { return input.control.cancelled; } };
  const strengths = s.strengths.length > 0 ? s.strengths : info.defaultStrengths;
  const test = sliceImageSet(dataset.test, 0, Math.min(s.testLimit, dataset.test.count));
  const batchSize = Math.min(EVAL_BATCH, test.count);
  const t0 = performance.now();
  const base = await evaluate(model, evalBatches(test, batchSize, norm));
  const opts: AttackOptions = {
    seed: s.seed,
    positions: key.positions,
    interceptMode: s.interceptMode ?? 'flip',
    ...(info.needs === 'trainer'
      ? {
          fineTune: trainerFineTune({
            mode: s.fineTuneMode ?? 'FTAL',
            source: new BatchStream(attackerSet(dataset.train, s.attackerLimit ?? 2000), {
              batchSize: Math.min(64, s.attackerLimit ?? 2000), seed: s.seed, normalization: norm, augment: true,
            }),
            hooks: { control: input.control },
          }),
        }
      : {}),
  };
  const points: AttackPoint[] = [];
  const result = await runSweep({
    model, attack: info.id, strengths, attackOptions: opts, signal,
    measure: async (weights) => {
      const acc = await evaluate(model, evalBatches(test, batchSize, norm), { overrides: weights });
      const values = await readKeyValues({ params: weights as ReadonlyMap<string, tf.Variable> }, key);
      const v = judgeValues(values, key);
      return { accuracy: acc.accuracy, ber: v.ber, pValue: v.pValue, log10PValue: v.log10PValue, detected: v.detected };
    },
    onPoint: (p) => {
      // A fine-tuning run cut short by cancel would be mislabeled: drop it.
      if (signal.aborted) return;
      const m = p.metrics;
      const point: AttackPoint = {
        attack: info.id, strength: p.strength, index: p.index, total: strengths.length, accuracy: m.accuracy,
        ber: m.ber as number, pValue: m.pValue as number, log10PValue: m.log10PValue as number, detected: m.detected as boolean, ms: p.ms,
      };
      points.push(point);
      void input.onPoint(point);
    },
  });
  return {
    attack: info.id, points, cancelled: result.cancelled || signal.aborted, baseAccuracy: base.accuracy,
    testImages: test.count, seconds: (performance.now() - t0) / 1000, backend: input.backend(),
  };
}
