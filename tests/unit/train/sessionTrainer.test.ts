import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createModel } from '../../../src/engine/models';
import type { Model } from '../../../src/engine/models/types';
import { ModelCheckpoint, RunControl, crossEntropyObjective, train, type Objective, type StepPhase, type TrainProgress } from '../../../src/engine/train';
import { RECIPE_2020_SETTINGS, createWaterMASObjective } from '../../../src/engine/watermark';
import { bits, makeSource } from './synthetic';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const tinyCnn = (seed = 1) => createModel('cnn', { seed, numClasses: 4, inputShape: [8, 8, 3], options: { width: 4, hidden: 16 } });

/** Every variable of the model (params, then BatchNorm state) as bit patterns. */
async function weightBits(model: Model): Promise<Map<string, Uint32Array>> {
  const out = new Map<string, Uint32Array>();
  for (const [n, v] of [...model.params, ...model.state]) out.set(n, bits(await v.data()));
  return out;
}

function expectBitwiseEqual(a: Map<string, Uint32Array>, b: Map<string, Uint32Array>): void {
  expect([...a.keys()]).toEqual([...b.keys()]);
  for (const [n, x] of a) expect(Buffer.from(x.buffer).equals(Buffer.from(b.get(n)!.buffer)), n).toBe(true);
}

/** Cross-entropy whose reported loss turns NaN from the 0-based step `from` on (gradients stay finite). */
function nanFrom(from: number): Objective {
  const ce = crossEntropyObjective();
  return {
    name: `nan-from-${from}`,
    computeGradients(m, batch, ctx) {
      const r = ce.computeGradients(m, batch, ctx);
      if (ctx.step < from) return r;
      const loss = tf.mul(r.loss, NaN) as tf.Scalar;
      r.loss.dispose();
      return { ...r, loss };
    },
  };
}

