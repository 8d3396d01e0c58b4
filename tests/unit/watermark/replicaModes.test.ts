import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../../../src/engine/models/createModel';
import type { BatchNormStats, Model } from '../../../src/engine/models/types';
import { Rng } from '../../../src/engine/random/rng';
import { softmaxCrossEntropy } from '../../../src/engine/train/crossEntropy';
import type { FrozenPositions, GradientResult } from '../../../src/engine/train/types';
import { embedWatermark } from '../../../src/engine/watermark/embed';
import { createWaterMASObjective } from '../../../src/engine/watermark/objective';
import { seedFromHex } from '../../../src/engine/watermark/seed/seed';
import type { WaterMASSettings } from '../../../src/engine/watermark/settings';

// The replica modes of settings.ts checked against an independent reference built from their
// documented recipes, on a small cnn (real BatchNorm layers, so replicaBn = 'clean' is exercised).
let model: Model;
let frozen: FrozenPositions;
let marks: Map<string, Float32Array>;
let batch: { x: tf.Tensor4D; y: tf.Tensor1D };

beforeAll(async () => {
  await tf.setBackend('cpu');
  model = createModel('cnn', { seed: 2, numClasses: 3, inputShape: [8, 8, 3], options: { width: 2, hidden: 6 } });
  ({ frozen } = await embedWatermark(model, { seed: seedFromHex('5c'.repeat(32)), payload: { kind: 'random-bits', count: 40 }, positions: { allocation: 'equal' } }));
  marks = new Map();
  for (const [name, idx] of frozen) {
    const w = await model.params.get(name)!.data();
    marks.set(name, Float32Array.from(idx, (i) => w[i]));
  }
  const rng = new Rng(9);
  batch = { x: tf.tensor4d(rng.fillNormal(new Float32Array(12 * 8 * 8 * 3)), [12, 8, 8, 3]), y: tf.tensor1d(Int32Array.from({ length: 12 }, () => rng.int(3)), 'int32') };
});
afterAll(() => {
  model.dispose();
  tf.dispose([batch.x, batch.y]);
});

/** Dense ε tensors from per-mark values (in the frozen map's order). */
function dense(values: Map<string, Float32Array>): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const [name, idx] of frozen) {
    const shape = model.params.get(name)!.shape;
    const d = new Float32Array(shape.reduce((a, b) => a * b, 1));
    idx.forEach((i, j) => (d[i] = values.get(name)![j]));
    out.set(name, tf.tensor(d, shape));
  }
  return out;
}

/** The replicas' ε as settings.ts documents them, drawn from the step's stream. */
function expectedNoise(s: WaterMASSettings, seed: number, step: number): Map<string, tf.Tensor>[] {
  const rng = new Rng(seed).fork(`replicas/${step}`);
  const out: Map<string, Float32Array>[] = [];
  for (let r = 0; r < s.replicas; r++) {
    if (s.antithetic && r % 2 === 1) {
      out.push(new Map([...out[r - 1]].map(([n, v]) => [n, v.map((x) => -x)])));
      continue;
    }
    if (s.mode === 'relative') {
      out.push(new Map([...frozen.keys()].map((n) => [n, rng.fillNormal(new Float32Array(marks.get(n)!.length), 0, s.sigma).map((z, j) => z * Math.abs(marks.get(n)![j]))])));
    } else {
      const total = [...marks.values()].reduce((a, m) => a + m.length, 0);
      const chosen = new Set(rng.permutation(total).subarray(0, Math.round(s.sigma * total)));
      let k = 0;
      out.push(new Map([...frozen.keys()].map((n) => [n, marks.get(n)!.map((w) => (chosen.has(k++) ? -2 * w : 0))])));
    }
  }
  return out.map(dense);
}

/** The batch rows replica r sees, as settings.ts documents replicaBatch: all, or its slice of the batch or of its first half (a pair shares one). */
function expectedRows(s: WaterMASSettings, r: number): [number, number] {
  if (s.replicaBatch === 'full') return [0, batch.x.shape[0]];
  const n = s.replicaBatch === 'half' ? batch.x.shape[0] / 2 : batch.x.shape[0];
  const slices = s.antithetic ? s.replicas / 2 : s.replicas;
  const i = s.antithetic ? Math.floor(r / 2) : r;
  return [(i * n) / slices, ((i + 1) * n) / slices]; // 12 images (6 for 'half'): whole slices
}

type Rows = [number, number];
const ALL = (): Rows => [0, batch.x.shape[0]];
const sliceRows = <T extends tf.Tensor>(t: T, [from, to]: Rows): T =>
  tf.slice(t, [from, ...t.shape.slice(1).map(() => 0)], [to - from, ...t.shape.slice(1).map(() => -1)]) as T;

