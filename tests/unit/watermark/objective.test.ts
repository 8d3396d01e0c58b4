import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '../../../src/engine/models/types';
import { Rng } from '../../../src/engine/random/rng';
import { crossEntropyObjective } from '../../../src/engine/train';
import type { FrozenPositions, GradientResult } from '../../../src/engine/train/types';
import { embedWatermark } from '../../../src/engine/watermark/embed';
import { createWaterMASObjective } from '../../../src/engine/watermark/objective';
import { seedFromHex } from '../../../src/engine/watermark/seed/seed';
import { RECIPE_2020_SETTINGS } from '../../../src/engine/watermark/settings';
import { createTinyModel, GAP_TINY, randomBatch } from '../../fixtures/tinyModel';

const keySeed = seedFromHex('11'.repeat(32));
let model: Model;
let frozen: FrozenPositions;
let batch: { x: tf.Tensor4D; y: tf.Tensor1D };

beforeAll(async () => {
  await tf.setBackend('cpu');
  model = createTinyModel(7, GAP_TINY);
  ({ frozen } = await embedWatermark(model, { seed: keySeed, payload: { kind: 'random-bits', count: 60 } }));
  batch = randomBatch(3, 16, GAP_TINY.size, GAP_TINY.classes);
});
afterAll(() => {
  model.dispose();
  batch.x.dispose();
  batch.y.dispose();
});

async function arr(t: tf.Tensor): Promise<Float32Array> {
  return new Float32Array(await t.data());
}
async function stateSnapshot(m: Model): Promise<Float32Array[]> {
  return Promise.all([...m.state.values()].map(arr));
}
async function restoreState(m: Model, snap: Float32Array[]): Promise<void> {
  [...m.state.values()].forEach((v, i) => {
    const t = tf.tensor(snap[i], v.shape);
    v.assign(t);
    t.dispose();
  });
}
function disposeResult(r: GradientResult): void {
  r.loss.dispose();
  r.logits?.dispose();
  for (const g of r.grads.values()) g.dispose();
  for (const m of Object.values(r.metrics ?? {})) m.dispose();
}

/** Independent reference: loss and gradient of tf.losses.softmaxCrossEntropy at θ + eps (no BN sink). */
function referenceLossAndGrads(m: Model, eps: Map<string, tf.Tensor> | null): { loss: number; grads: Map<string, Float32Array> } {
  const names = m.paramInfo.map((p) => p.name);
  const vars = names.map((n) => m.params.get(n)!);
  const res = tf.variableGrads(() => {
    const overrides = new Map<string, tf.Tensor>();
    if (eps) for (const [n, e] of eps) overrides.set(n, tf.add(m.params.get(n)!, e));
    const logits = m.forward(batch.x, { training: true, overrides });
    return tf.losses.softmaxCrossEntropy(tf.oneHot(batch.y, 3), logits) as tf.Scalar;
  }, vars);
  const grads = new Map<string, Float32Array>();
  vars.forEach((v, i) => {
    grads.set(names[i], new Float32Array(res.grads[v.name].dataSync()));
  });
  const loss = res.value.dataSync()[0];
  res.value.dispose();
  for (const g of Object.values(res.grads)) g.dispose();
  return { loss, grads };
}

/** The replica noise the objective draws at `step` (same documented recipe). */
function replicaNoise(seed: number, step: number, replicas: number, sigma: number): Map<string, tf.Tensor>[] {
  const rng = new Rng(seed).fork(`replicas/${step}`);
  const out: Map<string, tf.Tensor>[] = [];
  for (let r = 0; r < replicas; r++) {
    const eps = new Map<string, tf.Tensor>();
    for (const [name, idx] of frozen) {
      const shape = model.params.get(name)!.shape;
      const dense = new Float32Array(shape.reduce((a, b) => a * b, 1));
      const vals = rng.fillNormal(new Float32Array(idx.length), 0, sigma);
      idx.forEach((i, j) => (dense[i] = vals[j]));
      eps.set(name, tf.tensor(dense, shape));
    }
    out.push(eps);
  }
  return out;
}

function expectClose(a: Float32Array, b: Float32Array, tol: number): void {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1e-6 + Math.abs(b[i])));
  expect(worst).toBeLessThan(tol);
}

