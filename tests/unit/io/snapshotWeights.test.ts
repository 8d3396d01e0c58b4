import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { saveModel, snapshotWeights } from '../../../src/engine/io/modelFile';
import { createModel } from '../../../src/engine/models/createModel';

// The Runs drawer saves a run in progress from a snapshot of its weights, read while the model
// trains on (issue 16: no read-back wait in a GPU training loop).
beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('snapshotWeights', () => {
  it('serialises the weights as they were when taken, whatever the model does next; dispose frees every copy', async () => {
    const model = createModel('cnn', { seed: 4, numClasses: 3, inputShape: [8, 8, 3], options: { width: 2, hidden: 6 } });
    const before = await saveModel(model);
    const n0 = tf.memory().numTensors;
    const snap = snapshotWeights(model);
    expect(tf.memory().numTensors).toBe(n0 + model.params.size + model.state.size);
    // the model moves on: every variable changes before the snapshot is read
    for (const v of [...model.params.values(), ...model.state.values()]) tf.tidy(() => v.assign(tf.add(v, tf.scalar(1))));
    const fromSnapshot = await saveModel(snap);
    expect(fromSnapshot.modelJson).toEqual(before.modelJson);
    expect(Buffer.from(fromSnapshot.weightData).equals(Buffer.from(before.weightData))).toBe(true);
    const now = await saveModel(model);
    expect(Buffer.from(now.weightData).equals(Buffer.from(before.weightData))).toBe(false);
    snap.dispose();
    expect(tf.memory().numTensors).toBe(n0);
    model.dispose();
  });
});
