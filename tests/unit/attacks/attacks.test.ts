import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ATTACKS, disposeWeights, runAttack, weightParams } from '../../../src/engine/attacks';
import type { AttackOptions, FineTuneDeps, KeyPositions } from '../../../src/engine/attacks';
import { prunedCount } from '../../../src/engine/attacks/prune';
import { Rng } from '../../../src/engine/random/rng';
import type { Model } from '../../../src/engine/models/types';
import { bits, createTinyModel, snapshot } from '../../fixtures/tinyModel';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A test key: n distinct positions spread over the weight tensors. */
function makeKey(model: Model, n: number, seed: number): KeyPositions[] {
  const rng = new Rng(seed);
  const ws = weightParams(model);
  const sets = ws.map(() => new Set<number>());
  let placed = 0;
  while (placed < n) {
    const t = rng.int(ws.length);
    const size = ws[t].shape.reduce((a, b) => a * b, 1);
    const i = rng.int(size);
    if (!sets[t].has(i)) {
      sets[t].add(i);
      placed++;
    }
  }
  return ws.map((p, t) => ({ tensor: p.name, indices: Int32Array.from([...sets[t]].sort((a, b) => a - b)) }));
}

/** A trainer stand-in for the plumbing tests: adds 0.01·epochs to every trainable parameter. */
const fakeTrain: FineTuneDeps['train'] = async (model, req) => {
  tf.tidy(() => {
    for (const name of req.trainable) {
      const v = model.params.get(name) as tf.Variable;
      v.assign(tf.add(v, 0.01 * req.epochs));
    }
  });
};

