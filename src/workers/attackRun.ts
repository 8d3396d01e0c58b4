import type * as tf from '@tensorflow/tfjs-core';
import { ATTACKS, getAttack, runSweep, trainerFineTune, type AttackOptions } from '../engine/attacks';
import { BatchStream, evalBatches } from '../engine/data/batches';
import { sliceImageSet } from '../engine/data/imageset';
import type { Dataset, ImageSet, Normalization } from '../engine/data/types';
import type { Model } from '../engine/models/types';
import { RunControl, evaluate } from '../engine/train';
import type { AnyKey, Key } from '../engine/watermark';
import { keyEvidence, type KeyEvidence, type KeyEvidenceOptions } from '../engine/watermark/anyKeyEvidence';
import type { AttackPoint, AttackSummary, AttackSweepOutcome, AttackSweepSettings } from './analysisApi';

/** Evaluation batch size of the sweep (padded last batch: one kernel shape for the whole sweep). */
const EVAL_BATCH = 64;
/** Default number of attacker images for fine-tuning. */
const ATTACKER_LIMIT = 2000;

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

/** A WaterMAS `Key` (what the trainer and Compare mode hold) or an `AnyKey`, as an `AnyKey`. */
export function asAnyKey(key: Key | AnyKey): AnyKey {
  return 'key' in key && typeof key.key === 'object' && key.key !== null ? (key as AnyKey) : { method: 'watermas', key: key as Key };
}

/** The settings an attack's options are built from (a subset of AttackSweepSettings). */
export type AttackOptionSettings = Pick<AttackSweepSettings, 'attack' | 'seed' | 'fineTuneMode' | 'attackerLimit' | 'interceptMode'>;

/**
 * The engine options of one attack, the one place they are set up (Attack panel, comparison
 * view, Stress it, CLI): seed, the WaterMAS key positions (key interception needs them: any
 * other key, or none, is refused with a one-line reason), the interception mode, and for
 * fine-tuning a trainer on the attacker's share of `train` (augmented batches of at most 64,
 * cancelled through `control` between steps when one is given).
 */
export function attackOptionsFor(s: AttackOptionSettings, key: AnyKey | null, train: ImageSet, normalization: Normalization, control?: RunControl): AttackOptions {
  const info = getAttack(s.attack);
  if (info.id === 'intercept' && key?.method !== 'watermas') {
    throw new Error(`key interception needs the key positions of a WaterMAS key; this run has ${key ? `a ${key.method} key` : 'no key'}`);
  }
  const limit = s.attackerLimit ?? ATTACKER_LIMIT;
  return {
    seed: s.seed,
    ...(key?.method === 'watermas' ? { positions: key.key.positions } : {}),
    interceptMode: s.interceptMode ?? 'flip',
    ...(info.needs === 'trainer'
      ? {
          fineTune: trainerFineTune({
            mode: s.fineTuneMode ?? 'FTAL',
            source: new BatchStream(attackerSet(train, limit), { batchSize: Math.min(64, limit), seed: s.seed, normalization, augment: true }),
            ...(control ? { hooks: { control } } : {}),
          }),
        }
      : {}),
  };
}

/** One measured strength of an evidence sweep. */
export interface EvidencePoint {
  readonly strength: number;
  /** Index of the strength in the requested list. */
  readonly index: number;
  /** Test accuracy of the attacked copy. */
  readonly accuracy: number;
  /** The key's evidence read from the attacked copy (null when the run has no key). */
  readonly evidence: KeyEvidence | null;
  /** Wall time of attack + measurement, ms. */
  readonly ms: number;
}

export interface EvidenceSweepInput {
  readonly model: Model;
  /** Null: accuracy only. */
  readonly key: AnyKey | null;
  /** A registry id. */
  readonly attack: string;
  readonly strengths: readonly number[];
  /** From attackOptionsFor. */
  readonly options: AttackOptions;
  /** The test images the accuracy is measured on, in batches of `batchSize` (padded last batch). */
  readonly test: ImageSet;
  readonly batchSize: number;
  readonly normalization: Normalization;
  /** Passed to keyEvidence (e.g. the training set an FCW recipe key names). */
  readonly evidenceOptions?: KeyEvidenceOptions;
  /** Checked before each strength; a point measured after it was set is dropped (a cut-short fine-tuning would be mislabeled). */
  readonly signal?: { readonly aborted: boolean };
  readonly onPoint: (p: EvidencePoint) => void;
}

/**
 * The sweep loop every attack view shares: for each strength the attacked copy's test accuracy
 * and the key's evidence through `keyEvidence` (WaterMAS / Uchida: BER; FCW: trigger accuracy;
 * with every method's p-value and verdict), streamed point by point. The model is never written;
 * the attacked copies are disposed by the engine's runSweep.
 */
export async function sweepWithEvidence(input: EvidenceSweepInput): Promise<{ readonly points: readonly EvidencePoint[]; readonly cancelled: boolean }> {
  const { model, key, test, batchSize, normalization: norm, signal } = input;
  const points: EvidencePoint[] = [];
  // runSweep calls onPoint right after measure for the same strength: hand the evidence over.
  let evidence: KeyEvidence | null = null;
  const result = await runSweep({
    model, attack: input.attack, strengths: input.strengths, attackOptions: input.options, ...(signal ? { signal } : {}),
    measure: async (weights, m) => {
      const acc = await evaluate(m, evalBatches(test, batchSize, norm), { overrides: weights });
      evidence = key ? await keyEvidence(m, key, weights as ReadonlyMap<string, tf.Tensor>, input.evidenceOptions) : null;
      return { accuracy: acc.accuracy };
    },
    onPoint: (p) => {
      if (signal?.aborted) return;
      const point: EvidencePoint = { strength: p.strength, index: p.index, accuracy: p.metrics.accuracy, evidence, ms: p.ms };
      points.push(point);
      input.onPoint(point);
    },
  });
  return { points, cancelled: result.cancelled || !!signal?.aborted };
}

/** An evidence sweep point as the Attack panel shows it. */
export function toAttackPoint(attack: string, total: number, p: EvidencePoint, e: KeyEvidence): AttackPoint {
  return {
    attack, strength: p.strength, index: p.index, total, accuracy: p.accuracy, method: e.method,
    ber: e.method === 'fcw' ? null : e.ber, triggerAccuracy: e.method === 'fcw' ? e.triggerAccuracy : null,
    pValue: e.pValue, log10PValue: e.log10PValue, detected: e.detected, ms: p.ms,
  };
}

export interface AttackRunInput {
  readonly model: Model;
  /** The run's key, any method (a bare WaterMAS `Key` is accepted as is). */
  readonly key: AnyKey | Key;
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
 * strength the attacked copy's test accuracy and the watermark evidence of the key's method
 * read from the attacked weights (WaterMAS / Uchida: BER; FCW: trigger accuracy; p-value,
 * detected), streamed point by point. The model is never written.
 */
export async function runAttackSweepOn(input: AttackRunInput): Promise<AttackSweepOutcome> {
  const { model, dataset, normalization: norm, settings: s } = input;
  validateAttackSettings(s);
  const key = asAnyKey(input.key);
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
