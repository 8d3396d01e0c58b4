import * as tf from '@tensorflow/tfjs-core';
import { generateSynthetic } from '../src/engine/data/synthetic';
import { normalizationFor } from '../src/engine/data/normalize';
import { createModel } from '../src/engine/models/createModel';
import { RunControl } from '../src/engine/train';
import { embedWatermark } from '../src/engine/watermark';
import { runAttackSweepOn } from '../src/workers/attack/attackRun';

/**
 * The attack suite's cost as the lab pays it: the worker's own sweep runner (`runAttackSweepOn`,
 * the code behind the Attack panel) on ResNet-20 with a 2,048-bit WaterMAS key, 4 attacks x 6
 * strengths, each point = attacked copy + test accuracy on `testImages` images + key read-out.
 * Fine-tuning is left out: its cost is training (see the `steps` rows), not the sweep.
 * Synthetic images (the accuracy values are meaningless; the time is what is measured).
 */
const SWEEPS: readonly { attack: string; strengths: number[] }[] = [
  { attack: 'noise', strengths: [0, 0.5, 1, 2, 7, 10] },
  { attack: 'prune', strengths: [0, 0.5, 0.91, 0.95, 0.98, 0.99] },
  { attack: 'prune-global', strengths: [0, 0.5, 0.91, 0.95, 0.98, 0.99] },
  { attack: 'quantize', strengths: [16, 8, 6, 4, 3, 2] },
];

export async function benchAttackSweep(backend: string, testImages: number, log: (s: string) => void): Promise<Record<string, unknown>> {
  const before = tf.memory().numTensors;
  const dataset = generateSynthetic({ seed: 0, trainCount: 1, testCount: testImages });
  const model = createModel('resnet20', { seed: 1 });
  const control = new RunControl();
  const perAttack: Record<string, unknown>[] = [];
  let total = 0;
  try {
    const { key } = await embedWatermark(model, { seed: new Uint8Array(32).fill(3), payload: { kind: 'random-bits', count: 2048 } });
    for (const s of SWEEPS) {
      const out = await runAttackSweepOn({
        model, key, dataset, normalization: normalizationFor(dataset), control, backend: () => backend,
        settings: { attack: s.attack, strengths: s.strengths, testLimit: testImages, seed: 1 },
        onPoint: () => {},
      });
      total += out.seconds;
      const zero = out.points.find((p) => p.strength === (s.attack === 'quantize' ? 16 : 0));
      perAttack.push({ attack: s.attack, strengths: s.strengths.length, seconds: out.seconds, berAtNoAttack: zero?.ber ?? null });
      log(`${backend} attack sweep ${s.attack}: ${out.seconds.toFixed(1)} s for ${s.strengths.length} strengths on ${testImages} images`);
    }
  } finally {
    model.dispose();
  }
  return {
    backend, model: 'resnet20', keyBits: 2048, attacks: SWEEPS.length, strengthsPerAttack: 6, testImages,
    seconds: total, secondsPerPoint: total / (SWEEPS.length * 6), perAttack,
    numTensorsBefore: before, numTensorsAfter: tf.memory().numTensors,
  };
}
