import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { keyVsControl } from '../../../src/engine/landscape';
import { createModel } from '../../../src/engine/models';
import type { Model } from '../../../src/engine/models/types';
import { Rng } from '../../../src/engine/random/rng';
import { arrayBatchSource, train } from '../../../src/engine/train';
import { embedWatermark } from '../../../src/engine/watermark/embed';
import { createWaterMASObjective } from '../../../src/engine/watermark/objective';
import { seedFromHex } from '../../../src/engine/watermark/seed/seed';
import type { WaterMASSettings } from '../../../src/engine/watermark/settings';

// The pairing the sharpness study rests on (docs/experiments/sharpness.md): a marked model and its
// R = 0 twin share the init, the key and the data order, so the WaterMAS objective with its replica
// term switched off (λ = 0) must give the twin itself, bit for bit, and the same measured rises;
// with the term on, the same run must differ. Sign-flip replicas (since the baseline fix) make the
// network depend on its marks: flipping half of them must then cost far more loss than in the twin,
// and more than flipping matched unmarked weights does.

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SHAPE = [8, 8, 3] as const;

function data(seed: number, n: number) {
  // a learnable synthetic task: class c brightens quadrant c of channel c % 3 over Gaussian noise
  const rng = new Rng(seed);
  const images = rng.fillNormal(new Float32Array(n * 8 * 8 * 3));
  const labels = Int32Array.from({ length: n }, () => rng.int(4));
  for (let k = 0; k < n; k++) {
    const c = labels[k];
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) images[((k * 8 + y + 4 * (c >> 1)) * 8 + x + 4 * (c & 1)) * 3 + (c % 3)] += 0.8;
  }
  return { images, labels };
}

async function trainedTwin(
  settings: Partial<WaterMASSettings>,
  { images: n = 128, epochs = 2, keySeed = '3e' } = {},
): Promise<{ model: Model; positions: { tensor: string; indices: number[] }[] }> {
  const model = createModel('cnn', { seed: 4, inputShape: SHAPE, numClasses: 4, options: { width: 4, hidden: 16 } });
  const { images, labels } = data(1, n);
  // pre-training without a mark, then embedding by fine-tuning (as the study does)
  await train(model, arrayBatchSource(images, labels, SHAPE, 32), { optimizer: 'sgd', momentum: 0.9, lr: 0.05, epochs: 2, logEvery: 100 }, {});
  const { key, frozen } = await embedWatermark(model, { seed: seedFromHex(keySeed.repeat(32)), payload: { kind: 'random-bits', count: 64 } });
  const objective = createWaterMASObjective(model, frozen, { seed: 2, settings });
  await train(model, arrayBatchSource(images, labels, SHAPE, 32), { optimizer: 'sgd', momentum: 0.9, lr: 0.02, epochs, logEvery: 100 }, { objective, frozen });
  objective.dispose();
  return { model, positions: key.positions.map((g) => ({ tensor: g.tensor, indices: [...g.indices] })) };
}

describe('paired sharpness on a tiny synthetic task', () => {
  it('λ = 0 reproduces the R = 0 twin exactly; λ > 0 changes the unmarked weights and the key rise', async () => {
    const { images, labels } = data(2, 128);
    const batch = { x: tf.tensor4d(images, [128, ...SHAPE]), y: tf.tensor1d(labels, 'int32') };
    const measure = async (settings: Partial<WaterMASSettings>) => {
      const { model, positions } = await trainedTwin(settings);
      const r = await keyVsControl({ model, batch, positions, relativeRadius: 0.5, controls: 2, draws: 2, flipFraction: 0.5, seed: 3 });
      const weights = await Promise.all([...model.params.values()].map(async (v) => new Float32Array(await v.data())));
      model.dispose();
      return { r, weights };
    };
    const twin = await measure({ replicas: 0 });
    const off = await measure({ replicas: 2, mode: 'relative', sigma: 0.5, antithetic: true, lambda: 0, margin: 2, replicaBn: 'clean' });
    const on = await measure({ replicas: 2, mode: 'relative', sigma: 0.5, antithetic: true, lambda: 1, margin: 2, replicaBn: 'clean' });
    tf.dispose([batch.x, batch.y]);
    expect(off.weights).toEqual(twin.weights);
    expect(off.r).toEqual(twin.r);
    expect(on.weights).not.toEqual(twin.weights);
    expect(on.r.keyRise).not.toBe(twin.r.keyRise);
  }, 120_000);

  it('sign-flip replicas make flipping half of the marks cost far more loss than in the twin, and more than matched weights', async () => {
    const { images, labels } = data(2, 128);
    const batch = { x: tf.tensor4d(images, [128, ...SHAPE]), y: tf.tensor1d(labels, 'int32') };
    const measure = async (settings: Partial<WaterMASSettings>) => {
      const { model, positions } = await trainedTwin(settings, { images: 256, epochs: 4, keySeed: '41' });
      const r = await keyVsControl({ model, batch, positions, relativeRadius: 0.5, controls: 2, draws: 2, flipFraction: 0.5, seed: 3 });
      model.dispose();
      return { key: r.flip!.key.loss - r.baseLoss, control: r.flip!.control.loss - r.baseLoss };
    };
    const twin = await measure({ replicas: 0 });
    const flip = await measure({ replicas: 4, mode: 'flip', sigma: 0.5, antithetic: false, lambda: 1, margin: 2, replicaBn: 'clean', replicaBatch: 'split' });
    tf.dispose([batch.x, batch.y]);
    // measured: twin 0.046 nats, flip replicas 1.57, their matched weights -0.008 (3 key seeds: 34-190x the twin's)
    expect(flip.key).toBeGreaterThan(0.5);
    expect(flip.key).toBeGreaterThan(10 * Math.max(twin.key, 0.01));
    expect(flip.key).toBeGreaterThan(3 * Math.max(flip.control, 0.01));
  }, 300_000);
});
