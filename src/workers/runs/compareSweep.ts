/**
 * The comparison view's worker run: the same attack sweep on several stored runs, one after the
 * other, each on a private copy of its model (the current model slot is never touched).
 *
 * Evidence scale (our choice, shared by every method): score = min(-log10 p, EVIDENCE_SCORE_CAP)
 * with p the method's own decision p-value (WaterMAS / Uchida: binomial tail of the bit errors,
 * i.e. of the BER; FCW: binomial tail of the trigger hits against the chance rate). Every method
 * decides "detected" at p < 1e-6, i.e. score > 6, so one threshold line serves the whole chart.
 * The cap keeps a 256-bit BER 0 (p = 2^-256, score 77) and 100 % of 100 triggers (score 100) on
 * a readable axis; any score at the cap means "overwhelming evidence".
 */
import { attackOptionsFor, getAttack, sweepWithEvidence } from '../../engine/attacks';
import { evalBatches } from '../../engine/data/batches';
import { sliceImageSet } from '../../engine/data/imageset';
import type { Model } from '../../engine/models/types';
import { evaluate } from '../../engine/train';
import { checkMethodKeyAgainstModel, evidenceColumns, type KeyEvidence } from '../../engine/methods';
import { validateAttackSettings } from '../attack/attackRun';
import type { LongJobInput } from '../jobs';
import { runKey } from './runModel';
import { DETECT_SCORE, EVIDENCE_SCORE_CAP, type ComparisonEvidence, type ComparisonOutcome, type ComparisonPoint, type ComparisonRunResult, type ComparisonSettings, type RunRecord } from '../../protocol/runs';

export { EVIDENCE_SCORE_CAP, DETECT_SCORE };
/** At most this many runs per comparison. */
export const MAX_COMPARED_RUNS = 12;
const EVAL_BATCH = 64;

/** -log10 p, clamped to [0, EVIDENCE_SCORE_CAP] (an underflowed p counts as the cap). */
export function evidenceScore(log10PValue: number): number {
  if (Number.isNaN(log10PValue)) return 0;
  return Math.min(EVIDENCE_SCORE_CAP, Math.max(0, -log10PValue));
}

/** A key's evidence on the common scale. */
export function toComparisonEvidence(e: KeyEvidence): ComparisonEvidence {
  const { ber, triggerAccuracy } = evidenceColumns(e);
  return {
    method: e.method,
    ber,
    triggerAccuracy,
    pValue: e.pValue,
    log10PValue: e.log10PValue,
    detected: e.detected,
    score: evidenceScore(e.log10PValue),
  };
}

/** A run to compare: its record and a loader of a fresh private model (disposed by the sweep). */
export interface ComparedRun {
  readonly record: RunRecord;
  readonly load: () => Promise<Model>;
}

export interface ComparisonInput extends LongJobInput {
  readonly runs: readonly ComparedRun[];
  readonly settings: ComparisonSettings;
  readonly onPoint: (p: ComparisonPoint) => void | Promise<void>;
}

/** Checks comparison settings that came over the worker boundary; throws a one-line reason. */
export function validateComparisonSettings(s: ComparisonSettings): void {
  if (!s || !Array.isArray(s.runIds) || s.runIds.length === 0) throw new Error('pick at least one run to compare');
  if (s.runIds.length > MAX_COMPARED_RUNS) throw new Error(`at most ${MAX_COMPARED_RUNS} runs per comparison, got ${s.runIds.length}`);
  if (new Set(s.runIds).size !== s.runIds.length) throw new Error('a run is listed twice');
  validateAttackSettings(s);
}

/**
 * Runs the sweep on each run in turn: loads a private model, measures its clean accuracy on the
 * first `testLimit` test images, then for each strength the attacked copy's accuracy and the
 * key's evidence, streamed point by point. A run that cannot be compared (no weights, a model for
 * another number of classes, an attack its key does not support) is reported with its error and
 * the others go on. Every model is disposed; nothing is left allocated.
 */
export async function runComparisonOn(input: ComparisonInput): Promise<ComparisonOutcome> {
  const { settings: s, dataset, normalization: norm, control } = input;
  validateComparisonSettings(s);
  const info = getAttack(s.attack);
  const strengths = s.strengths.length > 0 ? [...s.strengths] : [...info.defaultStrengths];
  const test = sliceImageSet(dataset.test, 0, Math.min(s.testLimit, dataset.test.count));
  const batchSize = Math.min(EVAL_BATCH, test.count);
  const total = input.runs.length * strengths.length;
  const signal = { get aborted() { return control.cancelled; } };
  const t0 = performance.now();
  const results: ComparisonRunResult[] = [];
  let done = 0;

  for (let runIndex = 0; runIndex < input.runs.length && !control.cancelled; runIndex++) {
    const { record, load } = input.runs[runIndex];
    const points: ComparisonPoint[] = [];
    const base = { runId: record.id, name: record.name, method: record.method, secondsPerEpoch: record.outcome.secondsPerEpoch };
    let cleanAccuracy: number | null = null;
    let model: Model | null = null;
    try {
      const key = runKey(record.keyJson);
      model = await load();
      if (model.config.numClasses !== dataset.classNames.length) {
        throw new Error(`its model has ${model.config.numClasses} classes but the loaded data set has ${dataset.classNames.length}`);
      }
      if (key) checkMethodKeyAgainstModel(key, model);
      const options = attackOptionsFor(s, key, dataset.train, norm, control);
      cleanAccuracy = (await evaluate(model, evalBatches(test, batchSize, norm))).accuracy;
      const clean = cleanAccuracy;
      await sweepWithEvidence({
        model, key, attack: info.id, strengths, options, test, batchSize, normalization: norm, signal,
        evidenceOptions: { trainSet: dataset.train },
        onPoint: (p) => {
          const point: ComparisonPoint = {
            runId: record.id, runIndex, strength: p.strength, index: p.index, accuracy: p.accuracy,
            accuracyDrop: clean - p.accuracy, evidence: p.evidence ? toComparisonEvidence(p.evidence) : null, ms: p.ms, done: ++done, total,
          };
          points.push(point);
          void input.onPoint(point);
        },
      });
      results.push({ ...base, cleanAccuracy, points });
    } catch (e) {
      if (control.cancelled) {
        results.push({ ...base, cleanAccuracy, points });
        break;
      }
      done += strengths.length - points.length;
      results.push({ ...base, cleanAccuracy, points, error: e instanceof Error ? e.message : String(e) });
    } finally {
      model?.dispose();
    }
  }
  return {
    attack: info.id, strengths, runs: results, cancelled: control.cancelled, testImages: test.count,
    seconds: (performance.now() - t0) / 1000, backend: input.backend(), scoreCap: EVIDENCE_SCORE_CAP, detectScore: DETECT_SCORE,
  };
}
