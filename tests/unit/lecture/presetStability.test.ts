/**
 * Stable defaults (issue 20): the settings every lecture preset starts with lower the loss from
 * the first steps, on real CIFAR-10 and through the browser's own training run (runTraining, wasm
 * as in the lab's CPU fallback): no step of the first 8 has a loss above 3× the first one.
 * Before the default learning-rate warm-up, lr 0.05 with momentum 0.9 sent the loss to 4–6× its
 * first value by step 4 and the runs never recovered (docs/experiments/warmup.md).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '../../../src/engine/backend/register';
import { initBackend } from '../../../src/engine/backend/ladder';
import { normalizationFor } from '../../../src/engine/data/normalize';
import { loadCifar10 } from '../../../src/engine/data/sources';
import type { Dataset } from '../../../src/engine/data/types';
import type { TrainSettings } from '../../../src/protocol/api';
import { RunControl } from '../../../src/engine/train';
import { nodeDataFs } from '../../../src/cli/nodeFs';
import { PRESETS } from '../../../src/ui/lecture/presets';
import { runTraining } from '../../../src/workers/training/trainRun';
import { REAL_CIFAR_DIR, hasRealCifar } from '../data/helpers';
import { wasmDistDir } from '../backend/helpers';

const STEPS = 8;
const MAX_RISE = 3;
/** The presets draw a random key; the test uses one fixed key so that a run is the same every time. */
const FIXED_KEY = { kind: 'passphrase', passphrase: 'preset stability' } as const;
const withFixedKey = (w: TrainSettings['watermark']): Pick<TrainSettings, 'watermark'> => (w && 'key' in w ? { watermark: { ...w, key: FIXED_KEY } } : {});

/** Presets that train with the same settings are checked once. */
const distinct = PRESETS.filter((p, i) => PRESETS.findIndex((q) => JSON.stringify(q.settings) === JSON.stringify(p.settings)) === i);

describe.skipIf(!hasRealCifar)('lecture presets: the default settings do not spike (real CIFAR-10)', () => {
  let dataset: Dataset;
  beforeAll(async () => {
    await initBackend({ preference: ['wasm'], wasmPaths: wasmDistDir() });
    const trainLimit = Math.max(...distinct.map((p) => p.settings.trainLimit));
    dataset = await loadCifar10(nodeDataFs, REAL_CIFAR_DIR, { trainLimit, testLimit: 64 });
  }, 120_000);

  for (const preset of distinct) {
    it(`${preset.id}: the first ${STEPS} losses stay within ${MAX_RISE}x the first`, async () => {
      const control = new RunControl();
      const losses: number[] = [];
      const { model } = await runTraining({
        // the preset's settings; few test images (the loss curve is the point, not the accuracy)
        settings: { ...preset.settings, testLimit: 64, ...withFixedKey(preset.settings.watermark) },
        dataset,
        normalization: normalizationFor(dataset),
        control,
        backend: () => tf.getBackend(),
        onProgress: (p) => {
          if (p.phase !== 'training' || p.loss === null) return;
          losses[p.step - 1] = p.loss;
          if (p.step >= STEPS) control.cancel();
        },
      });
      model.dispose();
      const seen = losses.slice(0, STEPS);
      expect(seen.filter((l) => l !== undefined), 'a loss for every one of the first steps').toHaveLength(STEPS);
      const worst = Math.max(...seen);
      expect(worst, `losses ${seen.map((l) => l.toFixed(2)).join(' ')}`).toBeLessThanOrEqual(MAX_RISE * seen[0]!);
    }, 240_000);
  }
});