describe('trainer: checkpoints and divergence', () => {
  it('a NaN loss stops the run and restores the last good checkpoint bitwise, with the step in the message', async () => {
    const model = tinyCnn(11);
    const src = makeSource(32, 4, 8, 8);
    const checkpoint = new ModelCheckpoint('device');
    let atFour: Map<string, Uint32Array> | null = null;
    let atFive: Map<string, Uint32Array> | null = null;
    const n0 = tf.memory().numTensors;
    const res = await train(model, src, { epochs: 5, optimizer: 'sgd', lr: 0.05, momentum: 0.9, logEvery: 1, checkpointEvery: 2 }, {
      objective: nanFrom(5),
      checkpoint,
      onProgress: async (p) => {
        if (p.step === 4) atFour = await weightBits(model);
        if (p.step === 5) atFive = await weightBits(model);
      },
    });
    expect(res.status).toBe('diverged');
    expect(res.steps).toBe(6);
    expect(res.divergedAtStep).toBe(6);
    expect(res.restoredStep).toBe(4);
    expect(checkpoint.step).toBe(4);
    expect(res.message).toBe('The loss diverged at step 6 (NaN). Training stopped; the model is the last good checkpoint from step 4.');
    const now = await weightBits(model);
    expectBitwiseEqual(now, atFour!);
    // ...and the run did move on after the checkpoint (so the restore is not a no-op)
    expect(Buffer.from(now.get('conv1/kernel')!.buffer).equals(Buffer.from(atFive!.get('conv1/kernel')!.buffer))).toBe(false);
    // only the checkpoint's copies remain: one per variable
    expect(tf.memory().numTensors).toBe(n0 + model.params.size + model.state.size);
    checkpoint.dispose();
    expect(tf.memory().numTensors).toBe(n0);
    model.dispose();
  });

  it('an exploding loss (> 1e3 x the first) counts as divergence; non-finite weights are never checkpointed', async () => {
    const model = tinyCnn(12);
    const src = makeSource(32, 4, 8, 8);
    const ce = crossEntropyObjective();
    const explode: Objective = {
      name: 'explode',
      computeGradients(m, batch, ctx) {
        const r = ce.computeGradients(m, batch, ctx);
        if (ctx.step < 3) return r;
        const loss = tf.mul(r.loss, 1e6) as tf.Scalar;
        r.loss.dispose();
        return { ...r, loss };
      },
    };
    const checkpoint = new ModelCheckpoint('host', { hostEveryMs: 0 }); // the host mirror follows every adopted copy
    const res = await train(model, src, { epochs: 3, optimizer: 'sgd', lr: 0.01, logEvery: 1, checkpointEvery: 1 }, { objective: explode, checkpoint });
    await checkpoint.flushHost();
    expect(checkpoint.hostStep).toBe(2);
    expect(res.status).toBe('diverged');
    expect(res.divergedAtStep).toBe(4);
    // the copy taken at step 3 was never confirmed by a good loss: the last good one is step 2
    expect(res.restoredStep).toBe(2);
    expect(res.message).toMatch(/^The loss diverged at step 4 \(loss .*, over 1000× the first loss .*\)\. Training stopped; the model is the last good checkpoint from step 2\.$/);
    const host = checkpoint.hostValues()!;
    for (const [n, v] of [...model.params, ...model.state]) expect(Buffer.from(bits(await v.data()).buffer).equals(Buffer.from(bits(host.get(n)!).buffer)), n).toBe(true);
    // a model with a NaN weight: save refuses and keeps the previous copy
    const w = model.params.get('conv1/kernel')!;
    const bad = tf.tidy(() => tf.mul(w, tf.scalar(NaN)));
    w.assign(bad);
    bad.dispose();
    expect(await checkpoint.save(model, 99)).toBe(false);
    expect(checkpoint.step).toBe(2);
    const dev = new ModelCheckpoint('device');
    expect(await dev.save(model, 1)).toBe(false);
    expect(dev.step).toBeNull();
    checkpoint.dispose();
    model.dispose();
  });

  it('huge learning rate + unbounded WaterMAS with big λ stops cleanly on the checkpoint (forced NaN)', async () => {
    const model = tinyCnn(13);
    const src = makeSource(32, 4, 8, 16);
    const frozen = new Map([['conv2/kernel', Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7])]]);
    const objective = createWaterMASObjective(model, frozen, { seed: 1, settings: { ...RECIPE_2020_SETTINGS, replicas: 2, sigma: 0.05, lambda: 4, margin: Infinity } });
    const checkpoint = new ModelCheckpoint('device');
    const n0 = tf.memory().numTensors;
    const res = await train(model, src, { epochs: 20, optimizer: 'sgd', lr: 1e4, logEvery: 1, checkpointEvery: 1 }, { objective, frozen, checkpoint });
    expect(res.status).toBe('diverged');
    expect(res.restoredStep).toBeGreaterThanOrEqual(0);
    expect(res.restoredStep!).toBeLessThan(res.divergedAtStep!);
    expect(res.message).toMatch(/^(The loss diverged|The weights became non-finite).* Training stopped; the model is the last good checkpoint from step \d+\.$/);
    expect(res.frozenUnchanged).toBe(true);
    for (const v of [...model.params.values(), ...model.state.values()]) for (const x of await v.data()) expect(Number.isFinite(x)).toBe(true);
    expect(tf.memory().numTensors).toBe(n0 + model.params.size + model.state.size);
    checkpoint.dispose();
    objective.dispose();
    model.dispose();
  });

  it('checkpoints every few steps do not grow the tensor count', async () => {
    const model = tinyCnn(14);
    const src = makeSource(32, 4, 8, 8);
    const checkpoint = new ModelCheckpoint('device');
    await train(model, src, { epochs: 1, optimizer: 'sgd', lr: 0.01, logEvery: 1, checkpointEvery: 1 }, { checkpoint });
    const n0 = tf.memory().numTensors;
    const res = await train(model, src, { epochs: 4, optimizer: 'sgd', lr: 0.01, momentum: 0.9, logEvery: 1, checkpointEvery: 1 }, { checkpoint });
    expect(res.status).toBe('completed');
    expect(checkpoint.step).toBe(15); // the copy of step 16 waits for a report that confirms it
    expect(tf.memory().numTensors).toBe(n0);
    checkpoint.dispose();
    model.dispose();
  });
});