describe('WaterMAS objective', () => {
  it('R = 0 is exactly the plain cross-entropy loss and gradient', async () => {
    const snap = await stateSnapshot(model);
    const ref = referenceLossAndGrads(model, null);
    const obj = createWaterMASObjective(model, frozen, { seed: 1, settings: { ...RECIPE_2020_SETTINGS, replicas: 0 } });
    const r = obj.computeGradients(model, batch, { step: 0, epoch: 0 });
    expect((await r.loss.data())[0]).toBeCloseTo(ref.loss, 6);
    expect(r.metrics).toBeUndefined();
    expect([...r.grads.keys()].sort()).toEqual([...ref.grads.keys()].sort());
    for (const [n, g] of r.grads) expectClose(await arr(g), ref.grads.get(n)!, 1e-5);
    // bitwise equal to the trainer's own cross-entropy objective, BatchNorm update included
    const afterOurs = await stateSnapshot(model);
    await restoreState(model, snap);
    const ce = crossEntropyObjective().computeGradients(model, batch, { step: 0, epoch: 0 });
    expect(await arr(r.loss)).toEqual(await arr(ce.loss));
    expect(await arr(r.logits!)).toEqual(await arr(ce.logits!));
    for (const [n, g] of ce.grads) expect(await arr(r.grads.get(n)!)).toEqual(await arr(g));
    expect(await stateSnapshot(model)).toEqual(afterOurs);
    disposeResult(ce);
    // lambda = 0 is the plain loss too
    obj.setSettings({ replicas: 3, lambda: 0 });
    const r2 = obj.computeGradients(model, batch, { step: 1, epoch: 0 });
    for (const [n, g] of r2.grads) expectClose(await arr(g), ref.grads.get(n)!, 1e-5);
    disposeResult(r);
    disposeResult(r2);
    obj.dispose();
    await restoreState(model, snap);
  });

  it('m = ∞ is the limit of the hinged form: gradient = (1 + λ) g0 − λ/R Σ g_r, with the seeded replica noise', async () => {
    const [R, sigma, lambda, step] = [3, 0.2, 0.7, 5];
    const obj = createWaterMASObjective(model, frozen, { seed: 42, settings: { ...RECIPE_2020_SETTINGS, replicas: R, sigma, lambda, margin: Infinity } });
    const snap = await stateSnapshot(model);
    const r = obj.computeGradients(model, batch, { step, epoch: 0 });
    await restoreState(model, snap);
    const clean = referenceLossAndGrads(model, null);
    const reps = replicaNoise(42, step, R, sigma).map((eps) => {
      const res = referenceLossAndGrads(model, eps);
      for (const e of eps.values()) e.dispose();
      return res;
    });
    for (const [n, g] of r.grads) {
      const want = Float32Array.from(clean.grads.get(n)!, (v, i) => (1 + lambda) * v - (lambda / R) * reps.reduce((s, rep) => s + rep.grads.get(n)![i], 0));
      expectClose(await arr(g), want, 1e-4);
    }
    const meanRep = reps.reduce((s, rep) => s + rep.loss, 0) / R;
    expect((await r.metrics!.replicaLossMean.data())[0]).toBeCloseTo(meanRep, 5);
    expect((await r.metrics!.gap.data())[0]).toBeCloseTo(meanRep - clean.loss, 5);
    expect((await r.metrics!.activeFraction.data())[0]).toBe(1);
    expect(reps.some((rep) => Math.abs(rep.loss - clean.loss) > 1e-3)).toBe(true); // the noise matters
    disposeResult(r);
    obj.dispose();
    await restoreState(model, snap);
  });

  it('bounded (hinge) form: only replicas with gap < m push, each adding λ/R (g0 − g_r)', async () => {
    const [R, sigma, lambda, step] = [4, 0.3, 0.5, 9];
    const snap = await stateSnapshot(model);
    const clean = referenceLossAndGrads(model, null);
    const reps = replicaNoise(8, step, R, sigma).map((eps) => {
      const res = referenceLossAndGrads(model, eps);
      for (const e of eps.values()) e.dispose();
      return res;
    });
    const gaps = reps.map((rep) => rep.loss - clean.loss).sort((a, b) => a - b);
    // margins: all active; between the 2nd and 3rd gap (2 active if that is > 0); tiny (only negative gaps)
    const between = (gaps[1] + gaps[2]) / 2;
    const margins = [1e6, between > 0 ? between : gaps[3] + 1e-3, 1e-9];
    const actives: number[] = [];
    for (const m of margins) {
      const obj = createWaterMASObjective(model, frozen, { seed: 8, settings: { ...RECIPE_2020_SETTINGS, replicas: R, sigma, lambda, margin: m } });
      const r = obj.computeGradients(model, batch, { step, epoch: 0 });
      await restoreState(model, snap);
      const active = reps.map((rep) => m - (rep.loss - clean.loss) > 0);
      actives.push(active.filter(Boolean).length);
      for (const [n, g] of r.grads) {
        const want = Float32Array.from(clean.grads.get(n)!, (v, i) =>
          reps.reduce((s, rep, k) => s + (active[k] ? (lambda / R) * (v - rep.grads.get(n)![i]) : 0), v),
        );
        expectClose(await arr(g), want, 1e-4);
      }
      expect((await r.metrics!.activeFraction.data())[0]).toBeCloseTo(actives[actives.length - 1] / R, 6);
      disposeResult(r);
      obj.dispose();
    }
    expect(actives[0]).toBe(R);
    expect(actives[1]).toBeLessThan(R);
    expect(actives[1]).toBeGreaterThan(0);
    expect(actives[2]).toBe(gaps.filter((gp) => gp < 1e-9).length);
  });

  it('adversarial mode: one replica at ε = ρ g_K/‖g_K‖ raises the loss', async () => {
    const rho = 0.05;
    const snap = await stateSnapshot(model);
    const obj = createWaterMASObjective(model, frozen, { seed: 1, settings: { ...RECIPE_2020_SETTINGS, replicas: 2, mode: 'adversarial', rho, lambda: 1, margin: Infinity } });
    expect(obj.replicaPasses()).toBe(1);
    const r = obj.computeGradients(model, batch, { step: 0, epoch: 0 });
    await restoreState(model, snap);
    // reference ε from the clean gradient restricted to K
    const clean = referenceLossAndGrads(model, null);
    let sq = 0;
    for (const [n, idx] of frozen) for (const i of idx) sq += clean.grads.get(n)![i] ** 2;
    const eps = new Map<string, tf.Tensor>();
    for (const [n, idx] of frozen) {
      const d = new Float32Array(clean.grads.get(n)!.length);
      for (const i of idx) d[i] = (rho * clean.grads.get(n)![i]) / Math.sqrt(sq);
      eps.set(n, tf.tensor(d, model.params.get(n)!.shape));
    }
    const adv = referenceLossAndGrads(model, eps);
    for (const e of eps.values()) e.dispose();
    expect((await r.metrics!.replicaLossMean.data())[0]).toBeCloseTo(adv.loss, 5);
    const gap = (await r.metrics!.gap.data())[0];
    expect(gap).toBeGreaterThan(0); // first order: ρ‖g_K‖ > 0
    expect(gap).toBeCloseTo(adv.loss - clean.loss, 5);
    for (const [n, g] of r.grads) {
      const want = Float32Array.from(clean.grads.get(n)!, (v, i) => 2 * v - adv.grads.get(n)![i]); // (1 + λ) g0 − λ g_adv, λ = 1
      expectClose(await arr(g), want, 1e-3);
    }
    disposeResult(r);
    obj.dispose();
    await restoreState(model, snap);
  });

  it('a WaterMAS descent step widens the replica gap more than a plain step (sign check)', async () => {
    const [R, sigma, lambda, step, lr] = [2, 0.3, 1, 11, 0.05];
    const snapParams = await Promise.all([...model.params.values()].map(arr));
    const snapState = await stateSnapshot(model);
    const restoreParams = () =>
      [...model.params.values()].forEach((v, i) => {
        const t = tf.tensor(snapParams[i], v.shape);
        v.assign(t);
        t.dispose();
      });
    const gapAfterStep = async (replicas: number): Promise<number> => {
      const obj = createWaterMASObjective(model, frozen, { seed: 6, settings: { ...RECIPE_2020_SETTINGS, replicas, sigma, lambda, margin: Infinity } });
      const r = obj.computeGradients(model, batch, { step, epoch: 0 });
      await restoreState(model, snapState);
      // plain gradient step on the unmarked weights only
      for (const [n, g] of r.grads) {
        const v = model.params.get(n)!;
        const w = await arr(v);
        const gv = await arr(g);
        const frozenIdx = new Set(frozen.get(n) ?? []);
        for (let i = 0; i < w.length; i++) if (!frozenIdx.has(i)) w[i] -= lr * gv[i];
        const t = tf.tensor(w, v.shape);
        v.assign(t);
        t.dispose();
      }
      disposeResult(r);
      obj.dispose();
      const clean = referenceLossAndGrads(model, null).loss;
      const reps = replicaNoise(6, step, R, sigma).map((eps) => {
        const res = referenceLossAndGrads(model, eps);
        for (const e of eps.values()) e.dispose();
        return res.loss;
      });
      restoreParams();
      return reps.reduce((a, b) => a + b, 0) / R - clean;
    };
    const before = await (async () => {
      const clean = referenceLossAndGrads(model, null).loss;
      const reps = replicaNoise(6, step, R, sigma).map((eps) => {
        const res = referenceLossAndGrads(model, eps);
        for (const e of eps.values()) e.dispose();
        return res.loss;
      });
      return reps.reduce((a, b) => a + b, 0) / R - clean;
    })();
    const gapPlain = await gapAfterStep(0);
    const gapWatermas = await gapAfterStep(R);
    expect(gapWatermas).toBeGreaterThan(gapPlain);
    // the m = ∞ form also descends (1 + λ)·L, so the gap need not rise above its start (it did in the
    // 2020 form L − λ·mean L_r); relative to the plain step, the replica term always widens it.
    expect(gapPlain).toBeLessThan(before);
    await restoreState(model, snapState);
  });

  it('replicas leave BatchNorm statistics untouched: R = 4 updates them exactly as R = 0', async () => {
    const snap = await stateSnapshot(model);
    const plain = createWaterMASObjective(model, frozen, { seed: 3, settings: { ...RECIPE_2020_SETTINGS, replicas: 0 } });
    disposeResult(plain.computeGradients(model, batch, { step: 0, epoch: 0 }));
    const afterPlain = await stateSnapshot(model);
    await restoreState(model, snap);
    const heavy = createWaterMASObjective(model, frozen, { seed: 3, settings: { ...RECIPE_2020_SETTINGS, replicas: 4, sigma: 0.5, margin: Infinity } });
    disposeResult(heavy.computeGradients(model, batch, { step: 0, epoch: 0 }));
    const afterHeavy = await stateSnapshot(model);
    expect(afterHeavy).toEqual(afterPlain); // bitwise
    expect(afterPlain[0]).not.toEqual(snap[0]); // the clean pass did update them once
    plain.dispose();
    heavy.dispose();
    await restoreState(model, snap);
  });

  it('is reproducible per step, settings change live, and tensors do not grow', async () => {
    const snap = await stateSnapshot(model);
    const obj = createWaterMASObjective(model, frozen, { seed: 4, settings: { ...RECIPE_2020_SETTINGS, replicas: 2, sigma: 0.2 } });
    const a = obj.computeGradients(model, batch, { step: 3, epoch: 0 });
    const b = obj.computeGradients(model, batch, { step: 3, epoch: 0 });
    const c = obj.computeGradients(model, batch, { step: 4, epoch: 0 });
    const n = 'conv/kernel';
    expect(await arr(b.grads.get(n)!)).toEqual(await arr(a.grads.get(n)!));
    expect(await arr(c.grads.get(n)!)).not.toEqual(await arr(a.grads.get(n)!));
    [a, b, c].forEach(disposeResult);
    expect(() => obj.setSettings({ sigma: -1 })).toThrow(/sigma/);
    expect(() => obj.setSettings({ margin: 0 })).toThrow(/margin/);
    // warm-up: the adversarial mask is cached on first use
    obj.setSettings({ mode: 'adversarial' });
    disposeResult(obj.computeGradients(model, batch, { step: 0, epoch: 0 }));
    const start = tf.memory().numTensors;
    const modes = [
      { mode: 'gaussian' as const, replicas: 3, margin: 0.5 },
      { mode: 'gaussian' as const, replicas: 1, margin: Infinity },
      { mode: 'adversarial' as const, replicas: 1, margin: 0.2 },
      { mode: 'gaussian' as const, replicas: 0, margin: 0.5 },
    ];
    for (let step = 0; step < 8; step++) {
      obj.setSettings(modes[step % modes.length]);
      expect(obj.getSettings().replicas).toBe(modes[step % modes.length].replicas);
      disposeResult(obj.computeGradients(model, batch, { step, epoch: 0 }));
      expect(tf.memory().numTensors).toBe(start);
    }
    obj.dispose();
    expect(tf.memory().numTensors).toBeLessThan(start);
    await restoreState(model, snap);
  });
});
