import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createModel, type BatchNormStats, type Model } from '../../../src/engine/models';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function snapshot(vars: ReadonlyMap<string, tf.Variable>): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (const [k, v] of vars) out.set(k, Array.from(await v.data()));
  return out;
}

/** Reads and disposes a tensor. */
async function read(t: tf.Tensor): Promise<number[]> {
  const d = Array.from(await t.data());
  t.dispose();
  return d;
}

const small = (): Model => createModel('resnet20', { seed: 3, inputShape: [8, 8, 3], options: { width: 4, blocksPerStage: 1 } });

describe('forward contract', () => {
  it('overrides change the output and leave the variables untouched', async () => {
    const model = small();
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const params0 = await snapshot(model.params);
    const state0 = await snapshot(model.state);
    const base = await read(model.forward(x, { training: false }));
    const name = 'stage2/block0/conv1/kernel';
    const v = model.params.get(name)!;
    const bumped = tf.tidy(() => tf.add(v, tf.randomNormal(v.shape, 0, 0.5, 'float32', 2)));
    const headBias = tf.fill([10], 3);
    const overrides = new Map<string, tf.Tensor>([[name, bumped], ['head/dense/bias', headBias]]);
    const over = await read(model.forward(x, { training: false, overrides }));
    const overTrain = await read(model.forward(x, { training: true, overrides }));
    expect(over).not.toEqual(base);
    expect(overTrain).not.toEqual(over);
    expect(await snapshot(model.params)).toEqual(params0);
    expect(await snapshot(model.state)).toEqual(state0);
    // an override equal to the variable gives the same output as none
    const same = new Map<string, tf.Tensor>([[name, tf.clone(v)]]);
    expect(await read(model.forward(x, { training: false, overrides: same }))).toEqual(Array.from(base));
    tf.dispose([x, bumped, headBias, ...same.values()]);
    model.dispose();
  });

  it('replica passes (training, no sink) leave BN moving stats untouched; sink + updateRunningStats moves them', async () => {
    const model = small();
    const x = tf.randomNormal([4, 8, 8, 3], 2, 3, 'float32', 1) as tf.Tensor4D;
    const state0 = await snapshot(model.state);
    const n0 = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) model.forward(x, { training: true }).dispose();
    expect(tf.memory().numTensors).toBe(n0);
    expect(await snapshot(model.state)).toEqual(state0);

    const sink: BatchNormStats[] = [];
    const logits = model.forward(x, { training: true, statsSink: sink });
    const bnLayers = model.stateInfo.filter((s) => s.role === 'bn-moving-mean').map((s) => s.name.replace(/\/moving_mean$/, ''));
    expect(sink.map((s) => s.layer).sort()).toEqual([...bnLayers].sort());
    expect(tf.memory().numTensors).toBe(n0 + 1 + 2 * sink.length);
    const stem = sink.find((s) => s.layer === 'stem/bn')!;
    const batchMean = Array.from(await stem.mean.data());
    const batchVar = Array.from(await stem.variance.data());
    model.updateRunningStats(sink, 0.9);
    expect(tf.memory().numTensors).toBe(n0 + 1); // the stats were disposed
    const mm = Array.from(await model.state.get('stem/bn/moving_mean')!.data());
    const mv = Array.from(await model.state.get('stem/bn/moving_variance')!.data());
    mm.forEach((m, i) => expect(m).toBeCloseTo(0.1 * batchMean[i], 6));
    mv.forEach((m, i) => expect(m).toBeCloseTo(0.9 + 0.1 * batchVar[i], 5));
    expect(await snapshot(model.state)).not.toEqual(state0);
    tf.dispose([x, logits]);
    model.dispose();
  });

  it('inference mode uses the moving statistics, training mode the batch statistics', async () => {
    const model = createModel('cnn', { seed: 2, inputShape: [8, 8, 3], options: { width: 4, hidden: 8 } });
    const x = tf.randomNormal([4, 8, 8, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const a = await read(model.forward(x, { training: false }));
    tf.tidy(() => {
      const mv = model.state.get('bn1/moving_variance')!;
      mv.assign(tf.mul(mv, 4));
    });
    const b = await read(model.forward(x, { training: false }));
    expect(b).not.toEqual(a);
    const t1 = await read(model.forward(x, { training: true }));
    tf.tidy(() => {
      const mv = model.state.get('bn1/moving_variance')!;
      mv.assign(tf.mul(mv, 4));
    });
    const t2 = await read(model.forward(x, { training: true }));
    expect(t2).toEqual(t1);
    expect(() => model.forward(x, { training: false, statsSink: [] })).toThrow(/training mode/);
    x.dispose();
    model.dispose();
  });
});
