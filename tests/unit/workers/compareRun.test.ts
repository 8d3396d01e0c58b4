import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { generateSynthetic } from '../../../src/engine/data/synthetic';
import { normalizationFor } from '../../../src/engine/data/normalize';
import { RunControl } from '../../../src/engine/train';
import { readKeyValues } from '../../../src/engine/watermark';
import type { TrainSettings, WatermasMarkConfig } from '../../../src/protocol/api';
import type { CompareEvent, CompareLane, CompareRequest } from '../../../src/protocol/compareMode';
import { runCompare, type FinishedCompareLane } from '../../../src/workers/compare-mode/compareRun';

/** A lane's mark (compare mode trains WaterMAS runs). */
const markOf = (s: TrainSettings) => s.watermark as WatermasMarkConfig | undefined;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const dataset = generateSynthetic({ seed: 3, trainCount: 16, testCount: 8 });
const normalization = normalizationFor(dataset);

/** Tiny runs: cnn (width 4) on 16 images, batches of 8, augmented (same data order must hold with augmentation too). */
const BASE: TrainSettings = {
  arch: 'cnn', epochs: 1, batchSize: 8, learningRate: 0.05, optimizer: 'sgd', momentum: 0.9, weightDecay: 5e-4,
  schedule: 'constant', seed: 1, trainLimit: 16, testLimit: 8, augment: true,
  watermark: {
    method: 'watermas', payload: { kind: 'random', bits: 32 }, strength: 0.5, key: { kind: 'random' },
    replicas: 1, sigma: 0.01, lambda: 0.5, mode: 'gaussian', rho: 0.05, margin: 0.5,
  },
};

interface Kept {
  readonly lane: CompareLane;
  readonly params: Map<string, Uint32Array>;
  readonly marked: Uint32Array;
  readonly positions: string;
  readonly run: Omit<FinishedCompareLane, 'model' | 'key'>;
}

/** Runs a comparison, keeping each finished run's weights (as bits) and marked values. */
async function compare(request: Partial<CompareRequest>, control = new RunControl(), onEvent?: (e: CompareEvent) => void) {
  const events: CompareEvent[] = [];
  const kept: Kept[] = [];
  const outcome = await runCompare({
    request: { base: BASE, landscape: { grid: 3, evalSize: 8 }, attack: { strengths: [0, 10], testLimit: 8 }, ...request },
    dataset, normalization, control, backend: () => 'cpu', origin: 'http://127.0.0.1:9', modelOptions: { width: 4, hidden: 8 },
    onEvent: (e) => {
      events.push(e);
      onEvent?.(e);
    },
    onLaneTrained: async ({ model, key, ...run }) => {
      const params = new Map<string, Uint32Array>();
      for (const [name, v] of model.params) params.set(name, new Uint32Array(((await v.data()) as Float32Array).slice().buffer));
      const marked = new Uint32Array((await readKeyValues(model, key)).slice().buffer);
      kept.push({ lane: run.lane, params, marked, positions: JSON.stringify(key.positions.map((g) => [g.tensor, Array.from(g.indices)])), run });
    },
  });
  return { outcome, events, kept };
}

const trainingReports = (events: readonly CompareEvent[]) =>
  events.filter((e): e is Extract<CompareEvent, { kind: 'train' }> => e.kind === 'train' && e.progress.phase === 'training');

function bitsEqual(a: Map<string, Uint32Array>, b: Map<string, Uint32Array>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w || w.length !== v.length || v.some((x, i) => x !== w[i])) return false;
  }
  return true;
}

