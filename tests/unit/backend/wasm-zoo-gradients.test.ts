import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '../../../src/engine/backend/register';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { ARCH_NAMES, createModel, type BatchNormStats } from '../../../src/engine/models';
import { maxScaledDiff, randn, wasmDistDir } from './helpers';

beforeAll(() => setWasmPaths(wasmDistDir()));

const BATCH = 2;
const SEED = Number(process.env.WMLAB_ZOO_SEED ?? 5);

/**
 * resnet20 has its own file (wasm-resnet20-step.test.ts): at batch 2 some seeds put a ReLU
 * pre-activation within float32 noise of its kink, which flips between backends and moves a
 * gradient by ~1e-3 (docs/wasm-training.md). That file checks every kernel in context and
 * the end-to-end step at a seed without such an element.
 */
const OWN_FILE = new Set(['resnet20']);

/** Loss and per-parameter gradients of one training-mode step of `arch`, on `backend`. */
async function zooGrads(arch: (typeof ARCH_NAMES)[number], backend: string): Promise<Map<string, Float32Array>> {
  await tf.setBackend(backend);
  // cnn at 16x16 keeps this file's cpu time down (its convolutions are the cpu backend's slowest).
  const model = createModel(arch, { seed: SEED, ...(arch === 'cnn' ? { inputShape: [16, 16, 3] as const } : {}) });
  const [h, w, c] = model.config.inputShape;
  const x = tf.tensor(randn(9, BATCH * h * w * c), [BATCH, h, w, c]) as tf.Tensor4D;
  const labels = tf.oneHot(tf.tensor1d([3, 7], 'int32'), model.config.numClasses);
  const names = model.paramInfo.map((p) => p.name);
  const vars = names.map((n) => model.params.get(n) as tf.Variable);
  const stats: BatchNormStats[] = [];
  const { value, grads } = tf.variableGrads(
    () => tf.losses.softmaxCrossEntropy(labels, model.forward(x, { training: true, statsSink: stats })) as tf.Scalar,
    vars,
  );
  const out = new Map<string, Float32Array>([['loss', (await value.data()) as Float32Array]]);
  for (let i = 0; i < vars.length; i++) out.set(names[i], (await grads[vars[i].name].data()) as Float32Array);
  tf.dispose([value, x, labels, ...Object.values(grads)]);
  for (const s of stats) tf.dispose([s.mean, s.variance]);
  model.dispose();
  return out;
}

describe('every zoo model: one training step on wasm matches cpu gradients', () => {
  test.each(ARCH_NAMES.filter((a) => !OWN_FILE.has(a)))('%s', async (arch) => {
    const onWasm = await zooGrads(arch, 'wasm');
    const onCpu = await zooGrads(arch, 'cpu');
    expect([...onWasm.keys()]).toEqual([...onCpu.keys()]);
    let worst = 0;
    let worstName = '';
    for (const [name, ref] of onCpu) {
      const d = maxScaledDiff(onWasm.get(name) as Float32Array, ref);
      if (d > worst) [worst, worstName] = [d, name];
    }
    expect(worst, `worst: ${worstName}`).toBeLessThan(1e-4);
  });
});