describe('trainer: lecture controls', () => {
  it('step mode: each step() while paused runs exactly one step and reports it', async () => {
    const model = tinyCnn(15);
    const src = makeSource(32, 4, 8, 8);
    const control = new RunControl();
    const seen: number[] = [];
    control.pause();
    const run = train(model, src, { epochs: 10, optimizer: 'sgd', lr: 0.01, logEvery: 10 }, { control, onProgress: (p) => void seen.push(p.step) });
    const settle = () => new Promise((r) => setTimeout(r, 150));
    await settle();
    expect(seen).toEqual([]);
    control.step();
    await settle();
    expect(seen).toEqual([1]);
    control.step();
    await settle();
    expect(seen).toEqual([1, 2]);
    await settle();
    expect(seen).toEqual([1, 2]);
    expect(control.state).toBe('paused');
    control.cancel();
    const res = await run;
    expect(res.steps).toBe(2);
    model.dispose();
  });

  it('slow motion waits between steps and reports each one', async () => {
    const model = tinyCnn(16);
    const src = makeSource(32, 4, 8, 8);
    const control = new RunControl();
    control.setSlowMotion(120);
    const seen: number[] = [];
    const t0 = performance.now();
    await train(model, src, { epochs: 1, optimizer: 'sgd', lr: 0.01, logEvery: 10 }, { control, onProgress: (p) => void seen.push(p.step) });
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(4 * 110);
    expect(() => control.setSlowMotion(-1)).toThrow(/slow-motion/);
    model.dispose();
  });

  it('a live base learning rate takes effect at the next step', async () => {
    const model = tinyCnn(17);
    const src = makeSource(32, 4, 8, 8);
    let base = 0.01;
    const lrs: [number, number][] = [];
    await train(model, src, { epochs: 2, optimizer: 'sgd', lr: 0.01, logEvery: 1 }, {
      baseLr: () => base,
      onProgress: (p: TrainProgress) => {
        lrs.push([p.step, p.lr]);
        if (p.step === 3) base = 0.2;
      },
    });
    expect(lrs).toEqual([[1, 0.01], [2, 0.01], [3, 0.01], [4, 0.2], [5, 0.2], [6, 0.2], [7, 0.2], [8, 0.2]]);
    model.dispose();
  });

  it('phases: clean pass, one event per replica pass, update, in order', async () => {
    const model = tinyCnn(18);
    const src = makeSource(16, 4, 8, 8);
    const frozen = new Map([['conv2/kernel', Int32Array.from([0, 1, 2, 3])]]);
    const objective = createWaterMASObjective(model, frozen, { seed: 1, settings: { replicas: 3, sigma: 0.01, lambda: 0.5 } });
    const phases: string[] = [];
    await train(model, src, { epochs: 1, optimizer: 'sgd', lr: 0.01, logEvery: 1 }, {
      objective,
      frozen,
      onPhase: (p: StepPhase, ctx) => void phases.push(`${ctx.step}:${p.kind}${p.kind === 'replica' ? `${p.index}/${p.of}` : ''}`),
    });
    expect(phases).toEqual([
      '0:clean', '0:replica0/3', '0:replica1/3', '0:replica2/3', '0:update',
      '1:clean', '1:replica0/3', '1:replica1/3', '1:replica2/3', '1:update',
    ]);
    objective.dispose();
    model.dispose();
  });

  it('resume: startStep continues the data order and the step count', async () => {
    const src = makeSource(32, 4, 8, 8);
    const full = tinyCnn(19);
    await train(full, src, { epochs: 2, optimizer: 'sgd', momentum: 0, lr: 0.05, logEvery: 1 });
    const a = tinyCnn(19);
    const cp = new ModelCheckpoint('host');
    const first = await train(a, src, { epochs: 2, optimizer: 'sgd', momentum: 0, lr: 0.05, logEvery: 1, maxSteps: 6 }, { checkpoint: cp });
    expect(first.steps).toBe(6);
    const b = tinyCnn(99); // another model, as after a backend switch: the checkpoint carries the weights
    cp.restore(b);
    const seen: number[] = [];
    const second = await train(b, src, { epochs: 2, optimizer: 'sgd', momentum: 0, lr: 0.05, logEvery: 1, startStep: cp.step! }, { onProgress: (p) => void seen.push(p.step) });
    expect(second.steps).toBe(8);
    expect(seen).toEqual([6, 7, 8].slice(cp.step! - 5));
    // plain SGD (no momentum): resuming from step 6 gives the uninterrupted run's weights
    expectBitwiseEqual(await weightBits(b), await weightBits(full));
    cp.dispose();
    for (const m of [full, a, b]) m.dispose();
  });
});
