import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createModel } from '../../../src/engine/models';
import type { Model } from '../../../src/engine/models/types';
import { ModelCheckpoint, RunControl, train, type TrainProgress as EngineProgress } from '../../../src/engine/train';
import { arrayBatchSource } from '../../../src/engine/train/arraySource';
import { Rng } from '../../../src/engine/random/rng';
import type { TrainProgress, WatermasMarkConfig } from '../../../src/protocol/api';
import { LiveWatermarkSettings, startWatermark } from '../../../src/engine/methods/watermas/session';
import { SessionLive, divergenceOf, keyWithObjectiveChanges, trainWithDeviceFallback, validateSlowMotion, withSession, withSessionProgress } from '../../../src/engine/run';
import { describeLiveChanges, settingsInForce } from '../../../src/workers/training/liveChanges';
import { autoRunName } from '../../../src/workers/runs/runRecord';
import { objectiveInForce, parseKeyFile, serializeKey } from '../../../src/engine/watermark';

const MARK: WatermasMarkConfig = {
  method: 'watermas',
  payload: { kind: 'random', bits: 16 },
  strength: 0.5,
  key: { kind: 'random' },
  replicas: 1,
  sigma: 0.01,
  lambda: 0.5,
  mode: 'gaussian',
  rho: 0.05,
  margin: 0.5,
};

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const tinyCnn = (seed: number) => createModel('cnn', { seed, numClasses: 4, inputShape: [8, 8, 3], options: { width: 4, hidden: 16 } });

function source(n: number, batch: number) {
  const rng = new Rng(7);
  const images = Float32Array.from({ length: n * 8 * 8 * 3 }, () => rng.normal());
  const labels = Int32Array.from({ length: n }, (_, i) => i % 4);
  return arrayBatchSource(images, labels, [8, 8, 3], batch);
}

/** As the worker would send it (only the fields the session reads matter). */
const asApiProgress = (p: EngineProgress): TrainProgress => ({
  phase: 'training', step: p.step, totalSteps: p.totalSteps, epoch: p.epoch + 1, epochs: 1, loss: p.loss, accuracy: p.accuracy,
  learningRate: p.lr, imagesPerSecond: null, etaSeconds: null, elapsedSeconds: 0,
});

