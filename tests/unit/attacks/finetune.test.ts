import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { disposeWeights, runAttack, trainerFineTune } from '../../../src/engine/attacks';
import { createModel } from '../../../src/engine/models';
import { arrayBatchSource } from '../../../src/engine/train';
import { Rng } from '../../../src/engine/random/rng';
import { bits, snapshot } from '../../fixtures/tinyModel';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('fine-tuning through the lab trainer', () => {
  it('FTLL changes only the last layer, FTAL changes all; the original stays bitwise', async () => {
    const model = createModel('cnn', { seed: 3, inputShape: [8, 8, 3], options: { width: 4, hidden: 8 } });
    const rng = new Rng(1);
    const images = rng.fillNormal(new Float32Array(32 * 8 * 8 * 3));
    const labels = Int32Array.from({ length: 32 }, () => rng.int(10));
    const source = arrayBatchSource(images, labels, [8, 8, 3], 16);
    const before = await snapshot(model);
    const n0 = tf.memory().numTensors;
    for (const mode of ['FTLL', 'FTAL'] as const) {
      const w = await runAttack('finetune', model, 1, { seed: 2, fineTune: trainerFineTune({ mode, source, lr: 0.05 }) });
      for (const p of model.paramInfo) {
        const a = await bits(w.get(p.name)!);
        const changed = a.some((v, i) => v !== before.get(p.name)![i]);
        const isHead = p.name.startsWith('head/');
        if (mode === 'FTLL') expect(changed, `${mode} ${p.name}`).toBe(isHead);
        else if (p.role === 'conv-kernel' || p.role === 'dense-kernel') expect(changed, `${mode} ${p.name}`).toBe(true);
      }
      // training moved the BN running statistics of the copy, and they are part of the result
      const mm = await bits(w.get('bn1/moving_mean')!);
      expect(mm.some((v, i) => v !== before.get('bn1/moving_mean')![i])).toBe(true);
      disposeWeights(w);
    }
    expect(await snapshot(model)).toEqual(before);
    expect(tf.memory().numTensors).toBe(n0);
    model.dispose();
  });

  it('a cancelled fine-tune throws and leaks nothing', async () => {
    const model = createModel('cnn', { seed: 4, inputShape: [8, 8, 3], options: { width: 4, hidden: 8 } });
    const rng = new Rng(2);
    const source = arrayBatchSource(rng.fillNormal(new Float32Array(32 * 192)), Int32Array.from({ length: 32 }, () => rng.int(10)), [8, 8, 3], 8);
    const n0 = tf.memory().numTensors;
    const deps = { ...trainerFineTune({ mode: 'FTAL', source }), signal: { aborted: true } };
    await expect(runAttack('finetune', model, 3, { seed: 1, fineTune: deps })).rejects.toThrow(/cancelled/);
    expect(tf.memory().numTensors).toBe(n0);
    model.dispose();
  });
});
