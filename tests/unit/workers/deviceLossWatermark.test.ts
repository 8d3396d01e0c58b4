import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { BatchStream } from '../../../src/engine/data/batches';
import type { Dataset, ImageSet } from '../../../src/engine/data/types';
import { createModel } from '../../../src/engine/models';
import type { Model } from '../../../src/engine/models/types';
import { Rng } from '../../../src/engine/random/rng';
import { ModelCheckpoint, RunControl, train, type TrainConfig } from '../../../src/engine/train';
import { readKeyValues, type WatermasKey } from '../../../src/engine/watermark';
import type { LiveLandscapeEvent, TrainProgress, WatermarkConfig, WatermarkProgress, WatermasMarkConfig } from '../../../src/protocol/api';
import { LiveLandscapeHub } from '../../../src/workers/landscape/liveLandscapeRun';
import { trainWithDeviceFallback } from '../../../src/engine/run';
import { runTraining } from '../../../src/workers/training/trainRun';
import { LiveWatermarkSettings } from '../../../src/engine/methods/watermas/session';
import { startWatermarkSession } from '../../../src/engine/methods';
import type { MethodSession } from '../../../src/engine/methods/session';

/**
 * A watermarked run whose GPU device is lost mid-run (simulated on cpu: a fake watcher fires,
 * the "switch" stays on cpu) resumes from its host checkpoint on a rebuilt model, with the
 * watermark session moved there (MethodSession.moveTo).
 */

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const NORM = { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] } as const;

function imageSet(seed: number, count: number, size: number): ImageSet {
  const rng = new Rng(seed);
  return {
    images: Uint8Array.from({ length: count * size * size * 3 }, () => rng.int(256)),
    labels: Uint8Array.from({ length: count }, (_, i) => i % 4),
    count, height: size, width: size, channels: 3,
  };
}

/** 64 images of 8x8: 4 steps per epoch at batch 16. */
const SET = imageSet(11, 64, 8);
const tinyModel = (seed: number) => createModel('cnn', { seed, numClasses: 4, inputShape: [8, 8, 3], options: { width: 4, hidden: 16 } });
const stream = () => new BatchStream(SET, { batchSize: 16, seed: 5, normalization: NORM, lastBatch: 'drop' });

/** momentum 0: the optimizer restart at the resume changes nothing, so the resumed run must end where an uninterrupted one ends. */
const CONFIG: TrainConfig = { epochs: 2, lr: 0.05, optimizer: 'sgd', momentum: 0, logEvery: 1, checkpointEvery: 5 };

const KEY = { kind: 'passphrase' as const, passphrase: 'device loss' };
const WATERMAS: WatermasMarkConfig = { strength: 0.5, key: KEY, mode: 'gaussian', rho: 0.05, margin: 0.5, method: 'watermas', payload: { kind: 'random', bits: 24 }, replicas: 1, sigma: 0.01, lambda: 0.5 };
const UCHIDA: WatermarkConfig = { key: KEY, method: 'uchida', payload: { kind: 'random', bits: 16 }, uchida: { layer: '', lambda: 10 } };
const FCW: WatermarkConfig = {
  method: 'fcw',
  fcw: { triggers: 8, mode: 'direct', ratio: 0.5, perBatch: 4, maskFraction: 0.05, maskPeriod: 2 },
};

const readAll = async (m: Model) => Promise.all([...m.params.values(), ...m.state.values()].map(async (v) => Array.from(await v.data())));
const bitsOf = (v: Float32Array) => Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length));

async function start(config: WatermarkConfig, live: LiveWatermarkSettings | null) {
  const model = tinyModel(2);
  const session = (await startWatermarkSession(model, config, { seed: 5, trainSet: SET, normalization: NORM, live })) as MethodSession;
  // WaterMAS: the key values as embedded, before any step
  const embedded = session.methodKey.method === 'watermas' ? bitsOf(await readKeyValues(model, session.methodKey.key)) : null;
  return { model, session, embedded };
}

/** Slider move after step 2 (WaterMAS only): R 1 -> 2, σ 0.01 -> 0.02, λ 0.5 -> 0.3, from step 2 on. */
const SLIDERS = { replicas: 2, sigma: 0.02, lambda: 0.3 } as const;

