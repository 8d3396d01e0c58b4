import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { crossEntropy, runLandscape } from '../../../src/engine/landscape';
import { createTinyModel, randomBatch, snapshot } from '../../fixtures/tinyModel';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('runLandscape', () => {
  it('produces the CLI report (slices, 2-D grid, sharpness, eigen) without touching the model or leaking', async () => {
    const model = createTinyModel(1, { c1: 4, c2: 6 });
    const { x, y } = randomBatch(2, 8);
    const positions = [{ tensor: 'conv2/kernel', indices: [3, 9, 27, 81] }, { tensor: 'head/dense/kernel', indices: [0, 100] }];
    const before = await snapshot(model);
    const n0 = tf.memory().numTensors;
    const phases = new Set<string>();
    const r = await runLandscape({ model, batch: { x, y }, positions, seed: 3, radius: 0.5, grid: 5, dims: 2, sharpnessDirections: 1, eigen: { iters: 3 }, onProgress: (p) => phases.add(p.phase) });
    expect(r.alphas).toEqual([-0.5, -0.25, 0, 0.25, 0.5]);
    const l = tf.tidy(() => crossEntropy(model.forward(x, { training: false }), y));
    const own = (await l.data())[0];
    l.dispose();
    expect(r.lossKey[2]).toBeCloseTo(own, 6);
    expect(r.grid!.loss.length).toBe(5);
    expect(r.grid!.loss[2][2]).toBeCloseTo(own, 6);
    expect(r.grid!.loss.flat().every(Number.isFinite)).toBe(true);
    expect(Number.isFinite(r.sharpness.key) && Number.isFinite(r.eigen!.key) && Number.isFinite(r.eigen!.complement)).toBe(true);
    expect([...phases].sort()).toEqual(['grid', 'sharpness', 'slices']);
    expect(r.cancelled).toBe(false);
    expect(tf.memory().numTensors).toBe(n0);
    expect(await snapshot(model)).toEqual(before);
    tf.dispose([x, y]);
    model.dispose();
  });
});