/** Loss and gradients of one scalar, each quantity on its own tape (independent of the objective's single tape). */
function grad(f: () => tf.Scalar) {
  const names = model.paramInfo.map((p) => p.name);
  const vars = names.map((n) => model.params.get(n)!);
  const res = tf.variableGrads(f, vars);
  return { loss: res.value, grads: new Map(vars.map((v, i) => [names[i], res.grads[v.name]])) };
}
const perturbed = (eps: Map<string, tf.Tensor> | null) => {
  const overrides = new Map<string, tf.Tensor>();
  if (eps) for (const [n, e] of eps) overrides.set(n, tf.add(model.params.get(n)!, e));
  return overrides;
};

/** Loss at θ + ε on some rows, normalised by those rows' own batch statistics (replicaBn 'batch'). */
function ownStats(eps: Map<string, tf.Tensor> | null, rows: Rows = ALL()) {
  return grad(() => softmaxCrossEntropy(model.forward(sliceRows(batch.x, rows), { training: true, overrides: perturbed(eps) }), sliceRows(batch.y, rows)));
}

/**
 * Loss at θ + ε on some rows, normalised by the whole clean batch's statistics as functions of θ
 * (replicaBn 'clean'): the statistics are recomputed on this tape from a clean forward pass.
 */
function cleanStats(eps: Map<string, tf.Tensor> | null, rows: Rows = ALL()) {
  const sink: BatchNormStats[] = [];
  const res = grad(() => {
    const logits = model.forward(batch.x, { training: true, statsSink: sink });
    const stats = new Map(sink.map((st) => [st.layer, { mean: st.mean, variance: st.variance }]));
    const out = eps ? model.forward(sliceRows(batch.x, rows), { training: true, overrides: perturbed(eps), batchStats: stats }) : sliceRows(logits, rows);
    return softmaxCrossEntropy(out, sliceRows(batch.y, rows));
  });
  for (const st of sink) tf.dispose([st.mean, st.variance]);
  return res;
}

/** Largest elementwise relative difference, with a floor of 1e-4 of the tensor's scale (float32 sums in another order). */
function worstRelative(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1e-4 * scale + 1e-12 + Math.abs(want[i])));
  return worst;
}

async function snapshotState(): Promise<Float32Array[]> {
  return Promise.all([...model.state.values()].map(async (v) => new Float32Array(await v.data())));
}
function restoreState(snap: Float32Array[]): void {
  [...model.state.values()].forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(snap[i], v.shape))));
}
function disposeResult(r: GradientResult): void {
  tf.dispose([r.loss, ...(r.logits ? [r.logits] : []), ...r.grads.values(), ...Object.values(r.metrics ?? {})]);
}

const BASE: WaterMASSettings = { replicas: 4, sigma: 0.5, lambda: 0.8, mode: 'relative', rho: 0.05, margin: Infinity, antithetic: true, replicaBn: 'batch', replicaBatch: 'full', balance: 'loss' };