describe('compare mode (worker)', () => {
  it('identical variants train bitwise-identical models, step by step in turn (A, B, A, B)', async () => {
    const { outcome, events, kept } = await compare({ variants: [{ replicas: 1 }, { replicas: 1 }] });
    expect(outcome.cancelled).toBe(false);
    expect(kept.map((k) => k.lane)).toEqual(['A', 'B']);
    expect(outcome.lanes.map((l) => l.train?.steps)).toEqual([2, 2]);
    expect(bitsEqual(kept[0].params, kept[1].params)).toBe(true);
    // Reports every step (2 steps): strictly alternating, with the same losses.
    const reports = trainingReports(events);
    expect(reports.map((e) => `${e.lane}${e.progress.step}`)).toEqual(['A1', 'B1', 'A2', 'B2']);
    expect(reports[0].progress.loss).toBe(reports[1].progress.loss);
    expect(outcome.lanes[0].landscape?.lossKey).toEqual(outcome.lanes[1].landscape?.lossKey);
  });

  it('R = 0 vs R = 2: different weights, the same key and marked values, BER 0 for both, landscape and sweep for each, no tensor growth', async () => {
    const n0 = tf.memory().numTensors;
    const { outcome, events, kept } = await compare({ variants: [{ replicas: 0 }, { replicas: 2, lambda: 1 }] });
    expect(tf.memory().numTensors).toBe(n0);
    expect(bitsEqual(kept[0].params, kept[1].params)).toBe(false);
    expect(kept[0].positions).toBe(kept[1].positions);
    expect(Array.from(kept[0].marked)).toEqual(Array.from(kept[1].marked));
    for (const lane of outcome.lanes) {
      expect(lane.error).toBeUndefined();
      expect(lane.train?.watermark?.ber).toBe(0);
      expect(lane.train?.watermark?.frozenUnchanged).toBe(true);
      expect(lane.landscape?.alphas).toEqual([-1, 0, 1]);
      expect(lane.landscape?.lossKey.every(Number.isFinite)).toBe(true);
      expect(lane.attack?.points.map((p) => p.strength)).toEqual([0, 10]);
      expect(lane.attack?.points[0].ber).toBe(0);
      // The generated shared passphrase stays in the worker.
      expect(markOf(lane.settings)?.key).toEqual({ kind: 'random' });
    }
    expect(outcome.lanes.map((l) => markOf(l.settings)?.replicas)).toEqual([0, 2]);
    expect(markOf(outcome.lanes[1].settings)?.lambda).toBe(1);
    // Each lane's live reports carry its own settings; landscape and attack events are tagged.
    for (const r of trainingReports(events)) expect(r.progress.watermark?.settings.replicas).toBe(r.lane === 'A' ? 0 : 2);
    const slices = events.filter((e) => e.kind === 'landscape' && e.event.kind === 'slice');
    expect(slices.filter((e) => e.lane === 'A')).toHaveLength(6);
    expect(slices.filter((e) => e.lane === 'B')).toHaveLength(6);
    expect(events.filter((e) => e.kind === 'attack-done').map((e) => e.lane)).toEqual(['A', 'B']);
    expect(kept[1].run.history.map((h) => h.step)).toEqual([1, 2]);
    expect(kept[1].run.stepsPerEpoch).toBe(2);
  });

  it('cancel stops both runs within one step of each other (A leads each round) and skips the analysis; pause holds both', async () => {
    const control = new RunControl();
    let paused = false;
    const n0 = tf.memory().numTensors;
    const run = compare({ base: { ...BASE, epochs: 3 }, variants: [{ replicas: 0 }, { replicas: 1 }] }, control, (e) => {
      if (e.kind === 'train' && e.progress.phase === 'training' && !paused) {
        paused = true;
        control.pause();
        setTimeout(() => control.cancel(), 300);
      }
    });
    const { outcome, events, kept } = await run;
    expect(outcome.cancelled).toBe(true);
    const steps = outcome.lanes.map((l) => l.train?.steps ?? -1);
    // The gate alternates A, B, A, B: a cancel between A's and B's turn of a round leaves B one step behind.
    expect(steps[0] - steps[1]).toBeGreaterThanOrEqual(0);
    expect(steps[0] - steps[1]).toBeLessThanOrEqual(1);
    expect(steps[0]).toBeLessThan(6);
    expect(outcome.lanes.every((l) => l.train?.cancelled && l.landscape === null && l.attack === null)).toBe(true);
    expect(kept).toHaveLength(0);
    // Paused after A's first report: B's first step may still have been waiting at the gate, nothing after it.
    expect(trainingReports(events).length).toBeLessThanOrEqual(2);
    expect(tf.memory().numTensors).toBe(n0);
  });

  it('rejects bad requests before training, with the run named', async () => {
    const bad = (request: Partial<CompareRequest>) => compare(request);
    await expect(bad({ variants: [{ replicas: 0 }, { replicas: 99 }] })).rejects.toThrow(/run B: R must be/);
    await expect(bad({ variants: [{ method: 'none' }, {}] })).rejects.toThrow(/run A: a comparison trains WaterMAS runs/);
    await expect(bad({ base: { ...BASE, batchSize: 32 } })).rejects.toThrow(/make no full batch/);
    await expect(bad({ landscape: { grid: 1 } })).rejects.toThrow(/resolution/);
    await expect(bad({ attack: { attack: 'nope' } })).rejects.toThrow(/unknown attack/);
  });
});
