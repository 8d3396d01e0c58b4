import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createModel } from '../../../src/engine/models';
import { RunControl, crossEntropyObjective, evaluate, train, type Objective, type TrainProgress } from '../../../src/engine/train';
import { makeSource } from './synthetic';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const tinyCnn = (seed = 1) =>
  createModel('cnn', { seed, numClasses: 4, inputShape: [8, 8, 3], options: { width: 4, hidden: 16 } });

describe('train', () => {
  it('lowers the loss on a small learnable set (cnn, sgd) and raises accuracy', async () => {
    const model = tinyCnn();
    const src = makeSource(64, 4, 8, 16);
    const before = await evaluate(model, src.epoch(0));
    const progress: TrainProgress[] = [];
    const epochs: number[] = [];
    const res = await train(
      model,
      src,
      { epochs: 8, optimizer: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 5e-4, logEvery: 4, schedule: { kind: 'cosine', warmupSteps: 2 } },
      { onProgress: (p) => void progress.push(p), onEpochEnd: (s) => void epochs.push(s.epoch) },
    );
    const after = await evaluate(model, src.epoch(0));
    expect(res.status).toBe('completed');
    expect(res.steps).toBe(32);
    expect(progress.map((p) => p.step)).toEqual([4, 8, 12, 16, 20, 24, 28, 32]);
    expect(epochs).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(progress[progress.length - 1].loss).toBeLessThan(progress[0].loss * 0.7);
    expect(after.loss).toBeLessThan(before.loss * 0.7);
    expect(after.accuracy).toBeGreaterThan(before.accuracy);
    expect(after.count).toBe(64);
    const last = progress[progress.length - 1];
    expect(last.totalSteps).toBe(32);
    expect(last.etaSeconds).toBe(0);
    expect(last.imagesPerSecond).toBeGreaterThan(0);
    expect(last.msPerStep).toBeGreaterThan(0);
    expect(last.accuracy).toBeGreaterThanOrEqual(0);
    expect(res.imagesPerSecond).toBeGreaterThan(0);
    expect(Number.isFinite(res.finalLoss)).toBe(true);
    model.dispose();
  });

  it('adam also trains; maxSteps stops mid-epoch', async () => {
    const model = tinyCnn(2);
    const src = makeSource(64, 4, 8, 16);
    const losses: number[] = [];
    const res = await train(model, src, { epochs: 10, optimizer: 'adam', lr: 3e-3, weightDecay: 1e-4, logEvery: 2, maxSteps: 14 }, {
      onProgress: (p) => void losses.push(p.loss),
    });
    expect(res.steps).toBe(14);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
    model.dispose();
  });

  it('does not grow the number of tensors across steps', async () => {
    const model = tinyCnn(3);
    const src = makeSource(32, 4, 8, 8);
    await train(model, src, { epochs: 1, optimizer: 'sgd', lr: 0.01, logEvery: 2 }); // warm-up
    const n0 = tf.memory().numTensors;
    await train(model, src, { epochs: 3, optimizer: 'sgd', lr: 0.01, momentum: 0.9, logEvery: 3 });
    expect(tf.memory().numTensors).toBe(n0);
    const frozen = new Map([['conv1/kernel', Int32Array.from([0, 5])]]);
    await train(model, src, { epochs: 2, optimizer: 'adam', lr: 0.001, weightDecay: 1e-3, logEvery: 1 }, { frozen });
    expect(tf.memory().numTensors).toBe(n0);
    await evaluate(model, src.epoch(0));
    expect(tf.memory().numTensors).toBe(n0);
    model.dispose();
  });

  it('pause, resume and cancel', async () => {
    const model = tinyCnn(4);
    const src = makeSource(32, 4, 8, 8);
    const control = new RunControl();
    const seen: number[] = [];
    let paused!: () => void;
    const pausedPromise = new Promise<void>((r) => (paused = r));
    const tStart = performance.now();
    const run = train(model, src, { epochs: 50, optimizer: 'sgd', lr: 0.01, logEvery: 1 }, {
      control,
      onProgress: (p) => {
        seen.push(p.step);
        if (p.step === 2) {
          control.pause();
          paused();
        }
        if (p.step === 5) control.cancel();
      },
    });
    await pausedPromise;
    await new Promise((r) => setTimeout(r, 200));
    // still paused: no step ran while paused
    expect(control.state).toBe('paused');
    expect(seen).toEqual([1, 2]);
    control.resume();
    const res = await run;
    expect(res.status).toBe('cancelled');
    expect(res.message).toMatch(/cancelled/);
    expect(res.steps).toBe(5);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    // the 200 ms pause is not counted as training time
    expect(res.seconds * 1000).toBeLessThan(performance.now() - tStart - 150);
    model.dispose();
  });

  it('a NaN loss stops training with status diverged', async () => {
    const model = tinyCnn(5);
    const src = makeSource(32, 4, 8, 8);
    const ce = crossEntropyObjective();
    const nanAfter3: Objective = {
      name: 'nan-after-3',
      computeGradients(m, batch, ctx) {
        const r = ce.computeGradients(m, batch, ctx);
        if (ctx.step < 3) return r;
        const loss = tf.mul(r.loss, NaN) as tf.Scalar;
        r.loss.dispose();
        return { ...r, loss };
      },
    };
    const n0 = tf.memory().numTensors;
    const res = await train(model, src, { epochs: 5, optimizer: 'sgd', lr: 0.01, logEvery: 2 }, { objective: nanAfter3 });
    expect(res.status).toBe('diverged');
    expect(res.steps).toBe(4);
    expect(res.message).toMatch(/diverged.*NaN.*step 4/);
    expect(tf.memory().numTensors).toBe(n0);
    model.dispose();
  });

  it('beforeStep sees every step in order; frozen positions stay bitwise unchanged in a run', async () => {
    const model = tinyCnn(6);
    const src = makeSource(32, 4, 8, 8);
    const steps: number[] = [];
    const frozen = new Map([
      ['conv2/kernel', Int32Array.from([0, 1, 2, 100, 143])],
      ['head/dense/kernel', Int32Array.from([3, 7])],
    ]);
    const res = await train(model, src, { epochs: 2, optimizer: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 1e-2, logEvery: 3 }, {
      frozen,
      beforeStep: (ctx) => void steps.push(ctx.step),
    });
    expect(steps).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(res.frozenUnchanged).toBe(true);
    model.dispose();
  });
});