describe('replica modes', () => {
  for (const settings of [
    { ...BASE },
    { ...BASE, mode: 'flip' as const, antithetic: false },
    { ...BASE, replicaBn: 'clean' as const },
    { ...BASE, replicaBatch: 'split' as const },
    { ...BASE, mode: 'flip' as const, antithetic: false, replicaBn: 'clean' as const, replicaBatch: 'split' as const },
    { ...BASE, replicaBatch: 'half' as const },
    { ...BASE, mode: 'flip' as const, antithetic: false, replicaBn: 'clean' as const, replicaBatch: 'half' as const, replicas: 3 },
    { ...BASE, mode: 'flip' as const, antithetic: false, replicaBatch: 'half' as const, replicas: 1 },
  ]) {
    it(`${settings.mode}${settings.antithetic ? ', antithetic' : ''}, replica BatchNorm ${settings.replicaBn}, replica batch ${settings.replicaBatch}: gradient = ∇L + λ/R Σ (∇B_r − ∇L_r) with the documented ε and baselines`, async () => {
      const step = 3;
      const snap = await snapshotState();
      const obj = createWaterMASObjective(model, frozen, { seed: 21, settings });
      const r = obj.computeGradients(model, batch, { step, epoch: 0 });
      restoreState(snap);
      const loss = settings.replicaBn === 'clean' ? cleanStats : ownStats;
      const clean = ownStats(null); // the task loss: the batch's own statistics
      const noise = expectedNoise(settings, 21, step);
      const reps = noise.map((eps, i) => loss(eps, expectedRows(settings, i)));
      const bases = noise.map((_, i) => loss(null, expectedRows(settings, i))); // each replica's baseline: ε = 0, same rows, same normalisation
      tf.dispose(noise.flatMap((eps) => [...eps.values()]));
      const repLosses = await Promise.all(reps.map(async (x) => (await x.loss.data())[0]));
      const cleanLoss = (await clean.loss.data())[0];
      expect(repLosses.some((l) => Math.abs(l - cleanLoss) > 1e-4)).toBe(true); // the noise matters
      if (settings.antithetic) expect(repLosses[0]).not.toBeCloseTo(repLosses[1], 6); // a pair, not a copy
      for (const [n, g] of r.grads) {
        // m = ∞: ∇J = ∇L + λ/R Σ_r (∇B_r − ∇L_r)
        const want = await tf.tidy(() => {
          let acc: tf.Tensor = clean.grads.get(n)!;
          reps.forEach((rep, i) => (acc = tf.add(acc, tf.mul(tf.sub(bases[i].grads.get(n)!, rep.grads.get(n)!), settings.lambda / settings.replicas))));
          return acc;
        }).data();
        const got = await g.data();
        expect(worstRelative(got, want), n).toBeLessThan(1e-3);
      }
      const meanRep = repLosses.reduce((a, b) => a + b, 0) / repLosses.length;
      expect((await r.metrics!.replicaLossMean.data())[0]).toBeCloseTo(meanRep, 5);
      tf.dispose([clean.loss, ...clean.grads.values(), ...[...reps, ...bases].flatMap((x) => [x.loss, ...x.grads.values()])]);
      disposeResult(r);
      obj.dispose();
    });
  }

  // With ε = 0 a replica is its own baseline, so the replica term must vanish with its gradient. Until
  // 2026-12-06 replicaBn 'clean' used the clean statistics as constants and every replica was compared
  // with the whole batch's loss: at ε = 0 the gradient then differed from the plain one by λ times a
  // term as large as the task gradient (sharpness.md, "The baseline bug"), and this test failed.
  for (const [mode, replicaBn, replicaBatch, balance] of [
    ['relative', 'clean', 'full', 'loss'],
    ['relative', 'clean', 'split', 'loss'],
    ['flip', 'clean', 'split', 'loss'],
    ['flip', 'batch', 'split', 'loss'],
    ['gaussian', 'batch', 'full', 'loss'],
    ['adversarial', 'clean', 'full', 'loss'],
    ['adversarial', 'batch', 'full', 'loss'],
    // rescaling a push of float32 rounding would turn it into noise as large as the task gradient
    ['flip', 'clean', 'split', 'gradient'],
    ['flip', 'clean', 'half', 'gradient'],
    ['relative', 'batch', 'half', 'loss'],
    ['relative', 'clean', 'full', 'gradient'],
    ['adversarial', 'batch', 'full', 'gradient'],
  ] as const) {
    it(`no perturbation (${mode}, replica BatchNorm ${replicaBn}, ${replicaBatch} batch, balance ${balance}): the gradient is the plain loss's`, async () => {
      const snap = await snapshotState();
      const settings: WaterMASSettings = { ...BASE, mode, replicaBn, replicaBatch, balance, antithetic: mode === 'relative', sigma: 0, rho: 0, lambda: 4 };
      const obj = createWaterMASObjective(model, frozen, { seed: 5, settings });
      const r = obj.computeGradients(model, batch, { step: 2, epoch: 0 });
      restoreState(snap);
      const plain = ownStats(null);
      expect(Math.abs((await r.metrics!.gap.data())[0])).toBeLessThan(1e-6);
      for (const [n, g] of r.grads) expect(worstRelative(await g.data(), await plain.grads.get(n)!.data()), n).toBeLessThan(1e-3);
      tf.dispose([plain.loss, ...plain.grads.values()]);
      disposeResult(r);
      obj.dispose();
    });
  }

  // balance 'gradient' keeps the replica term's push (its gradient over the unmarked weights) and
  // only resizes it: to λ × the task gradient's norm (every replica active: m = ∞)
  for (const settings of [
    { ...BASE, mode: 'flip' as const, antithetic: false, replicaBn: 'clean' as const, replicaBatch: 'split' as const },
    { ...BASE, mode: 'flip' as const, antithetic: false, replicaBn: 'clean' as const, replicaBatch: 'half' as const },
    { ...BASE },
    { ...BASE, replicaBn: 'clean' as const },
    { ...BASE, mode: 'adversarial' as const, antithetic: false, rho: 0.5 },
  ]) {
    it(`balance gradient (${settings.mode}, replica BatchNorm ${settings.replicaBn}, ${settings.replicaBatch} batch): balance loss's push, resized to λ × the task gradient's norm`, async () => {
      const snap = await snapshotState();
      const gradients = async (balance: WaterMASSettings['balance']) => {
        const obj = createWaterMASObjective(model, frozen, { seed: 8, settings: { ...settings, balance } });
        const r = obj.computeGradients(model, batch, { step: 3, epoch: 0 });
        restoreState(snap);
        const out = new Map(await Promise.all([...r.grads].map(async ([n, g]) => [n, new Float32Array(await g.data())] as const)));
        disposeResult(r);
        obj.dispose();
        return out;
      };
      const byLoss = await gradients('loss');
      const byGradient = await gradients('gradient');
      const plain = ownStats(null);
      const task = new Map(await Promise.all([...plain.grads].map(async ([n, g]) => [n, new Float32Array(await g.data())] as const)));
      tf.dispose([plain.loss, ...plain.grads.values()]);
      // over the unmarked weights: the pushes' norms and their cosine
      let taskSq = 0;
      let lossSq = 0;
      let gradSq = 0;
      let dot = 0;
      for (const [n, t] of task) {
        const key = new Set(frozen.get(n) ?? []);
        for (let i = 0; i < t.length; i++) {
          if (key.has(i)) continue;
          const a = byLoss.get(n)![i] - t[i];
          const b = byGradient.get(n)![i] - t[i];
          taskSq += t[i] ** 2;
          lossSq += a ** 2;
          gradSq += b ** 2;
          dot += a * b;
        }
      }
      expect(Math.sqrt(lossSq / taskSq)).not.toBeCloseTo(settings.lambda, 1); // the loss form's push has another size
      expect(Math.sqrt(gradSq / taskSq)).toBeCloseTo(settings.lambda, 3);
      expect(dot / Math.sqrt(lossSq * gradSq)).toBeGreaterThan(0.9999);
    });
  }

  /** The objective's gradients at step 1 (seed 4), the model's state left as it was. */
  async function gradientsAt(settings: WaterMASSettings): Promise<Float32Array[]> {
    const snap = await snapshotState();
    const obj = createWaterMASObjective(model, frozen, { seed: 4, settings });
    const r = obj.computeGradients(model, batch, { step: 1, epoch: 0 });
    restoreState(snap);
    const out = await Promise.all([...r.grads.values()].map(async (g) => new Float32Array(await g.data())));
    disposeResult(r);
    obj.dispose();
    return out;
  }

  it('the adversarial replica sees the whole batch whatever the replica batch (its baseline is the clean loss)', async () => {
    const adversarial: WaterMASSettings = { ...BASE, mode: 'adversarial', antithetic: false, rho: 0.5 };
    expect(await gradientsAt({ ...adversarial, replicaBatch: 'half' })).toEqual(await gradientsAt({ ...adversarial, replicaBatch: 'full' }));
  });

  it('a hinge with a margin beyond every gap is the m = ∞ objective', async () => {
    expect(await gradientsAt({ ...BASE, margin: 1e6 })).toEqual(await gradientsAt({ ...BASE, margin: Infinity }));
  });

  it('flip mode refuses a fraction above 1; no tensors leak across steps', () => {
    expect(() => createWaterMASObjective(model, frozen, { seed: 1, settings: { ...BASE, mode: 'flip', sigma: 1.5 } })).toThrow(/fraction/);
    const obj = createWaterMASObjective(model, frozen, { seed: 1, settings: { ...BASE, replicaBn: 'clean' } });
    const first = obj.computeGradients(model, batch, { step: 0, epoch: 0 });
    disposeResult(first);
    const before = tf.memory().numTensors;
    for (let step = 1; step < 4; step++) disposeResult(obj.computeGradients(model, batch, { step, epoch: 0 }));
    expect(tf.memory().numTensors).toBe(before);
    obj.dispose();
    for (const settings of [
      { ...BASE, mode: 'flip' as const, antithetic: false, replicaBn: 'clean' as const, replicaBatch: 'split' as const },
      { ...BASE, mode: 'flip' as const, antithetic: false, replicaBn: 'clean' as const, replicaBatch: 'half' as const },
      { ...BASE },
    ]) {
      const balanced = createWaterMASObjective(model, frozen, { seed: 1, settings: { ...settings, balance: 'gradient' } });
      disposeResult(balanced.computeGradients(model, batch, { step: 0, epoch: 0 })); // builds the kept key masks
      const start = tf.memory().numTensors;
      for (let step = 1; step < 4; step++) disposeResult(balanced.computeGradients(model, batch, { step, epoch: 0 }));
      expect(tf.memory().numTensors).toBe(start);
      balanced.dispose();
    }
  });
});
