import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportSafetensors } from '../../../src/engine/io/exportSafetensors';
import { createModel } from '../../../src/engine/models';
import { Rng } from '../../../src/engine/random/rng';

/** Debian's python3-torch (apt-get install python3-torch) at /usr/bin/python3; the test is skipped without it. */
const PYTHON = '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0;
if (!hasTorch) console.warn(`pytorchParity: skipped, ${PYTHON} has no torch (apt-get install python3-torch to run it)`);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe.skipIf(!hasTorch)('the PyTorch definition in scripts/pytorch/lab_models.py reproduces the lab\'s logits', () => {
  const zoo = [
    ['cnn', { width: 8, hidden: 16 }],
    ['resnet20', { width: 4, blocksPerStage: 2 }],
    ['vgg11', { widthMultiplier: 0.125, hidden: 16 }],
    ['mobilenetv3s', { widthMultiplier: 0.5, headWidth: 32 }],
    ['vit-tiny', { dim: 16, depth: 2, heads: 2 }],
  ] as const;
  for (const [arch, options] of zoo) {
    it(`${arch} with trained-looking BatchNorm statistics: logits equal to float32 rounding`, async () => {
      const model = createModel(arch, { seed: 7, options });
      // non-trivial BatchNorm state, so the epsilon and the running statistics matter
      const rng = new Rng(3);
      for (const [name, v] of model.state) {
        // variances 0.5–1.5: the 1e-3 epsilon shifts each BatchNorm by ~5e-4 (PyTorch's 1e-5 would fail the test), and
        // 11 MobileNet blocks of small variances would blow the logits up to 1e7, where float32 rounding alone is 1e-5
        const values = Float32Array.from({ length: v.size }, () => (name.endsWith('moving_variance') ? 0.5 + rng.float() : rng.normal() * 0.1));
        v.assign(tf.tensor(values, v.shape));
      }
      const dir = mkdtempSync(join(tmpdir(), 'pytorch-parity-'));
      writeFileSync(join(dir, 'model.safetensors'), await exportSafetensors(model, {}, 'pytorch'));
      const n = 4;
      const x = new Float32Array(n * 32 * 32 * 3);
      for (let i = 0; i < x.length; i++) x[i] = rng.normal();
      writeFileSync(join(dir, 'x.f32'), x);
      execFileSync(PYTHON, ['scripts/pytorch/lab_models.py', join(dir, 'model.safetensors'), join(dir, 'x.f32'), String(n), join(dir, 'y.f32')]);
      const theirs = new Float32Array(Uint8Array.from(readFileSync(join(dir, 'y.f32'))).buffer);
      const input = tf.tensor4d(x, [n, 32, 32, 3]);
      const y = model.forward(input, { training: false });
      const ours = (await y.data()) as Float32Array;
      tf.dispose([input, y]);
      expect(theirs.length).toBe(ours.length);
      let maxDiff = 0;
      for (let i = 0; i < ours.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ours[i] - theirs[i]));
      // float32 rounding only: relative to the largest logit (the random BatchNorm statistics make them large);
      // a wrong epsilon, padding or flatten order is off by 1e-3 and more
      const scale = Math.max(...Array.from(ours, Math.abs));
      expect(maxDiff / scale).toBeLessThan(2e-6);
      model.dispose();
    }, 60_000);
  }
});
