import * as tf from '@tensorflow/tfjs-core';
import { complementDirection, computeGrid2D, disposeDirection, evaluateAt, keyDirection } from '../src/engine/landscape';
import { createModel } from '../src/engine/models/createModel';
import type { ArchName } from '../src/engine/models/types';
import { Rng, hashSeed } from '../src/engine/random/rng';
import { embedWatermark } from '../src/engine/watermark';

export interface LandscapeBenchOptions {
  /** Grid size per axis (default 21). */
  readonly grid?: number;
  /** Evaluation images (default 512). */
  readonly images?: number;
  /** Default resnet20. */
  readonly model?: ArchName;
}

/**
 * Times a 2-D landscape grid (issue 6: 21 × 21 on 512 images, ResNet-20 with a 256-bit WaterMAS
 * key) on the backend that is already set up (the caller starts it; `backendName` is recorded
 * and checked against tf.getBackend()). Data: one fixed synthetic batch (seeded Gaussian images,
 * random labels) — the time depends on the shapes, not the values. One untimed evaluation warms
 * the kernels up first. Pure tfjs (no Node APIs), so the browser bench can call it too.
 * Returns { model, backend, grid, images, points, seconds, msPerPoint, warmupSeconds }.
 */
export async function benchLandscapeGrid(backendName: string, log: (s: string) => void, opts: LandscapeBenchOptions = {}): Promise<Record<string, unknown>> {
  const grid = opts.grid ?? 21;
  const images = opts.images ?? 512;
  const arch = opts.model ?? 'resnet20';
  const backend = tf.getBackend();
  if (backend !== backendName) log(`landscape: asked for backend ${backendName} but ${backend} is running; timing ${backend}`);
  const rng = new Rng(6);
  const x = tf.tensor4d(rng.fillNormal(new Float32Array(images * 32 * 32 * 3)), [images, 32, 32, 3]);
  const y = tf.tensor1d(Int32Array.from({ length: images }, () => rng.int(10)), 'int32');
  const model = createModel(arch, { seed: 1 });
  const batch = { x, y };
  let dK = null, dC = null;
  try {
    const { key } = await embedWatermark(model, { seed: new Uint8Array(32).fill(1), payload: { kind: 'random-bits', count: 256 } });
    const positions = key.positions.map((g) => ({ tensor: g.tensor, indices: g.indices }));
    dK = await keyDirection(model, positions, hashSeed(0, 'run/key'));
    dC = await complementDirection(model, positions, hashSeed(0, 'run/complement'));
    const w0 = performance.now();
    await evaluateAt(model, batch, [{ dir: dK, coef: 0.5 }, { dir: dC, coef: 0.5 }]);
    const warmupSeconds = (performance.now() - w0) / 1000;
    log(`landscape: ${backend} ${arch} ${grid}x${grid} grid on ${images} images (warm-up ${warmupSeconds.toFixed(2)} s)`);
    const t0 = performance.now();
    const g = await computeGrid2D({ model, batch, xDirection: dK, yDirection: dC, radius: 1, size: grid });
    const seconds = (performance.now() - t0) / 1000;
    const points = g.done;
    const msPerPoint = (1000 * seconds) / points;
    log(`landscape: ${backend} ${points} points in ${seconds.toFixed(1)} s (${msPerPoint.toFixed(1)} ms/point)`);
    return { model: arch, backend, grid, images, points, seconds, msPerPoint, warmupSeconds };
  } finally {
    if (dK) disposeDirection(dK);
    if (dC) disposeDirection(dC);
    tf.dispose([x, y]);
    model.dispose();
  }
}
