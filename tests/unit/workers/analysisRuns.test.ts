import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { generateSynthetic } from '../../../src/engine/data/synthetic';
import { normalizationFor } from '../../../src/engine/data/normalize';
import { createModel } from '../../../src/engine/models';
import { RunControl } from '../../../src/engine/train';
import { embedWatermark } from '../../../src/engine/watermark';
import type { AttackPoint, LandscapeEvent } from '../../../src/protocol/analysis';
import { attackCatalog, runAttackSweepOn } from '../../../src/workers/attack/attackRun';
import { runLandscapeOn } from '../../../src/workers/landscape/landscapeRun';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function setup() {
  const dataset = generateSynthetic({ seed: 3, trainCount: 12, testCount: 12 });
  const normalization = normalizationFor(dataset);
  const model = createModel('cnn', { seed: 5, options: { width: 4, hidden: 8 } });
  const seed = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 255);
  const { key } = await embedWatermark(model, { seed, payload: { kind: 'random-bits', count: 64 }, createdAt: '2026-01-01T00:00:00Z' });
  return { dataset, normalization, model, key };
}

async function snapshot(model: { params: ReadonlyMap<string, tf.Variable> }) {
  const out = new Map<string, Float32Array>();
  for (const [k, v] of model.params) out.set(k, (await v.data()) as Float32Array);
  return out;
}

describe('worker analysis runs', () => {
  it('the catalog mirrors the attack registry with its default grids', () => {
    const c = attackCatalog();
    const noise = c.find((a) => a.id === 'noise');
    expect(noise?.defaultStrengths).toEqual([0, 1, 2, 7, 10]);
    expect(c.find((a) => a.id === 'finetune')?.trains).toBe(true);
    expect(c.find((a) => a.id === 'quantize')?.decreasing).toBe(true);
  });

  it('an attack sweep streams one point per strength, BER 0 at strength 0, cancels, and leaks nothing', async () => {
    const { dataset, normalization, model, key } = await setup();
    const before = await snapshot(model);
    const n0 = tf.memory().numTensors;
    const streamed: AttackPoint[] = [];
    const o = await runAttackSweepOn({
      model, key, dataset, normalization, control: new RunControl(), backend: () => 'cpu',
      settings: { attack: 'noise', strengths: [0, 10], testLimit: 8, seed: 1 },
      onPoint: (p) => void streamed.push(p),
    });
    expect(o.cancelled).toBe(false);
    expect(o.testImages).toBe(8);
    expect(streamed.map((p) => p.strength)).toEqual([0, 10]);
    expect(o.points).toEqual(streamed);
    expect(streamed[0].ber).toBe(0);
    expect(streamed[0].detected).toBe(true);
    expect(streamed[0].accuracy).toBe(o.baseAccuracy);
    expect(streamed[1].ber).toBeGreaterThan(0.1);
    expect(streamed.every((p) => p.total === 2)).toBe(true);
    // Cancel after the first point: the sweep stops between strengths.
    const control = new RunControl();
    const partial: AttackPoint[] = [];
    const c = await runAttackSweepOn({
      model, key, dataset, normalization, control, backend: () => 'cpu',
      settings: { attack: 'prune', strengths: [0, 0.5, 0.9], testLimit: 4, seed: 1 },
      onPoint: (p) => {
        partial.push(p);
        control.cancel();
      },
    });
    expect(c.cancelled).toBe(true);
    expect(partial.length).toBe(1);
    expect(tf.memory().numTensors).toBe(n0);
    expect(await snapshot(model)).toEqual(before);
    await expect(
      runAttackSweepOn({ model, key, dataset, normalization, control: new RunControl(), backend: () => 'cpu', settings: { attack: 'nope', strengths: [], testLimit: 4, seed: 0 }, onPoint: () => {} }),
    ).rejects.toThrow(/unknown attack/);
    model.dispose();
  });

  it('a landscape run streams every slice point and grid cell, centres on the model loss, and leaves the weights bitwise unchanged', async () => {
    const { dataset, normalization, model, key } = await setup();
    const before = await snapshot(model);
    const n0 = tf.memory().numTensors;
    const events: LandscapeEvent[] = [];
    const o = await runLandscapeOn({
      model, key, dataset, normalization, signal: { aborted: false }, backend: () => 'cpu',
      settings: { radius: 0.5, grid: 3, dims: 2, evalSize: 6, seed: 2, eigenIters: 0 },
      onEvent: (e) => void events.push(e),
    });
    expect(o.cancelled).toBe(false);
    expect(events.filter((e) => e.kind === 'slice').length).toBe(6);
    expect(events.filter((e) => e.kind === 'cell').length).toBe(9);
    expect(events.at(-1)?.kind).toBe('sharpness');
    expect(o.alphas).toEqual([-0.5, 0, 0.5]);
    expect(o.lossKey[1]).toBeCloseTo(o.lossComplement[1], 6);
    expect(o.lossKey[1]).toBeCloseTo(o.sharpness.baseLoss, 5);
    expect(o.grid?.loss[1][1]).toBeCloseTo(o.sharpness.baseLoss, 5);
    expect(Number.isFinite(o.sharpness.ratio) || o.sharpness.ratio === Infinity).toBe(true);
    // the key-vs-matched-control numbers come with every finished run
    expect(o.keyVsControl).toMatchObject({ relativeRadius: 0.5, controls: 4 });
    expect(o.keyVsControl!.keyRise).toBeGreaterThan(0);
    expect(Number.isFinite(o.keyVsControl!.flipKeyDrop)).toBe(true);
    expect(o.eigen).toBeNull();
    expect(tf.memory().numTensors).toBe(n0);
    expect(await snapshot(model)).toEqual(before);
    // Cancelled from the first streamed point: at most a couple of evaluations, NaN sharpness.
    const signal = { aborted: false };
    const c = await runLandscapeOn({
      model, key, dataset, normalization, signal, backend: () => 'cpu',
      settings: { radius: 0.5, grid: 5, dims: 2, evalSize: 4, seed: 2, eigenIters: 0 },
      onEvent: () => {
        signal.aborted = true;
      },
    });
    expect(c.cancelled).toBe(true);
    expect(c.grid).toBeNull();
    expect(Number.isNaN(c.sharpness.key)).toBe(true);
    expect(c.keyVsControl).toBeNull();
    expect(tf.memory().numTensors).toBe(n0);
    model.dispose();
  });
});
