import * as tf from '@tensorflow/tfjs-core';
import { evalBatches } from '../../engine/data/batches';
import { sliceImageSet } from '../../engine/data/imageset';
import type { Dataset, Normalization } from '../../engine/data/types';
import { complementDirection, computeGrid2D, computeSharpness, computeSlices, disposeDirection, keyDirection, keyVsControl } from '../../engine/landscape';
import type { Model } from '../../engine/models/types';
import { hashSeed } from '../../engine/random/rng';
import type { WatermasKey } from '../../engine/watermark';
import type { LandscapeEvent, LandscapeOutcome, LandscapeSettings } from '../../protocol/analysis';

/** Relative radius of the panel's key-vs-control numbers (our choice, as `wmlab compare-sharpness`' default). */
export const KEY_VS_CONTROL_RADIUS = 0.5;

/** Checks landscape settings that came over the worker boundary; throws a one-line reason. */
export function validateLandscapeSettings(s: LandscapeSettings): void {
  if (!(s.radius > 0 && s.radius <= 100)) throw new Error(`radius must be in (0, 100], got ${s.radius}`);
  if (!(Number.isInteger(s.grid) && s.grid >= 3 && s.grid <= 101)) throw new Error(`resolution must be a whole number in 3..101, got ${s.grid}`);
  if (s.dims !== 1 && s.dims !== 2) throw new Error(`dims must be 1 or 2, got ${String(s.dims)}`);
  if (!(Number.isInteger(s.evalSize) && s.evalSize >= 1 && s.evalSize <= 10_000)) throw new Error(`evaluation images must be a whole number in 1..10000, got ${s.evalSize}`);
  if (!(Number.isInteger(s.seed) && s.seed >= 0)) throw new Error(`seed must be a whole number >= 0, got ${s.seed}`);
  if (!(Number.isInteger(s.eigenIters) && s.eigenIters >= 0 && s.eigenIters <= 500)) throw new Error(`eigen iterations must be a whole number in 0..500, got ${s.eigenIters}`);
}

export interface LandscapeRunInput {
  readonly model: Model;
  readonly key: WatermasKey;
  readonly dataset: Dataset;
  readonly normalization: Normalization;
  readonly settings: LandscapeSettings;
  readonly signal: { readonly aborted: boolean };
  readonly backend: () => string;
  readonly onEvent: (e: LandscapeEvent) => void | Promise<void>;
}

/**
 * One landscape run around the keyed model, streamed: d_K and d_¬K from the seed (the same
 * derivation as the engine's runLandscape, so the CLI and the panel agree for equal seeds), the
 * two 1-D slices point by point (coarse first), the 2-D grid cell by cell (coarse first) when
 * dims = 2, then the sharpness numbers. On a fixed batch of the first `evalSize` test images;
 * the model's weights are never written; every tensor is released at the end.
 */
export async function runLandscapeOn(input: LandscapeRunInput): Promise<LandscapeOutcome> {
  const { model, key, dataset, normalization, settings: s, signal } = input;
  validateLandscapeSettings(s);
  const t0 = performance.now();
  const test = sliceImageSet(dataset.test, 0, Math.min(s.evalSize, dataset.test.count));
  const first = evalBatches(test, test.count, normalization).next();
  if (first.done) throw new Error('no evaluation images');
  const batch = first.value.batch;
  const positions = key.positions.map((g) => ({ tensor: g.tensor, indices: g.indices }));
  const emit = (e: LandscapeEvent) => void input.onEvent(e);
  const dK = await keyDirection(model, positions, hashSeed(s.seed, 'run/key'));
  const dC = await complementDirection(model, positions, hashSeed(s.seed, 'run/complement'));
  try {
    const n = s.grid;
    let done = 0;
    const slices = await computeSlices({
      model, batch, keyDirection: dK, complementDirection: dC, radius: s.radius, points: n, signal,
      onPoint: (p) => emit({ kind: 'slice', ...p, done: ++done, total: 2 * n }),
    });
    let cancelled = slices.cancelled;
    let grid: LandscapeOutcome['grid'] = null;
    if (s.dims === 2 && !cancelled) {
      const g = await computeGrid2D({
        model, batch, xDirection: dK, yDirection: dC, radius: s.radius, size: n, signal,
        onCell: (c) => emit({ kind: 'cell', ...c }),
      });
      const rows = (a: Float64Array) => Array.from({ length: g.betas.length }, (_, j) => Array.from(a.subarray(j * g.alphas.length, (j + 1) * g.alphas.length)));
      grid = { loss: rows(g.loss), accuracy: rows(g.accuracy) };
      cancelled = g.cancelled;
    }
    let sharp = null;
    if (!cancelled) {
      emit({ kind: 'sharpness' });
      sharp = await computeSharpness({
        model, batch, positions, radius: s.radius, seed: hashSeed(s.seed, 'run/sharpness'),
        eigen: s.eigenIters > 0 ? { iters: s.eigenIters } : false, signal,
      });
      cancelled = sharp.cancelled;
    }
    let kvc: LandscapeOutcome['keyVsControl'] = null;
    if (!cancelled) {
      const r = await keyVsControl({
        model, batch, positions, relativeRadius: KEY_VS_CONTROL_RADIUS, controls: 4, draws: 4, flipFraction: 0.5, seed: hashSeed(s.seed, 'run/key-vs-control'), signal,
      });
      cancelled = r.cancelled;
      if (!cancelled) {
        kvc = {
          relativeRadius: r.relativeRadius, keyRise: r.keyRise, keyRiseSpread: r.keyRiseSpread, controlRise: r.controlRise, controlRiseSpread: r.controlRiseSpread,
          ratio: r.ratio, controls: r.controls, draws: r.draws, flipKeyDrop: r.flip?.keyAccuracyDrop ?? NaN, flipKeyDrops: r.flip?.keyAccuracyDrops ?? [], flipControlDrop: r.flip?.controlAccuracyDrop ?? NaN,
        };
      }
    }
    return {
      alphas: slices.alphas, lossKey: slices.lossKey, lossComplement: slices.lossComplement,
      accuracyKey: slices.accuracyKey, accuracyComplement: slices.accuracyComplement, grid,
      sharpness: {
        key: sharp?.key.rise ?? NaN, complement: sharp?.complement.rise ?? NaN, ratio: sharp?.ratio ?? NaN,
        baseLoss: sharp?.baseLoss ?? NaN, radius: s.radius,
      },
      eigen: sharp?.eigen ?? null,
      keyVsControl: kvc,
      cancelled,
      evalSize: test.count,
      seconds: (performance.now() - t0) / 1000,
      backend: input.backend(),
    };
  } finally {
    disposeDirection(dK);
    disposeDirection(dC);
    tf.dispose([batch.x, batch.y]);
  }
}