/** The uninterrupted run. */
async function reference(config: WatermarkConfig) {
  const live = new LiveWatermarkSettings();
  const { model, session } = await start(config, live);
  const result = await train(model, session.source(stream()), CONFIG, {
    ...session.trainHooks(),
    onProgress: (p) => {
      if (p.step === 2 && config.method === 'watermas') live.set(SLIDERS);
    },
  });
  const report = await session.report(model, result.frozenUnchanged ?? true);
  const weights = await readAll(model);
  session.dispose();
  model.dispose();
  return { result, report, weights };
}

/** The same run, its "device" lost after step 7 (checkpoint of step 5), resumed on a model rebuilt with another seed. */
async function resumed(config: WatermarkConfig) {
  const live = new LiveWatermarkSettings();
  const { model, session, embedded } = await start(config, live);
  const checkpoint = new ModelCheckpoint('host', { hostEveryMs: 0 });
  const progress: { step: number; p: WatermarkProgress }[] = [];
  const segments: number[] = [];
  let lose: ((reason: string) => void) | null = null;
  const objectiveBefore = session.trainHooks().objective;
  const out = await trainWithDeviceFallback({
    model,
    checkpoint,
    train: (m, startStep, interrupt) => {
      segments.push(startStep);
      return train(m, session.source(stream()), { ...CONFIG, startStep }, {
        ...session.trainHooks(),
        checkpoint,
        interrupt,
        onProgress: async (p) => {
          progress.push({ step: p.step, p: await session.progress(p.metrics) });
          if (p.step === 2 && config.method === 'watermas') live.set(SLIDERS);
          if (p.step === 7 && lose) lose('destroyed (simulated)');
        },
      });
    },
    watch: (onLost) => {
      lose = onLost;
      return () => {
        lose = null;
      };
    },
    switchBackend: async () => 'webgl',
    rebuild: () => tinyModel(77),
    cannotMove: null,
    moveState: (m, step) => session.moveTo(m, step),
    backendName: () => 'webgpu',
  });
  return { model, session, embedded, checkpoint, out, progress, segments, objectiveBefore };
}

