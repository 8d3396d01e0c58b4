/**
 * "Stress it": attack sweeps on a model uploaded to the Verify panel, judged with the uploaded
 * key. One evidence sweep per attack (sweepWithEvidence, the Attack panel's loop), the unattacked
 * accuracy measured once first, points streamed as they come, cancellable between strengths.
 */
import { evalBatches } from '../../engine/data/batches';
import { sliceImageSet } from '../../engine/data/imageset';
import type { Dataset } from '../../engine/data/types';
import { attackOptionsFor, getAttack, sweepWithEvidence } from '../../engine/attacks';
import type { Model } from '../../engine/models/types';
import { evaluate } from '../../engine/train';
import { evidenceColumns, methodOf, type KeyEvidence, type MethodKey } from '../../engine/methods';
import { validateAttackSettings } from '../attack/attackRun';
import type { LongJobInput } from '../jobs';
import type { StressOutcome, StressPoint, StressRequest } from '../../protocol/stress';

/** Evaluation batch size (padded last batch: one kernel shape for the whole run). */
const EVAL_BATCH = 64;
/** At most this many attacks per request (the registry has nine). */
const MAX_ATTACKS = 9;

export interface StressRunInput extends LongJobInput {
  readonly model: Model;
  readonly key: MethodKey;
  readonly request: StressRequest;
  readonly onPoint: (p: StressPoint) => void | Promise<void>;
}

/** Checks a request that came over the worker boundary (and fits the model to the data); throws a one-line reason. */
export function validateStressRequest(req: StressRequest, model: Model, key: MethodKey, dataset: Dataset): void {
  if (!req || !Array.isArray(req.attacks) || req.attacks.length === 0) throw new Error('choose at least one attack');
  if (req.attacks.length > MAX_ATTACKS) throw new Error(`at most ${MAX_ATTACKS} attacks per run, got ${req.attacks.length}`);
  const seen = new Set<string>();
  for (const a of req.attacks) {
    validateAttackSettings({ attack: a?.attack, strengths: a?.strengths, testLimit: req.testLimit, seed: req.seed, ...(req.attackerLimit !== undefined ? { attackerLimit: req.attackerLimit } : {}) });
    if (seen.has(a.attack)) throw new Error(`attack ${a.attack} is listed twice`);
    seen.add(a.attack);
    if (getAttack(a.attack).needs === 'positions' && !methodOf(key).markedPositions(key.key)) throw new Error('key interception needs a WaterMAS key (it attacks the key positions)');
  }
  const [h, w, c] = model.config.inputShape;
  const t = dataset.test;
  if (t.height !== h || t.width !== w || t.channels !== c) {
    throw new Error(`the model takes ${h}x${w}x${c} images; the loaded data set has ${t.height}x${t.width}x${t.channels}`);
  }
  if (model.config.numClasses !== dataset.classNames.length) {
    throw new Error(`the model has ${model.config.numClasses} classes; the loaded data set (${dataset.label}) has ${dataset.classNames.length}`);
  }
  if (t.count === 0) throw new Error('the loaded data set has no test images');
}

/**
 * Runs the request's attacks one after the other on the uploaded model. The model's variables
 * are never written (attacks return copies; evaluation goes through `overrides`).
 */
export async function runStressOn(input: StressRunInput): Promise<StressOutcome> {
  const { model, key, dataset, normalization: norm, request: r } = input;
  validateStressRequest(r, model, key, dataset);
  const signal = { get aborted() { return input.control.cancelled; } };
  const test = sliceImageSet(dataset.test, 0, Math.min(r.testLimit, dataset.test.count));
  const batchSize = Math.min(EVAL_BATCH, test.count);
  const t0 = performance.now();
  const base = await evaluate(model, evalBatches(test, batchSize, norm));
  const points: StressPoint[] = [];
  let cancelled = false;
  for (let attackIndex = 0; attackIndex < r.attacks.length && !cancelled; attackIndex++) {
    const { attack } = r.attacks[attackIndex];
    const info = getAttack(attack);
    const strengths = r.attacks[attackIndex].strengths.length > 0 ? r.attacks[attackIndex].strengths : info.defaultStrengths;
    const options = attackOptionsFor(
      { attack: info.id, seed: r.seed, ...(r.fineTuneMode ? { fineTuneMode: r.fineTuneMode } : {}), ...(r.attackerLimit !== undefined ? { attackerLimit: r.attackerLimit } : {}) },
      key, dataset.train, norm, input.control,
    );
    const result = await sweepWithEvidence({
      model, key, attack: info.id, strengths, options, test, batchSize, normalization: norm, signal,
      onPoint: (p) => {
        const e = p.evidence as KeyEvidence;
        const { ber, triggerAccuracy } = evidenceColumns(e);
        const point: StressPoint = {
          attack: info.id, strength: p.strength, index: p.index, total: strengths.length, attackIndex, attackCount: r.attacks.length,
          accuracy: p.accuracy, ber, triggerAccuracy,
          pValue: e.pValue, log10PValue: e.log10PValue, detected: e.detected, ms: p.ms,
        };
        points.push(point);
        void input.onPoint(point);
      },
    });
    cancelled = result.cancelled;
  }
  return {
    points, cancelled, baseAccuracy: base.accuracy, testImages: test.count, seconds: (performance.now() - t0) / 1000,
    backend: input.backend(), method: key.method, arch: model.config.arch,
  };
}