describe('evaluate', () => {
  it('counts only real samples and honours maxBatches', async () => {
    const model = tinyCnn(7);
    const x = tf.randomNormal([4, 8, 8, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const y = tf.tensor1d([0, 1, 2, 3], 'int32');
    const logits = model.forward(x, { training: false });
    const ce = tf.tidy(() => tf.neg(tf.sum(tf.mul(tf.oneHot(y, 4), tf.logSoftmax(logits)), 1)));
    const perSample = Array.from(await ce.data());
    const pred = Array.from(await tf.argMax(logits, 1).data());
    const mk = (real: number) => ({ batch: { x: tf.clone(x), y: tf.clone(y) }, realCount: real });
    const r = await evaluate(model, [mk(4), mk(2)]);
    expect(r.count).toBe(6);
    const expectLoss = (perSample.reduce((a, b) => a + b, 0) + perSample[0] + perSample[1]) / 6;
    expect(r.loss).toBeCloseTo(expectLoss, 5);
    const correct = [0, 1, 2, 3].map((i) => (pred[i] === i ? 1 : 0));
    expect(r.accuracy).toBeCloseTo((correct.reduce((a: number, b) => a + b, 0) + correct[0] + correct[1]) / 6, 6);
    const first = await evaluate(model, [mk(4), mk(4), mk(4)], { maxBatches: 1 });
    expect(first.count).toBe(4);
    tf.dispose([x, y, logits, ce]);
    model.dispose();
  });
});
