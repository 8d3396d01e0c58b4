/**
 * The attack sweep every view shares (Attack panel, comparison view, Stress it, CLI): the one
 * place an attack's options are set up, and the loop that measures each strength's test
 * accuracy and the key's evidence through `keyEvidence`, whatever the watermark method.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { BatchStream, evalBatches } from '../data/batches';
import { sliceImageSet } from '../data/imageset';
import type { ImageSet, Normalization } from '../data/types';
import type { Model } from '../models/types';
import { evaluate } from '../train/evaluate';
import type { RunControl } from '../train/runControl';
import { keyEvidence } from '../methods/evidence';
import { methodOf, type KeyEvidence, type MethodKey } from '../methods/registry';
import type { KeyEvidenceOptions } from '../methods/types';
import { getAttack } from './registry';
import { runSweep } from './sweep';
import { trainerFineTune } from './finetuneTrainer';
import type { AttackOptions } from './types';

/** Default number of attacker images for fine-tuning. */
export const ATTACKER_LIMIT = 2000;

/** The attacker's data: the last third of the training set (disjoint from the owner's first two thirds), at most `limit` images. */
export function attackerSet(train: ImageSet, limit: number): ImageSet {
  const start = Math.floor((2 * train.count) / 3);
  return sliceImageSet(train, start, Math.max(1, Math.min(limit, train.count - start)));
}

/** The settings an attack's options are built from. */
export interface AttackOptionSettings {
  /** A registry id. */
  readonly attack: string;
  readonly seed: number;
  /** Fine-tuning only (default FTAL). */
  readonly fineTuneMode?: 'FTAL' | 'FTLL' | 'RTAL';
  /** Fine-tuning only: attacker images taken from the last third of the training set (default 2000). */
  readonly attackerLimit?: number;
  /** Key interception only (default flip). */
  readonly interceptMode?: 'flip' | 'resample';
}

/**
 * The engine options of one attack, the one place they are set up (Attack panel, comparison
 * view, Stress it, CLI): seed, the WaterMAS key positions (key interception needs them: any
 * other key, or none, is refused with a one-line reason), the interception mode, and for
 * fine-tuning a trainer on the attacker's share of `train` (augmented batches of at most 64,
 * cancelled through `control` between steps when one is given).
 */
export function attackOptionsFor(s: AttackOptionSettings, key: MethodKey | null, train: ImageSet, normalization: Normalization, control?: RunControl): AttackOptions {
  const info = getAttack(s.attack);
  const positions = key ? methodOf(key).markedPositions(key.key) : undefined;
  if (info.needs === 'positions' && !positions) {
    throw new Error(`key interception needs the key positions of a WaterMAS key; this run has ${key ? `a ${key.method} key` : 'no key'}`);
  }
  const limit = s.attackerLimit ?? ATTACKER_LIMIT;
  return {
    seed: s.seed,
    ...(positions ? { positions } : {}),
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
  readonly key: MethodKey | null;
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
