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
import { seedFromHex } from '../../../src/engine/watermark/seed';
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

/** The batch rows replica r sees, as settings.ts documents replicaBatch: all, or its slice (a pair shares one). */
function expectedRows(s: WaterMASSettings, r: number): [number, number] {
  const n = batch.x.shape[0];
  if (s.replicaBatch === 'full') return [0, n];
  const slices = s.antithetic ? s.replicas / 2 : s.replicas;
  const i = s.antithetic ? Math.floor(r / 2) : r;
  return [(i * n) / slices, ((i + 1) * n) / slices]; // 12 images: whole slices
}

/** Loss and gradients at θ + ε on rows [from, to) of the batch, BatchNorm with the given fixed statistics (or the rows' own). */
function reference(eps: Map<string, tf.Tensor> | null, stats?: Map<string, { mean: tf.Tensor; variance: tf.Tensor }>, [from, to] = [0, batch.x.shape[0]]) {
  const names = model.paramInfo.map((p) => p.name);
  const vars = names.map((n) => model.params.get(n)!);
  const res = tf.variableGrads(() => {
    const overrides = new Map<string, tf.Tensor>();
    if (eps) for (const [n, e] of eps) overrides.set(n, tf.add(model.params.get(n)!, e));
    const x = tf.slice(batch.x, [from, 0, 0, 0], [to - from, -1, -1, -1]);
    const y = tf.slice(batch.y, [from], [to - from]);
    return softmaxCrossEntropy(model.forward(x, { training: true, overrides, ...(stats ? { batchStats: stats } : {}) }), y);
  }, vars);
  const grads = new Map(vars.map((v, i) => [names[i], res.grads[v.name]]));
  return { loss: res.value, grads };
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

const BASE: WaterMASSettings = { replicas: 4, sigma: 0.5, lambda: 0.8, mode: 'relative', rho: 0.05, margin: Infinity, antithetic: true, replicaBn: 'batch', replicaBatch: 'full' };

describe('replica modes', () => {
  for (const settings of [
    { ...BASE },
    { ...BASE, mode: 'flip' as const, antithetic: false },
    { ...BASE, replicaBn: 'clean' as const },
    { ...BASE, replicaBatch: 'split' as const },
    { ...BASE, mode: 'flip' as const, antithetic: false, replicaBn: 'clean' as const, replicaBatch: 'split' as const },
  ]) {
    it(`${settings.mode}${settings.antithetic ? ', antithetic' : ''}, replica BatchNorm ${settings.replicaBn}, replica batch ${settings.replicaBatch}: gradient = (1 + λ) g0 − λ/R Σ g_r with the documented ε`, async () => {
      const step = 3;
      const snap = await snapshotState();
      const obj = createWaterMASObjective(model, frozen, { seed: 21, settings });
      const r = obj.computeGradients(model, batch, { step, epoch: 0 });
      restoreState(snap);
      const sink: BatchNormStats[] = [];
      tf.tidy(() => void model.forward(batch.x, { training: true, statsSink: sink }));
      const stats = settings.replicaBn === 'clean' ? new Map(sink.map((s) => [s.layer, { mean: s.mean, variance: s.variance }])) : undefined;
      const clean = reference(null);
      const reps = expectedNoise(settings, 21, step).map((eps, i) => {
        const res = reference(eps, stats, expectedRows(settings, i));
        tf.dispose([...eps.values()]);
        return res;
      });
      const repLosses = await Promise.all(reps.map(async (x) => (await x.loss.data())[0]));
      const cleanLoss = (await clean.loss.data())[0];
      expect(repLosses.some((l) => Math.abs(l - cleanLoss) > 1e-4)).toBe(true); // the noise matters
      if (settings.antithetic) expect(repLosses[0]).not.toBeCloseTo(repLosses[1], 6); // a pair, not a copy
      for (const [n, g] of r.grads) {
        const want = await tf.tidy(() => {
          let acc = tf.mul(clean.grads.get(n)!, 1 + settings.lambda);
          for (const rep of reps) acc = tf.sub(acc, tf.mul(rep.grads.get(n)!, settings.lambda / settings.replicas));
          return acc;
        }).data();
        const got = await g.data();
        let worst = 0;
        for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1e-5 + Math.abs(want[i])));
        expect(worst, n).toBeLessThan(1e-3);
      }
      const meanRep = repLosses.reduce((a, b) => a + b, 0) / repLosses.length;
      expect((await r.metrics!.replicaLossMean.data())[0]).toBeCloseTo(meanRep, 5);
      tf.dispose([clean.loss, ...clean.grads.values(), ...reps.flatMap((x) => [x.loss, ...x.grads.values()])]);
      for (const s of sink) tf.dispose([s.mean, s.variance]);
      disposeResult(r);
      obj.dispose();
    });
  }

  it('a hinge with a margin beyond every gap is the m = ∞ objective', async () => {
    const snap = await snapshotState();
    const grads: Float32Array[][] = [];
    for (const margin of [Infinity, 1e6]) {
      const obj = createWaterMASObjective(model, frozen, { seed: 4, settings: { ...BASE, margin } });
      const r = obj.computeGradients(model, batch, { step: 1, epoch: 0 });
      restoreState(snap);
      grads.push(await Promise.all([...r.grads.values()].map(async (g) => new Float32Array(await g.data()))));
      disposeResult(r);
      obj.dispose();
    }
    expect(grads[1]).toEqual(grads[0]);
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
  });
});
