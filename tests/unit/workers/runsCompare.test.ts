import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { generateSynthetic } from '../../../src/engine/data/synthetic';
import { normalizationFor } from '../../../src/engine/data/normalize';
import { createFcwKey, generateTriggers, serializeFcwKey } from '../../../src/engine/fcw';
import { createModel } from '../../../src/engine/models';
import type { Model } from '../../../src/engine/models/types';
import { RunControl } from '../../../src/engine/train';
import { createUchidaKey, embedWatermark, serializeKey, serializeUchidaKey } from '../../../src/engine/watermark';
import { type MethodKey, keyEvidence } from '../../../src/engine/methods';
import type { ComparisonPoint, RunRecord, TrainOutcome, TrainSettings } from '../../../src/protocol/api';
import { DETECT_SCORE, EVIDENCE_SCORE_CAP, evidenceScore, runComparisonOn, type ComparedRun } from '../../../src/workers/runs/compareSweep';
import { filesFromModel, modelFromFiles, runKey } from '../../../src/workers/runs/runModel';
import { buildRunRecord } from '../../../src/workers/runs/runRecord';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SETTINGS: TrainSettings = {
  arch: 'cnn', epochs: 1, batchSize: 4, learningRate: 0.01, optimizer: 'sgd', momentum: 0.9, weightDecay: 0,
  schedule: 'constant', seed: 3, trainLimit: 8, testLimit: 8, augment: false,
};
const OUTCOME: TrainOutcome = { cancelled: false, steps: 4, seconds: 3, imagesPerSecond: 10, trainImages: 8, testImages: 8, testAccuracy: 0.1, testLoss: 2.3, backend: 'cpu' };

const dataset = generateSynthetic({ seed: 3, trainCount: 24, testCount: 12 });
const normalization = normalizationFor(dataset);
const tiny = (seed: number) => createModel('cnn', { seed, options: { width: 4, hidden: 8 } });

/** Three stored runs (WaterMAS, Uchida, FCW keys) as bytes, like the registry holds them. */
async function runs(): Promise<ComparedRun[]> {
  const out: ComparedRun[] = [];
  const add = async (model: Model, keyJson: string, name: string) => {
    const files = await filesFromModel(model);
    model.dispose();
    const record: RunRecord = buildRunRecord({ settings: SETTINGS, outcome: OUTCOME, keyJson, stepsPerEpoch: 2, name }, files.weights.byteLength, name);
    out.push({ record, load: async () => modelFromFiles(files) });
  };
  const wm = tiny(5);
  const { key } = await embedWatermark(wm, { seed: new Uint8Array(32).fill(9), payload: { kind: 'random-bits', count: 64 }, createdAt: '2026-01-01T00:00:00Z' });
  await add(wm, serializeKey(key), 'watermas');
  const uc = tiny(6);
  await add(uc, serializeUchidaKey(createUchidaKey(uc, { seed: new Uint8Array(32).fill(4), payload: { kind: 'random-bits', count: 16 } })), 'uchida');
  const fc = tiny(7);
  const triggers = generateTriggers(dataset.train, { seed: 2, count: 6, numClasses: 10 });
  await add(fc, serializeFcwKey(createFcwKey(triggers, { numClasses: 10, normalization })), 'fcw');
  return out;
}

