import * as tf from '@tensorflow/tfjs-core';
import { evalBatches } from '../../engine/data/batches';
import { normalizationFor } from '../../engine/data/normalize';
import { keyVsControl, pairedGain, type KeyVsControl } from '../../engine/landscape';
import type { EvalBatch } from '../../engine/landscape';
import type { Model } from '../../engine/models/types';
import type { WatermasKey } from '../../engine/watermark';
import { num, parseOptions, required } from '../args';
import { setupNodeBackend } from '../nodeBackend';
import { loadDataset } from '../nodeData';
import { readModelAndWatermasKey } from '../anyKeyedModel';

export const COMPARE_SHARPNESS_USAGE = `wmlab compare-sharpness --marked M --twin M0 --key K --data DIR|synthetic
  [--radius α (relative, default 0.5)] [--controls N (default 4)] [--draws N (default 4)] [--flip F (default 0.5)] [--flip-draws N (default 4)]
  [--eval-size N (default 1000)] [--seed S]
  (the marked model against its R = 0 twin: same key, init and data order)`;

/** Options of the key-vs-control measure shared by `landscape --controls` and `compare-sharpness`. */
export interface KeyVsControlFlags {
  readonly radius: number;
  readonly controls: number;
  readonly draws: number;
  readonly flip: number;
  readonly flipDraws: number;
  readonly seed: number;
}

/** Runs the key-vs-control measure on one model and key with the CLI's flags. */
export async function measureKeyVsControl(model: Model, key: WatermasKey, batch: EvalBatch, f: KeyVsControlFlags): Promise<KeyVsControl> {
  return keyVsControl({
    model, batch, positions: key.positions, relativeRadius: f.radius, controls: f.controls, draws: f.draws, flipFraction: f.flip, flipDraws: f.flipDraws, seed: f.seed,
  });
}

/** "flip 0.5 costs 34.3 ± 25.8 points over 4 draws (61.0, 17.3, 57.8, 1.0; controls -0.0)". */
export function flipSummary(f: NonNullable<KeyVsControl['flip']>): string {
  const pts = (v: number) => (100 * v).toFixed(1);
  const controls = `controls ${pts(f.controlAccuracyDrop)}`;
  if (f.draws === 1) return `flip ${f.fraction} costs ${pts(f.keyAccuracyDrop)} points (${controls})`;
  return `flip ${f.fraction} costs ${pts(f.keyAccuracyDrop)} ± ${pts(f.keyAccuracyDropSpread)} points over ${f.draws} draws (${f.keyAccuracyDrops.map(pts).join(', ')}; ${controls})`;
}

/** The first `size` test images as one fixed batch (owned by the caller). */
export async function fixedTestBatch(data: string, size: number): Promise<EvalBatch> {
  const dataset = await loadDataset({ data, trainLimit: 1, testLimit: size });
  const first = evalBatches(dataset.test, dataset.test.count, normalizationFor(dataset)).next();
  if (first.done) throw new Error('no evaluation images');
  return first.value.batch;
}

/** `wmlab compare-sharpness`: the paired sharpness gain of a marked model over its R = 0 twin. */
export async function compareSharpnessCommand(argv: string[], log: (line: string) => void): Promise<Record<string, unknown>> {
  const o = parseOptions(argv, {
    marked: { type: 'string' }, twin: { type: 'string' }, key: { type: 'string' }, data: { type: 'string' }, radius: { type: 'string' },
    controls: { type: 'string' }, draws: { type: 'string' }, flip: { type: 'string' }, 'flip-draws': { type: 'string' }, 'eval-size': { type: 'string' }, seed: { type: 'string' },
  });
  const flags: KeyVsControlFlags = {
    radius: num(o.radius, 'radius', { min: 0, max: 100, default: 0.5 }),
    controls: num(o.controls, 'controls', { int: true, min: 1, max: 100, default: 4 }),
    draws: num(o.draws, 'draws', { int: true, min: 1, max: 100, default: 4 }),
    flip: num(o.flip, 'flip', { min: 0, max: 1, default: 0.5 }),
    flipDraws: num(o['flip-draws'], 'flip-draws', { int: true, min: 1, max: 100, default: 4 }),
    seed: num(o.seed, 'seed', { int: true, min: 0, default: 0 }),
  };
  const evalSize = num(o['eval-size'], 'eval-size', { int: true, min: 1, max: 10_000, default: 1000 });
  const markedPath = required(o.marked, 'marked');
  const twinPath = required(o.twin, 'twin');
  const keyPath = required(o.key, 'key');
  const data = required(o.data, 'data');
  await setupNodeBackend('auto', 'train');
  const batch = await fixedTestBatch(data, evalSize);
  try {
    const results: KeyVsControl[] = [];
    for (const [label, path] of [['marked', markedPath], ['twin', twinPath]] as const) {
      const { model, key } = await readModelAndWatermasKey(path, keyPath);
      try {
        const t0 = performance.now();
        const r = await measureKeyVsControl(model, key, batch, flags);
        log(`${label}: key rise ${r.keyRise.toExponential(3)}, control rise ${r.controlRise.toExponential(3)} ± ${r.controlRiseSpread.toExponential(2)}, ratio ${r.ratio.toFixed(2)}${r.flip ? `, ${flipSummary(r.flip)}` : ''} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
        results.push(r);
      } finally {
        model.dispose();
      }
    }
    const [marked, twin] = results;
    return { evalSize: batch.y.shape[0], ...flags, marked, twin, paired: pairedGain(marked, twin) };
  } finally {
    tf.dispose([batch.x, batch.y]);
  }
}