describe('attacks', () => {
  it('strength 0 of every attack returns every parameter bitwise equal', async () => {
    const model = createTinyModel(1);
    const positions = makeKey(model, 64, 2);
    for (const a of ATTACKS) {
      const opts: AttackOptions = { seed: 3, positions, fineTune: { mode: 'FTAL', train: fakeTrain } };
      const w = await runAttack(a.id, model, 0, opts);
      for (const p of model.paramInfo) {
        expect(await bits(w.get(p.name) as tf.Tensor), `${a.id} ${p.name}`).toEqual(await bits(model.params.get(p.name) as tf.Tensor));
      }
      disposeWeights(w);
    }
    model.dispose();
  });

  it('never modifies the original model (params and BN state bitwise), for every attack at a real strength', async () => {
    const model = createTinyModel(4);
    const positions = makeKey(model, 64, 5);
    const before = await snapshot(model);
    const n0 = tf.memory().numTensors;
    for (const a of ATTACKS) {
      for (const mode of ['FTAL', 'FTLL', 'RTAL'] as const) {
        if (mode !== 'FTAL' && a.id !== 'finetune') continue;
        const strength = a.id === 'quantize' ? 2 : a.id === 'finetune' ? 2 : a.id === 'overwrite' ? 100 : a.id === 'noise' ? 7 : a.id === 'shift' ? 1 : 0.5;
        const createCopy = (_m: Model, seed: number) => createTinyModel(1000 + seed);
        const w = await runAttack(a.id, model, strength, { seed: 6, positions, fineTune: { mode, train: fakeTrain, createCopy } });
        // something really changed
        let changed = false;
        for (const p of weightParams(model)) {
          const x = await bits(w.get(p.name) as tf.Tensor), y = await bits(model.params.get(p.name) as tf.Tensor);
          if (x.some((v, i) => v !== y[i])) changed = true;
        }
        if (a.id !== 'finetune' || mode !== 'RTAL') expect(changed, a.id).toBe(true);
        disposeWeights(w);
      }
    }
    expect(await snapshot(model)).toEqual(before);
    expect(tf.memory().numTensors).toBe(n0);
    model.dispose();
  });

  it('is seeded: same seed same result, other seed different', async () => {
    const model = createTinyModel(7);
    const a = await runAttack('noise', model, 1, { seed: 1 });
    const b = await runAttack('noise', model, 1, { seed: 1 });
    const c = await runAttack('noise', model, 1, { seed: 2 });
    expect(await bits(a.get('conv2/kernel') as tf.Tensor)).toEqual(await bits(b.get('conv2/kernel') as tf.Tensor));
    expect(await bits(a.get('conv2/kernel') as tf.Tensor)).not.toEqual(await bits(c.get('conv2/kernel') as tf.Tensor));
    [a, b, c].forEach(disposeWeights);
    model.dispose();
  });

  it('Gaussian noise has standard deviation Ω·std(W) per tensor and leaves non-weights alone', async () => {
    const model = createTinyModel(8, { c1: 32, c2: 32 });
    const w = await runAttack('noise', model, 2, { seed: 9 });
    const orig = Float32Array.from(await model.params.get('conv2/kernel')!.data());
    const att = Float32Array.from(await w.get('conv2/kernel')!.data());
    const sd = (a: ArrayLike<number>) => {
      let m = 0;
      for (let i = 0; i < a.length; i++) m += a[i];
      m /= a.length;
      let v = 0;
      for (let i = 0; i < a.length; i++) v += (a[i] - m) ** 2;
      return Math.sqrt(v / a.length);
    };
    const diff = att.map((v, i) => v - orig[i]);
    expect(sd(diff) / (2 * sd(orig))).toBeGreaterThan(0.97);
    expect(sd(diff) / (2 * sd(orig))).toBeLessThan(1.03);
    expect(await bits(w.get('bn1/gamma')!)).toEqual(await bits(model.params.get('bn1/gamma')!));
    expect(await bits(w.get('conv2/bias')!)).toEqual(await bits(model.params.get('conv2/bias')!));
    disposeWeights(w);
    model.dispose();
  });

  it('per-tensor pruning zeroes exactly floor(T·size) smallest-magnitude entries of each weight tensor', async () => {
    const model = createTinyModel(10);
    for (const T of [0.5, 0.91, 0.95, 0.99, 0.333]) {
      const w = await runAttack('prune', model, T, { seed: 0 });
      for (const p of weightParams(model)) {
        const orig = await model.params.get(p.name)!.data();
        const att = await w.get(p.name)!.data();
        const k = prunedCount(T, orig.length);
        expect(k).toBe(Math.floor(T * orig.length + 1e-9));
        let zeros = 0, maxPruned = 0, minKept = Infinity;
        for (let i = 0; i < att.length; i++) {
          if (att[i] === 0) {
            zeros++;
            maxPruned = Math.max(maxPruned, Math.abs(orig[i]));
          } else {
            expect(att[i]).toBe(orig[i]);
            minKept = Math.min(minKept, Math.abs(orig[i]));
          }
        }
        expect(zeros, `${p.name} T=${T}`).toBe(k);
        expect(maxPruned).toBeLessThanOrEqual(minKept);
      }
      disposeWeights(w);
    }
    model.dispose();
  });

  it('global pruning zeroes exactly floor(T·total) entries under one threshold', async () => {
    const model = createTinyModel(11);
    const w = await runAttack('prune-global', model, 0.9, { seed: 0 });
    let total = 0, zeros = 0, maxPruned = 0, minKept = Infinity;
    const perTensorZeros: number[] = [];
    for (const p of weightParams(model)) {
      const orig = await model.params.get(p.name)!.data();
      const att = await w.get(p.name)!.data();
      total += orig.length;
      let z = 0;
      for (let i = 0; i < att.length; i++) {
        if (att[i] === 0) {
          z++;
          maxPruned = Math.max(maxPruned, Math.abs(orig[i]));
        } else minKept = Math.min(minKept, Math.abs(orig[i]));
      }
      zeros += z;
      perTensorZeros.push(z / orig.length);
    }
    expect(zeros).toBe(Math.floor(0.9 * total));
    expect(maxPruned).toBeLessThanOrEqual(minKept);
    // one global threshold: the per-tensor fractions differ (tensors have different scales)
    expect(Math.max(...perTensorZeros) - Math.min(...perTensorZeros)).toBeGreaterThan(0.01);
    disposeWeights(w);
    model.dispose();
  });

  it('quantization to B bits leaves at most 2^B distinct values per tensor, each within s/2', async () => {
    const model = createTinyModel(12);
    for (const B of [1, 2, 3, 4, 6]) {
      const w = await runAttack('quantize', model, B, { seed: 0 });
      for (const p of weightParams(model)) {
        const orig = await model.params.get(p.name)!.data();
        const att = await w.get(p.name)!.data();
        expect(new Set(att).size).toBeLessThanOrEqual(2 ** B);
        let min = Infinity, max = -Infinity;
        for (const v of orig) {
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
        const s = (max - min) / (2 ** B - 1);
        for (let i = 0; i < att.length; i++) expect(Math.abs(att[i] - orig[i])).toBeLessThanOrEqual(s / 2 + 1e-6);
        if (B <= 4) expect(new Set(att).size).toBeGreaterThan(1);
      }
      disposeWeights(w);
    }
    model.dispose();
  });

  it('key interception of fraction f changes exactly round(f·n) marked entries and nothing else', async () => {
    const model = createTinyModel(13);
    const positions = makeKey(model, 101, 14);
    const n = 101;
    for (const mode of ['flip', 'resample'] as const) {
      for (const f of [0.1, 0.25, 0.5, 1]) {
        const w = await runAttack('intercept', model, f, { seed: 15, positions, interceptMode: mode });
        let changedMarked = 0, changedOther = 0;
        for (const p of weightParams(model)) {
          const marked = new Set(positions.find((k) => k.tensor === p.name)!.indices);
          const orig = await model.params.get(p.name)!.data();
          const att = await w.get(p.name)!.data();
          for (let i = 0; i < att.length; i++) {
            if (att[i] !== orig[i]) {
              if (marked.has(i)) {
                changedMarked++;
                if (mode === 'flip') expect(att[i]).toBe(-orig[i]);
                else expect(Array.prototype.includes.call(orig, att[i])).toBe(true);
              } else changedOther++;
            }
          }
        }
        expect(changedMarked, `${mode} f=${f}`).toBe(Math.round(f * n));
        expect(changedOther).toBe(0);
        disposeWeights(w);
      }
    }
    await expect(runAttack('intercept', model, 0.5, { seed: 1 })).rejects.toThrow(/positions/);
    model.dispose();
  });

  it('overwriting rewrites at most n entries, as ±|w| with fresh signs', async () => {
    const model = createTinyModel(16);
    const w = await runAttack('overwrite', model, 200, { seed: 17 });
    let changed = 0;
    for (const p of weightParams(model)) {
      const orig = await model.params.get(p.name)!.data();
      const att = await w.get(p.name)!.data();
      for (let i = 0; i < att.length; i++) {
        if (att[i] !== orig[i]) {
          changed++;
          expect(att[i]).toBe(-orig[i]);
        }
      }
    }
    // about half of the 200 drawn signs differ from the current ones
    expect(changed).toBeGreaterThan(60);
    expect(changed).toBeLessThan(140);
    disposeWeights(w);
    model.dispose();
  });

  it('weight shifting without noise subtracts λ times the mean filter', async () => {
    const model = createTinyModel(18);
    const w = await runAttack('shift', model, 0.5, { seed: 0, shiftNoiseRatio: 0 });
    const p = model.paramInfo.find((q) => q.name === 'conv2/kernel')!;
    const out = p.shape[3];
    const orig = await model.params.get(p.name)!.data();
    const att = await w.get(p.name)!.data();
    for (let r = 0; r < orig.length / out; r++) {
      let m = 0;
      for (let o = 0; o < out; o++) m += orig[r * out + o];
      m /= out;
      for (let o = 0; o < out; o++) expect(att[r * out + o]).toBeCloseTo(orig[r * out + o] - 0.5 * m, 6);
    }
    disposeWeights(w);
    model.dispose();
  });

  it('fine-tuning trains a private copy: FTLL changes only the last layer, RTAL re-initialises it', async () => {
    const model = createTinyModel(19);
    const seen: string[][] = [];
    const train: FineTuneDeps['train'] = async (m, req) => {
      seen.push([...req.trainable]);
      expect(m).not.toBe(model);
      await fakeTrain(m, req);
    };
    // The tiny model is not in the zoo: fine-tuning builds its copy with createModel(config.arch),
    // so use a real 'cnn' here.
    const { createModel } = await import('../../../src/engine/models');
    const cnn = createModel('cnn', { seed: 1, inputShape: [8, 8, 3], options: { width: 4, hidden: 8 } });
    const before = await snapshot(cnn);
    const ftll = await runAttack('finetune', cnn, 1, { seed: 2, fineTune: { mode: 'FTLL', train } });
    expect(seen[0]).toEqual(['head/dense/kernel', 'head/dense/bias']);
    for (const p of cnn.paramInfo) {
      const same = (await bits(ftll.get(p.name)!)).every((v, i, a) => v === a[i] && v === before.get(p.name)![i]);
      expect(same, p.name).toBe(!p.name.startsWith('head/'));
    }
    const rtal = await runAttack('finetune', cnn, 1, { seed: 2, fineTune: { mode: 'RTAL', train } });
    expect(seen[1].length).toBe(cnn.paramInfo.length);
    // RTAL: head = fresh init (+0.01), not original (+0.01)
    const origHead = Float32Array.from(await cnn.params.get('head/dense/kernel')!.data());
    const rtalHead = await rtal.get('head/dense/kernel')!.data();
    expect(rtalHead.some((v, i) => Math.abs(v - (origHead[i] + 0.01)) > 1e-3)).toBe(true);
    const conv1 = Float32Array.from(await cnn.params.get('conv1/kernel')!.data());
    const rtalConv1 = await rtal.get('conv1/kernel')!.data();
    for (let i = 0; i < conv1.length; i++) expect(rtalConv1[i]).toBeCloseTo(conv1[i] + 0.01, 6);
    expect(rtal.has('bn1/moving_mean')).toBe(true);
    expect(await snapshot(cnn)).toEqual(before);
    disposeWeights(ftll);
    disposeWeights(rtal);
    cnn.dispose();
    model.dispose();
  });
});
