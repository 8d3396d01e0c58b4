import * as tf from '@tensorflow/tfjs-core';
import { LiveLandscape, LiveLandscapeDriver } from '../src/engine/landscape';
import { createModel } from '../src/engine/models/createModel';
import { Rng } from '../src/engine/random/rng';
import { train } from '../src/engine/train/trainer';
import { createWaterMASObjective, embedWatermark } from '../src/engine/watermark';
import { fixedBatchSource } from './fixedSource';

export interface LiveLandscapeBenchOptions {
  /** Training steps (default 62: the lecture preset, 2 epochs of 2,000 images at batch 64). */
  readonly steps?: number;
  readonly batch?: number;
  /** Live settings (defaults: the Landscape panel's, 8 snapshots, 7 points, 64 images). */
  readonly snapshots?: number;
  readonly points?: number;
  readonly evalSize?: number;
  /** WaterMAS replicas of the run (default 0: the cheapest step, where a refresh weighs most). */
  readonly replicas?: number;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * How long the live landscape holds training up (issue 20: less than one step per pause): the
 * lecture preset's run (cnn, batch 64, a WaterMAS key, R = 0 by default) on the active backend with the
 * live view at its defaults, once with refreshes spread over pauses (PAUSE_SHARE of a step) and
 * once measured whole at their first pause (the former behaviour). Per mode: the median step,
 * the longest pause, the longest pause in steps, refreshes and their pauses, total seconds.
 * Synthetic fixed batches: the time depends on the shapes, not the values.
 */
export async function benchLiveLandscape(log: (s: string) => void, opts: LiveLandscapeBenchOptions = {}): Promise<Record<string, unknown>> {
  const steps = opts.steps ?? 62;
  const batch = opts.batch ?? 64;
  const every = Math.max(1, Math.floor(steps / (opts.snapshots ?? 8)));
  const rows: Record<string, unknown>[] = [];
  for (const [mode, pauseShare] of [
    ['spread', undefined],
    ['whole', Infinity],
  ] as const) {
    const model = createModel('cnn', { seed: 1 });
    const { key, frozen } = await embedWatermark(model, { seed: new Uint8Array(32).fill(3), payload: { kind: 'random-bits', count: 256 } });
    const objective = createWaterMASObjective(model, frozen, { seed: 1, settings: { replicas: opts.replicas ?? 0 } });
    const source = fixedBatchSource(batch, steps, 2);
    const rng = new Rng(4);
    const n = opts.evalSize ?? 64;
    const evalX = rng.fillNormal(new Float32Array(n * 32 * 32 * 3));
    const evalY = Int32Array.from({ length: n }, () => rng.int(10));
    const pauses: number[] = [];
    const stepMs: number[] = [];
    const refreshes: { step: number; pauses: number; maxPauseMs: number; ms: number }[] = [];
    const driver = new LiveLandscapeDriver(model, {
      totalSteps: steps,
      every: () => every,
      ...(pauseShare === undefined ? {} : { pauseShare }),
      create: (m) => LiveLandscape.create(m, { x: tf.tensor4d(evalX, [n, 32, 32, 3]), y: tf.tensor1d(evalY, 'int32') }, {
        positions: key.positions.map((g) => ({ tensor: g.tensor, indices: g.indices })), seed: 0, points: opts.points ?? 7,
      }),
      onPoint: (p) => void refreshes.push({ step: p.step, pauses: p.pauses, maxPauseMs: p.maxPauseMs, ms: p.ms }),
    });
    let pauseEnd: number | null = null;
    const t0 = performance.now();
    await train(model, source, { epochs: 1, lr: 0.01, optimizer: 'sgd', momentum: 0.9, logEvery: 1000 }, {
      objective,
      frozen,
      beforeStep: async (ctx) => {
        const t = performance.now();
        if (pauseEnd !== null) stepMs.push(t - pauseEnd);
        await driver.maybeMeasure(ctx.step);
        pauseEnd = performance.now();
        if (ctx.step > 0) pauses.push(pauseEnd - t);
      },
    });
    await driver.finish(steps);
    const seconds = (performance.now() - t0) / 1000;
    driver.dispose();
    objective.dispose();
    source.dispose();
    model.dispose();
    const step = median(stepMs);
    const maxPause = Math.max(...pauses);
    const row = {
      mode, steps, batch, every, medianStepMs: step, maxPauseMs: maxPause, maxPauseInSteps: maxPause / step,
      longestPausesMs: [...pauses].sort((a, b) => b - a).slice(0, 5).map((x) => Math.round(x)),
      pausesOverOneStep: pauses.filter((x) => x > step).length,
      refreshes: refreshes.length, pausesPerRefresh: refreshes.map((r) => r.pauses), msPerRefresh: median(refreshes.map((r) => r.ms)), seconds,
    };
    log(`live landscape (${mode}): step ${step.toFixed(0)} ms, longest pauses ${row.longestPausesMs.join(', ')} ms (${row.maxPauseInSteps.toFixed(2)} steps; ${row.pausesOverOneStep} over one step), ${refreshes.length} refreshes over [${row.pausesPerRefresh.join(', ')}] pauses, ${seconds.toFixed(1)} s`);
    rows.push(row);
  }
  return { backend: tf.getBackend(), model: 'cnn', replicas: opts.replicas ?? 0, rows };
}