describe('a watermarked run survives a lost GPU device', () => {
  it('WaterMAS: resumes from the checkpoint with the live settings, ends where an uninterrupted run ends, marked weights bitwise the key values, BER 0, no tensor growth', async () => {
    const ref = await reference(WATERMAS);
    const before = tf.memory().numTensors;
    const run = await resumed(WATERMAS);
    const { out, session } = run;
    const key = (session.methodKey as { key: WatermasKey }).key;
    expect(run.segments).toEqual([0, 5]);
    expect(out.deviceLoss).toEqual({ resumedFromStep: 5, from: 'webgpu', to: 'webgl', reason: 'destroyed (simulated)' });
    expect(out.model).not.toBe(run.model);
    expect(run.model.params.get('conv1/kernel')!.isDisposed).toBe(true);
    // the session's objective was rebuilt for the new model; the old one is released
    const objectiveAfter = session.trainHooks().objective;
    expect(objectiveAfter).not.toBe(run.objectiveBefore);
    const probe = { x: tf.zeros([1, 8, 8, 3]), y: tf.zeros([1], 'int32') };
    expect(() => run.objectiveBefore!.computeGradients(out.model, probe as never, { step: 0, epoch: 0 })).toThrow(/after dispose/);
    tf.dispose([probe.x, probe.y]);
    expect(out.result.status).toBe('completed');
    expect(out.result.steps).toBe(8);
    expect(out.result.frozenUnchanged).toBe(true);
    // reports after the resume (steps 6..8 of the second segment) read the new model, with the slider values of step 2
    const afterResume = run.progress.slice(7);
    expect(afterResume.map((r) => r.step)).toEqual([6, 7, 8]);
    for (const { p } of run.progress) {
      expect(p.ber).toBe(0);
      expect(p.frozenUnchanged).toBe(true);
    }
    for (const { p } of afterResume) {
      expect(p.settings).toMatchObject(SLIDERS);
      expect(p.settingsSinceStep).toBe(2);
      expect(p.metrics.gap).toBeTypeOf('number'); // replica passes ran: R = 2 is in force
    }
    // same weights as the uninterrupted run: the moved objective draws the same replica noise
    expect(await readAll(out.model)).toEqual(ref.weights);
    // frozen guarantee across the move: the marked weights are bitwise the key values
    const marked = await readKeyValues(out.model, key);
    expect(bitsOf(marked)).toEqual(run.embedded);
    const report = await session.report(out.model, out.result.frozenUnchanged ?? false);
    expect(report).toMatchObject({ method: 'watermas', ber: 0, errors: 0, bits: 24, detected: true, frozenUnchanged: true });
    expect(report).toEqual(ref.report);
    out.model.dispose();
    session.dispose();
    run.checkpoint.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('WaterMAS: a restored model whose marked weights differ from the key is refused (the move rejects, the new model is released)', async () => {
    const before = tf.memory().numTensors;
    const { model, session } = await start(WATERMAS, null);
    const other = tinyModel(3); // its weights at the key positions are not the embedded values
    await expect(session.moveTo(other, 0)).rejects.toThrow(/does not hold the embedded key values bitwise/);
    other.dispose();
    session.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('Uchida: resumes with a rebuilt regulariser and ends where an uninterrupted run ends (BER, weights), no tensor growth', async () => {
    const ref = await reference(UCHIDA);
    const before = tf.memory().numTensors;
    const run = await resumed(UCHIDA);
    const { out, session } = run;
    expect(run.segments).toEqual([0, 5]);
    expect(out.deviceLoss).toMatchObject({ resumedFromStep: 5, from: 'webgpu', to: 'webgl' });
    expect(session.trainHooks().objective).not.toBe(run.objectiveBefore);
    expect(out.result.status).toBe('completed');
    expect(await readAll(out.model)).toEqual(ref.weights);
    const report = await session.report(out.model, true);
    expect(report).toEqual(ref.report);
    expect(report.method).toBe('uchida');
    // the live BER after the resume is read from the new model
    expect(run.progress[run.progress.length - 1].p.ber).toBe(report.ber);
    out.model.dispose();
    session.dispose();
    run.checkpoint.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('FCW: resumes with the triggers and the masking on the new model; same weights, verdict and mask events as an uninterrupted run', async () => {
    const ref = await reference(FCW);
    const before = tf.memory().numTensors;
    const run = await resumed(FCW);
    const { out, session } = run;
    expect(run.segments).toEqual([0, 5]);
    expect(out.result.status).toBe('completed');
    expect(await readAll(out.model)).toEqual(ref.weights);
    const report = await session.report(out.model, true);
    // masks before steps 2, 4 (in the checkpoint), then 6 after the resume (the one before 6 of the lost segment is not counted twice)
    expect(report.fcw?.maskEvents).toBe(3);
    expect(report).toEqual(ref.report);
    expect(run.progress[run.progress.length - 1].p.maskEvents).toBe(3);
    out.model.dispose();
    session.dispose();
    run.checkpoint.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('a read that fails before the watcher hears of the loss', () => {
  it('still counts as a device loss when the watcher reports within the grace period (and resumes)', async () => {
    const before = tf.memory().numTensors;
    const { model, session } = await start(WATERMAS, null);
    const checkpoint = new ModelCheckpoint('host', { hostEveryMs: 0 });
    let lose: ((reason: string) => void) | null = null;
    let calls = 0;
    const out = await trainWithDeviceFallback({
      model,
      checkpoint,
      train: async (m, startStep, interrupt) => {
        calls += 1;
        if (calls === 1) {
          await checkpoint.save(m, 0);
          // as WebGPU does: the in-flight read rejects first, the device's lost promise resolves later
          setTimeout(() => lose?.('destroyed (simulated)'), 50);
          throw new Error("Failed to execute 'mapAsync' on 'GPUBuffer': Buffer was unmapped before mapping was resolved.");
        }
        return train(m, session.source(stream()), { ...CONFIG, epochs: 1, startStep }, { ...session.trainHooks(), checkpoint, interrupt });
      },
      watch: (onLost) => {
        lose = onLost;
        return () => {
          lose = null;
        };
      },
      switchBackend: async () => 'webgl',
      rebuild: () => tinyModel(77),
      cannotMove: null,
      moveState: (m, step) => session.moveTo(m, step),
      backendName: () => 'webgpu',
    });
    expect(out.deviceLoss).toEqual({ resumedFromStep: 0, from: 'webgpu', to: 'webgl', reason: 'destroyed (simulated)' });
    expect(out.result).toMatchObject({ status: 'completed', steps: 4, frozenUnchanged: true });
    expect(await session.report(out.model, true)).toMatchObject({ ber: 0, frozenUnchanged: true });
    out.model.dispose();
    session.dispose();
    checkpoint.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('runTraining: a watermarked run survives a lost GPU device', () => {
  it('WaterMAS (cnn, 8 images): resumes on the fallback backend, reports deviceLoss, BER 0, frozen, live landscape moved, no tensor growth', async () => {
    // The cnn of the lab (default widths) on 8x8 images: 2 steps per epoch, 2 epochs; the device is lost after step 1.
    const WM_RUN: WatermasMarkConfig = { ...WATERMAS, payload: { kind: 'random', bits: 32 }, replicas: 0 };
    const dataset: Dataset = { name: 'synthetic', label: 'tiny', classNames: ['a', 'b', 'c', 'd'], train: imageSet(1, 8, 8), test: imageSet(2, 4, 8) };
    const hub = new LiveLandscapeHub();
    hub.set({ every: 2, grid: 3, radius: 1, evalSize: 4, seed: 0 });
    const events: LiveLandscapeEvent[] = [];
    hub.watch((e) => void events.push(e));
    const live = new LiveWatermarkSettings();
    let backend = 'webgpu';
    let lose: ((reason: string) => void) | null = null;
    const reports: TrainProgress[] = [];
    const before = tf.memory().numTensors;
    const out = await runTraining({
      settings: {
        arch: 'cnn', epochs: 2, batchSize: 4, learningRate: 0.01, optimizer: 'sgd', momentum: 0.9, weightDecay: 5e-4, schedule: 'constant',
        seed: 3, trainLimit: 8, testLimit: 4, augment: false,
        watermark: WM_RUN,
      },
      dataset,
      normalization: NORM,
      control: new RunControl(),
      backend: () => backend,
      watermarkLive: live,
      liveLandscape: hub,
      onProgress: (p) => {
        reports.push(p);
        if (p.phase === 'training' && p.step === 1) live.set({ replicas: 1, sigma: 0.02 });
        if (p.phase === 'training' && p.step === 1 && lose) lose('destroyed (simulated)');
      },
      watchDevice: (onLost) => {
        lose = onLost;
        return () => {
          lose = null;
        };
      },
      switchBackend: async () => {
        backend = 'webgl';
        return 'webgl';
      },
    });
    try {
      const o = out.outcome;
      expect(o.cancelled).toBe(false);
      expect(o.steps).toBe(4);
      expect(o.backend).toBe('webgl');
      expect(o.deviceLoss).toEqual({ resumedFromStep: 0, from: 'webgpu', to: 'webgl', reason: 'destroyed (simulated)' });
      expect(o.watermark).toMatchObject({ method: 'watermas', ber: 0, errors: 0, bits: 32, frozenUnchanged: true, detected: true });
      // the same embedding on a twin model (same seed, same passphrase): the key values before any step
      const key = (out.methodKey as { key: WatermasKey }).key;
      const twin = createModel('cnn', { seed: 3, numClasses: 4, inputShape: [8, 8, 3] });
      const twinSession = (await startWatermarkSession(twin, WM_RUN, { seed: 3, trainSet: dataset.train, normalization: NORM, live: null })) as MethodSession;
      expect((twinSession.methodKey as { key: WatermasKey }).key.positions).toEqual(key.positions);
      const embedded = bitsOf(await readKeyValues(twin, key));
      twinSession.dispose();
      twin.dispose();
      expect(bitsOf(await readKeyValues(out.model, key))).toEqual(embedded);
      // the training reports restart at step 1 after the resume from step 0; the slider change queued at step 1 is in force
      const training = reports.filter((r) => r.phase === 'training');
      expect(training.map((r) => r.step)).toEqual([1, 1, 2, 3, 4]);
      for (const r of training) expect(r.watermark).toMatchObject({ ber: 0, frozenUnchanged: true });
      expect(training[training.length - 1].watermark?.settings).toMatchObject({ replicas: 1, sigma: 0.02 });
      // the live landscape followed the run: points after the resume, no error
      expect(events.filter((e) => e.kind === 'error')).toEqual([]);
      const points = events.flatMap((e) => (e.kind === 'point' ? [e.point.step] : []));
      expect(points).toEqual([0, 0, 2, 4]);
    } finally {
      out.model.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