describe('comparison sweep', () => {
  it('streams one point per run and strength; strength 0 gives each run its own clean evidence; no tensor growth', async () => {
    const compared = await runs();
    const n0 = tf.memory().numTensors;
    const streamed: ComparisonPoint[] = [];
    const o = await runComparisonOn({
      runs: compared, dataset, normalization, control: new RunControl(), backend: () => 'cpu',
      settings: { runIds: compared.map((r) => r.record.id), attack: 'noise', strengths: [0, 10], testLimit: 8, seed: 1 },
      onPoint: (p) => void streamed.push(p),
    });
    expect(tf.memory().numTensors).toBe(n0);
    expect(o.cancelled).toBe(false);
    expect(o.scoreCap).toBe(EVIDENCE_SCORE_CAP);
    expect(o.detectScore).toBe(DETECT_SCORE);
    expect(streamed.map((p) => [p.runIndex, p.strength, p.done, p.total])).toEqual([
      [0, 0, 1, 6], [0, 10, 2, 6], [1, 0, 3, 6], [1, 10, 4, 6], [2, 0, 5, 6], [2, 10, 6, 6],
    ]);
    expect(o.runs.map((r) => [r.name, r.method, r.error, r.points.length, r.secondsPerEpoch])).toEqual([
      ['watermas', 'watermas', undefined, 2, 1.5], ['uchida', 'uchida', undefined, 2, 1.5], ['fcw', 'fcw', undefined, 2, 1.5],
    ]);
    for (const [i, run] of compared.entries()) {
      // The run's own evidence, read directly from its unattacked weights.
      const model = await run.load();
      const own = await keyEvidence(model, runKey(run.record.keyJson) as MethodKey, model.params);
      model.dispose();
      const zero = o.runs[i].points[0];
      expect(zero.strength).toBe(0);
      expect(zero.accuracyDrop).toBe(0);
      expect(zero.accuracy).toBe(o.runs[i].cleanAccuracy);
      expect(zero.evidence?.method).toBe(own.method);
      expect(zero.evidence?.pValue).toBe(own.pValue);
      expect(zero.evidence?.log10PValue).toBe(own.log10PValue);
      expect(zero.evidence?.detected).toBe(own.detected);
      expect(zero.evidence?.score).toBe(evidenceScore(own.log10PValue));
      if (own.method === 'fcw') expect(zero.evidence?.triggerAccuracy).toBe(own.triggerAccuracy);
      else expect(zero.evidence?.ber).toBe(own.ber);
    }
    // WaterMAS: BER 0 and detected unattacked; strong noise destroys the mark.
    expect(o.runs[0].points[0].evidence?.ber).toBe(0);
    expect(o.runs[0].points[0].evidence?.score).toBeGreaterThan(DETECT_SCORE);
    expect(o.runs[0].points[1].evidence?.ber).toBeGreaterThan(0.1);
    expect(tf.memory().numTensors).toBe(n0);
  });

  it('a run that cannot be compared reports its error, the others go on; cancel stops after the current point', async () => {
    const compared = await runs();
    const foreign = createModel('cnn', { seed: 1, numClasses: 5, options: { width: 4, hidden: 8 } });
    const files = await filesFromModel(foreign);
    foreign.dispose();
    const bad: ComparedRun = { record: { ...compared[0].record, id: 'five', name: 'five classes', keyJson: null }, load: async () => modelFromFiles(files) };
    const n0 = tf.memory().numTensors;
    const o = await runComparisonOn({
      runs: [bad, compared[0]], dataset, normalization, control: new RunControl(), backend: () => 'cpu',
      settings: { runIds: ['five', compared[0].record.id], attack: 'prune', strengths: [0.5], testLimit: 4, seed: 0 },
      onPoint: () => undefined,
    });
    expect(o.runs[0].error).toMatch(/5 classes but the loaded data set has 10/);
    expect(o.runs[1].points.length).toBe(1);
    // Key interception needs WaterMAS positions: the Uchida run says so.
    const i = await runComparisonOn({
      runs: [compared[1]], dataset, normalization, control: new RunControl(), backend: () => 'cpu',
      settings: { runIds: [compared[1].record.id], attack: 'intercept', strengths: [0.5], testLimit: 4, seed: 0 },
      onPoint: () => undefined,
    });
    expect(i.runs[0].error).toMatch(/needs the key positions of a WaterMAS key; this run has a uchida key/);
    const control = new RunControl();
    const c = await runComparisonOn({
      runs: compared, dataset, normalization, control, backend: () => 'cpu',
      settings: { runIds: compared.map((r) => r.record.id), attack: 'noise', strengths: [0, 1, 2], testLimit: 4, seed: 0 },
      onPoint: () => control.cancel(),
    });
    expect(c.cancelled).toBe(true);
    expect(c.runs.flatMap((r) => r.points).length).toBe(1);
    expect(tf.memory().numTensors).toBe(n0);
    await expect(
      runComparisonOn({ runs: [], dataset, normalization, control, backend: () => 'cpu', settings: { runIds: [], attack: 'noise', strengths: [], testLimit: 4, seed: 0 }, onPoint: () => undefined }),
    ).rejects.toThrow(/pick at least one run/);
  });

  it('the evidence score is -log10 p capped, 0 for p = 1', () => {
    expect(evidenceScore(0)).toBe(0);
    expect(evidenceScore(-7)).toBe(7);
    expect(evidenceScore(-500)).toBe(EVIDENCE_SCORE_CAP);
    expect(evidenceScore(-Infinity)).toBe(EVIDENCE_SCORE_CAP);
    expect(evidenceScore(Number.NaN)).toBe(0);
  });
});