describe('training session (worker): live changes', () => {
  it('R and learning-rate changes apply at the next step and are reported with that step; the live state shows them', async () => {
    const model = tinyCnn(2);
    const live = new LiveWatermarkSettings();
    const wm = await startWatermark(model, MARK, 3, live);
    const session = new SessionLive(0.05);
    const control = new RunControl();
    const replicaPasses: [number, number][] = [];
    const reports: TrainProgress[] = [];
    const states: ReturnType<SessionLive['state']>[] = [];
    const checkpoint = new ModelCheckpoint('device');
    const hooks = withSession(session, checkpoint, {
      ...wm.trainHooks(),
      control,
      onProgress: (p) => {
        reports.push(withSessionProgress(asApiProgress(p), session));
        states.push(session.state({ paused: false, slowMotionMs: 0 }));
        if (p.step === 2) {
          // the "slider" moves after step 2: R 1 -> 3, lr 0.05 -> 0.01
          live.set({ replicas: 3 });
          session.setLearningRate(0.01);
        }
      },
    });
    const inner = hooks.onPhase!;
    const res = await train(model, source(32, 8), { epochs: 1, lr: 0.05, optimizer: 'sgd', momentum: 0.9, logEvery: 1 }, {
      ...hooks,
      onPhase: (ph, ctx) => {
        if (ph.kind === 'replica' && ph.index === 0) replicaPasses.push([ctx.step, ph.of]);
        inner(ph, ctx);
      },
    });
    expect(res.status).toBe('completed');
    // 0-based steps 0 and 1 ran with R = 1, steps 2 and 3 with R = 3
    expect(replicaPasses).toEqual([[0, 1], [1, 1], [2, 3], [3, 3]]);
    expect(reports.map((r) => r.learningRate)).toEqual([0.05, 0.05, 0.01, 0.01]);
    const last = reports[reports.length - 1];
    expect(last.settingsChanges).toEqual([{ step: 2, changes: { learningRate: 0.01, replicas: 3 } }]);
    expect(reports[1].settingsChanges).toEqual([]);
    expect(last.stepPhases).toEqual([{ kind: 'clean' }, { kind: 'replica', index: 0, of: 3 }, { kind: 'replica', index: 1, of: 3 }, { kind: 'replica', index: 2, of: 3 }, { kind: 'update' }]);
    expect(states[1]).toMatchObject({ step: 2, replicas: 1, learningRate: 0.05, sigma: 0.01, lambda: 0.5, margin: 0.5 });
    expect(states[2]).toMatchObject({ step: 3, replicas: 3, learningRate: 0.01 });
    // The key records the objective's change (not the learning rate) and reads back with it.
    const key = keyWithObjectiveChanges(wm.key, session.changes());
    expect(key.objective.replicas).toBe(1);
    expect(key.objectiveChanges).toEqual([{ step: 2, changes: { replicas: 3 } }]);
    expect(objectiveInForce(key)).toMatchObject({ replicas: 3, sigma: 0.01, lambda: 0.5 });
    expect(parseKeyFile(serializeKey(key)).objectiveChanges).toEqual(key.objectiveChanges);
    expect(keyWithObjectiveChanges(wm.key, [{ step: 1, changes: { learningRate: 0.1 } }])).toBe(wm.key);
    expect(keyWithObjectiveChanges(wm.key, [{ step: 1, changes: { margin: Infinity } }]).objectiveChanges).toEqual([{ step: 1, changes: { margin: null } }]);
    // The run's name and settings in force say what it ended with.
    const settings = { arch: 'cnn', epochs: 1, batchSize: 8, learningRate: 0.05, optimizer: 'sgd' as const, momentum: 0.9, weightDecay: 0, schedule: 'constant' as const, seed: 1, trainLimit: 32, testLimit: 8, augment: false, watermark: MARK };
    expect(settingsInForce(settings, session.changes())).toMatchObject({ learningRate: 0.01, watermark: { replicas: 3, sigma: 0.01 } });
    expect(describeLiveChanges(settings, session.changes())).toBe('lr 0.05→0.01, R 1→3');
    expect(autoRunName(settings, 'watermas', new Date(2026, 11, 6, 9, 5), session.changes())).toBe('cnn · WaterMAS R=1 · live lr 0.05→0.01, R 1→3 · 09:05');
    expect(describeLiveChanges(settings, [{ step: 1, changes: { replicas: 3 } }, { step: 2, changes: { replicas: 1 } }])).toBe('');
    expect(() => session.setLearningRate(-1)).toThrow(/learning rate/);
    expect(() => validateSlowMotion(1e6)).toThrow(/slow-motion/);
    checkpoint.dispose();
    wm.dispose();
    model.dispose();
  });

  it('a forced NaN (huge λ, unbounded, huge learning rate) ends on the checkpoint with the panel message', async () => {
    const model = tinyCnn(4);
    const wm = await startWatermark(model, { ...MARK, replicas: 2, lambda: 4, margin: Infinity, sigma: 0.05 }, 3, null);
    const checkpoint = new ModelCheckpoint('device');
    const res = await train(model, source(32, 16), { epochs: 30, lr: 1e4, optimizer: 'sgd', momentum: 0.9, logEvery: 1, checkpointEvery: 1 }, withSession(new SessionLive(1e4), checkpoint, { ...wm.trainHooks() }));
    const d = divergenceOf(res);
    expect(d).not.toBeNull();
    expect(d!.checkpointStep).toBe(checkpoint.step);
    expect(d!.message).toMatch(new RegExp(`^The (loss diverged|weights became non-finite) (at|by) step ${d!.step}.*Training stopped; the model is the last good checkpoint from step ${d!.checkpointStep}\\.$`));
    for (const v of model.params.values()) for (const x of await v.data()) expect(Number.isFinite(x)).toBe(true);
    // the watermark survives the restore
    const p = await wm.progress({});
    expect(p.ber).toBe(0);
    expect(p.frozenUnchanged).toBe(true);
    checkpoint.dispose();
    wm.dispose();
    model.dispose();
  });
});

