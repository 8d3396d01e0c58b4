import * as tf from '@tensorflow/tfjs-core';
import { evalBatches } from '../../engine/data/batches';
import { normalizationFor } from '../../engine/data/normalize';
import { runLandscape } from '../../engine/landscape';
import { subspaceSensitivity } from '../../engine/watermark';
import { num, oneOf, parseOptions, required } from '../args';
import { setupNodeBackend } from '../nodeBackend';
import { loadDataset } from '../nodeData';
import { readModelAndWatermasKey } from '../anyKeyedModel';
import { measureKeyVsControl } from './compareSharpness';

export const LANDSCAPE_USAGE = `wmlab landscape --model M --key K --data DIR|synthetic [--grid G] [--radius r] [--dims 1|2]
  [--eval-size N] [--seed S] [--eigen-iters N] [--noise R] [--noise-draws N]
  [--controls N [--relative-radius α (default 0.5)] [--flip F (default 0.5)]]
  (--controls adds sharpness.keyVsControl: K against N matched control subsets at relative radius α)`;

/** `wmlab landscape`: loss slices / grid around the model in the key subspace and its complement. */
export async function landscapeCommand(argv: string[], log: (line: string) => void): Promise<Record<string, unknown>> {
  const o = parseOptions(argv, {
    model: { type: 'string' }, key: { type: 'string' }, data: { type: 'string' }, grid: { type: 'string' }, radius: { type: 'string' },
    dims: { type: 'string' }, 'eval-size': { type: 'string' }, seed: { type: 'string' }, 'eigen-iters': { type: 'string' },
    noise: { type: 'string' }, 'noise-draws': { type: 'string' }, controls: { type: 'string' }, 'relative-radius': { type: 'string' },
    flip: { type: 'string' },
  });
  const controls = num(o.controls, 'controls', { int: true, min: 0, max: 100, default: 0 });
  const relativeRadius = num(o['relative-radius'], 'relative-radius', { min: 0, max: 100, default: 0.5 });
  const flip = num(o.flip, 'flip', { min: 0, max: 1, default: 0.5 });
  const grid = num(o.grid, 'grid', { int: true, min: 3, max: 201, default: 21 });
  const radius = num(o.radius, 'radius', { min: 0, max: 100, default: 1 });
  const dims = Number(oneOf(o.dims, 'dims', ['1', '2'] as const, '1')) as 1 | 2;
  const evalSize = num(o['eval-size'], 'eval-size', { int: true, min: 1, max: 10_000, default: 512 });
  const seed = num(o.seed, 'seed', { int: true, min: 0, default: 0 });
  const eigenIters = num(o['eigen-iters'], 'eigen-iters', { int: true, min: 0, max: 500, default: 20 });
  const noise = num(o.noise, 'noise', { min: 0, max: 10, default: 0.1 });
  const noiseDraws = num(o['noise-draws'], 'noise-draws', { int: true, min: 0, max: 1000, default: 10 });
  const data = required(o.data, 'data');
  // the backend first: the model's variables are created on it
  await setupNodeBackend('auto', 'train');
  const { model, key } = await readModelAndWatermasKey(required(o.model, 'model'), required(o.key, 'key'));
  try {
    const dataset = await loadDataset({ data, trainLimit: 1, testLimit: evalSize });
    // One fixed evaluation batch of the first evalSize test images.
    const first = evalBatches(dataset.test, dataset.test.count, normalizationFor(dataset)).next();
    if (first.done) throw new Error('no evaluation images');
    const { batch } = first.value;
    try {
      const t0 = performance.now();
      const report = await runLandscape({
        model, batch, positions: key.positions.map((g) => ({ tensor: g.tensor, indices: g.indices })), seed, radius, grid, dims,
        eigen: eigenIters > 0 ? { iters: eigenIters } : false,
        onProgress: (p) => {
          if (p.done === p.total || p.done % 20 === 0) log(`${p.phase} ${p.done}/${p.total}`);
        },
      });
      // methods.md / issue 4: loss rise when the marked weights get Gaussian noise of relative size
      // `noise`, against the same noise on as many random unmarked weights.
      const s = noiseDraws > 0 ? await subspaceSensitivity(model, key.positions, batch, { relative: noise, draws: noiseDraws, seed }) : undefined;
      const sensitivity = s && { relative: noise, draws: noiseDraws, baseLoss: s.baseLoss, keyRise: s.keyRise.mean, keyRiseStd: s.keyRise.std, randomRise: s.randomRise.mean, randomRiseStd: s.randomRise.std, ratio: s.ratio };
      const keyVsControl = controls > 0 ? await measureKeyVsControl(model, key, batch, { radius: relativeRadius, controls, draws: 4, flip, flipDraws: 4, seed }) : undefined;
      const sharpness = keyVsControl ? { ...report.sharpness, keyVsControl } : report.sharpness;
      return {
        model: model.config.arch, evalSize: dataset.test.count, radius, seconds: (performance.now() - t0) / 1000, ...report, sharpness,
        ...(sensitivity ? { sensitivity } : {}),
      };
    } finally {
      tf.dispose([batch.x, batch.y]);
    }
  } finally {
    model.dispose();
  }
}
