import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyVsControl, matchedControls, pairedGain } from '../../../src/engine/landscape';
import type { Model } from '../../../src/engine/models/types';
import { createModel } from '../../../src/engine/models/createModel';
import { Rng } from '../../../src/engine/random/rng';
import { embedWatermark } from '../../../src/engine/watermark/embed';
import type { PositionGroup } from '../../../src/engine/watermark/keys';
import { seedFromHex } from '../../../src/engine/watermark/seed/seed';

let model: Model;
let positions: PositionGroup[];
let batch: { x: tf.Tensor4D; y: tf.Tensor1D };

beforeAll(async () => {
  await tf.setBackend('cpu');
  model = createModel('cnn', { seed: 3, numClasses: 4, inputShape: [8, 8, 3], options: { width: 4, hidden: 8 } });
  const { key } = await embedWatermark(model, { seed: seedFromHex('2a'.repeat(32)), payload: { kind: 'random-bits', count: 48 }, positions: { allocation: 'equal' } });
  positions = key.positions.map((g) => ({ tensor: g.tensor, indices: [...g.indices] }));
  const rng = new Rng(5);
  batch = { x: tf.tensor4d(rng.fillNormal(new Float32Array(32 * 8 * 8 * 3)), [32, 8, 8, 3]), y: tf.tensor1d(Int32Array.from({ length: 32 }, () => rng.int(4)), 'int32') };
});
afterAll(() => {
  model.dispose();
  tf.dispose([batch.x, batch.y]);
});

async function weightsOf(m: Model): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const g of positions) out.set(g.tensor, new Float32Array(await m.params.get(g.tensor)!.data()));
  return out;
}

describe('matched control subsets', () => {
  it('match K in size and tensor spread, never touch K, and have the magnitudes of K', async () => {
    const w = await weightsOf(model);
    const subsets = matchedControls(w, positions, 5, 11);
    expect(subsets).toHaveLength(5);
    const absMean = (groups: readonly { tensor: string; indices: ArrayLike<number> }[]) => {
      let s = 0;
      let n = 0;
      for (const g of groups) {
        for (const i of Array.from(g.indices)) {
          s += Math.abs(w.get(g.tensor)![i]);
          n++;
        }
      }
      return s / n;
    };
    const all = [...w.values()].flatMap((a) => Array.from(a, Math.abs));
    const overallMean = all.reduce((a, b) => a + b, 0) / all.length;
    const keyMean = absMean(positions);
    expect(keyMean).toBeGreaterThan(1.2 * overallMean); // the codec raised the marks: a random subset would not match
    for (const subset of subsets) {
      expect(subset.map((g) => g.tensor)).toEqual(positions.map((g) => g.tensor));
      subset.forEach((g, t) => {
        const idx = Array.from(g.indices);
        expect(idx).toHaveLength(positions[t].indices.length);
        expect(new Set(idx).size).toBe(idx.length);
        const marked = new Set(positions[t].indices);
        expect(idx.some((i) => marked.has(i))).toBe(false);
      });
      expect(Math.abs(absMean(subset) - keyMean) / keyMean).toBeLessThan(0.15);
    }
  });
});

describe('key vs control sharpness', () => {
  it('is exactly 0 at radius 0, and flipping 0 signs costs nothing', async () => {
    const r = await keyVsControl({ model, batch, positions, relativeRadius: 0, controls: 2, draws: 2, flipFraction: 0, seed: 1 });
    expect(r.keyRise).toBe(0);
    expect(r.controlRise).toBe(0);
    expect(r.flip).toBeUndefined();
  });

  it('grows with the radius, is reproducible, and writes nothing into the model', async () => {
    const before = await weightsOf(model);
    const small = await keyVsControl({ model, batch, positions, relativeRadius: 0.2, controls: 2, draws: 3, seed: 4 });
    const large = await keyVsControl({ model, batch, positions, relativeRadius: 1, controls: 2, draws: 3, seed: 4 });
    const again = await keyVsControl({ model, batch, positions, relativeRadius: 1, controls: 2, draws: 3, seed: 4 });
    expect(large.keyRise).toBeGreaterThan(small.keyRise);
    expect(large.controlRise).toBeGreaterThan(small.controlRise);
    expect(again).toEqual(large);
    expect(large.flip!.fraction).toBe(0.5);
    expect(large.flip!.keyAccuracyDrop).toBeCloseTo(large.baseAccuracy - large.flip!.key.accuracy, 6);
    const after = await weightsOf(model);
    for (const [name, w] of before) expect(after.get(name)).toEqual(w);
  });

  it('the flip cost is the mean over draws of different halves; its first draw is the single draw of flipDraws 1', async () => {
    const one = await keyVsControl({ model, batch, positions, relativeRadius: 0, controls: 1, draws: 1, flipDraws: 1, seed: 7 });
    const four = await keyVsControl({ model, batch, positions, relativeRadius: 0, controls: 1, draws: 1, seed: 7 });
    expect(four.flip!.draws).toBe(4);
    expect(four.flip!.keyAccuracyDrops).toHaveLength(4);
    expect(four.flip!.keyAccuracyDrops[0]).toBe(one.flip!.keyAccuracyDrop);
    const drops = four.flip!.keyAccuracyDrops;
    const m = drops.reduce((a, b) => a + b, 0) / drops.length;
    expect(four.flip!.keyAccuracyDrop).toBeCloseTo(m, 6);
    expect(four.flip!.keyAccuracyDropSpread).toBeCloseTo(Math.sqrt(drops.reduce((a, b) => a + (b - m) ** 2, 0) / drops.length), 6);
    await expect(keyVsControl({ model, batch, positions, relativeRadius: 0, flipDraws: 0, seed: 7 })).rejects.toThrow(/flip draws/);
  });

  it('the paired gain divides the marked model by its twin', () => {
    const base = { relativeRadius: 1, baseLoss: 1, baseAccuracy: 0.5, keyRiseSpread: 0, controlRiseSpread: 0, ratio: 1, controls: 1, draws: 1, cancelled: false };
    const g = pairedGain({ ...base, keyRise: 0.6, controlRise: 0.1 }, { ...base, keyRise: 0.1, controlRise: 0.1 });
    expect(g.keyGain).toBeCloseTo(6, 9);
    expect(g.controlGain).toBeCloseTo(1, 9);
  });
});