describe('training session (worker): lost device', () => {
  const readAll = async (m: Model) => Promise.all([...m.params.values(), ...m.state.values()].map(async (v) => Array.from(await v.data())));

  it('resumes from the host checkpoint on the fallback backend and ends where an uninterrupted run ends', async () => {
    const src = source(32, 8);
    const config = { epochs: 3, lr: 0.05, optimizer: 'sgd' as const, momentum: 0, logEvery: 1, checkpointEvery: 5 };
    const reference = tinyCnn(5);
    await train(reference, src, config);

    const first = tinyCnn(5);
    const checkpoint = new ModelCheckpoint('host', { hostEveryMs: 0 }); // mirrored at every adopted copy
    let lose: ((reason: string) => void) | null = null;
    const switched: string[] = [];
    const segments: number[] = [];
    const out = await trainWithDeviceFallback({
      model: first,
      checkpoint,
      train: (m, startStep, interrupt) => {
        segments.push(startStep);
        return train(m, src, { ...config, startStep }, {
          checkpoint,
          interrupt,
          onProgress: (p) => {
            if (p.step === 7 && lose) lose('destroyed (simulated)'); // after the step-5 checkpoint
          },
        });
      },
      watch: (onLost) => {
        lose = onLost;
        return () => {
          lose = null;
        };
      },
      switchBackend: async (reason) => {
        switched.push(reason);
        await tf.setBackend('cpu');
        return 'cpu';
      },
      rebuild: () => tinyCnn(77),
      cannotMove: null,
      backendName: () => 'webgpu',
    });
    expect(switched).toEqual(['destroyed (simulated)']);
    expect(segments).toEqual([0, 5]);
    expect(out.deviceLoss).toEqual({ resumedFromStep: 5, from: 'webgpu', to: 'cpu', reason: 'destroyed (simulated)' });
    expect(out.model).not.toBe(first);
    expect(first.params.get('conv1/kernel')!.isDisposed).toBe(true);
    expect(out.result.status).toBe('completed');
    expect(out.result.steps).toBe(12);
    expect(await readAll(out.model)).toEqual(await readAll(reference));
    checkpoint.dispose();
    out.model.dispose();
    reference.dispose();
  });

  it('a run that cannot move (watermark state) switches backend, then stops with a clear message; a failing segment without a loss rethrows', async () => {
    const src = source(16, 8);
    const checkpoint = new ModelCheckpoint('host');
    const model = tinyCnn(6);
    const switches: string[] = [];
    await expect(
      trainWithDeviceFallback({
        model,
        checkpoint,
        train: (m, startStep, interrupt) => train(m, src, { epochs: 1, lr: 0.01, optimizer: 'sgd', logEvery: 1, startStep }, { checkpoint, interrupt }),
        watch: (onLost) => {
          onLost('gone');
          return () => undefined;
        },
        switchBackend: async (reason) => {
          switches.push(reason);
          return 'cpu';
        },
        rebuild: () => tinyCnn(6),
        cannotMove: 'a watermarked run cannot move its watermark state to another backend mid-run',
        backendName: () => 'webgpu',
      }),
    ).rejects.toThrow(/The GPU device was lost \(gone\); a watermarked run cannot move .* The lab now uses cpu: start the run again\./);
    expect(switches).toEqual(['gone']);
    const fresh = tinyCnn(6);
    await expect(
      trainWithDeviceFallback({
        model: fresh,
        checkpoint,
        train: async () => {
          throw new Error('boom');
        },
        watch: () => () => undefined,
        switchBackend: async () => 'cpu',
        rebuild: () => tinyCnn(6),
        cannotMove: null,
        backendName: () => 'cpu',
      }),
    ).rejects.toThrow('boom');
    expect(fresh.params.get('conv1/kernel')!.isDisposed).toBe(false);
    checkpoint.dispose();
    fresh.dispose();
    model.dispose();
  });
});
