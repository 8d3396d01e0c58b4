import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import '../../../src/engine/backend/register';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createModel, type BatchNormStats } from '../../../src/engine/models';
import { maxScaledDiff, randn, wasmDistDir } from './helpers';

/**
 * ResNet-20 (zoo) training step, wasm vs cpu. See docs/wasm-training.md ("ResNet-20 at
 * batch 2"): the end-to-end gradients of the two backends can differ by ~1e-3 for some
 * seeds, and that is NOT a kernel error. Every kernel agrees with cpu in context (test 1
 * below); the difference comes from a ReLU whose pre-activation lies within float32 noise of
 * its kink (seed 7: float64 value -3.3e-6, wasm +2.0e-6, cpu -3.6e-6 on a tensor of scale 10)
 * and flips, which reroutes one gradient entry (a batch-2 step weighs it by 1/2). Seed 6 has
 * no such element, so there the end-to-end comparison is well-conditioned and must hold at
 * the tolerance; the test also checks that no ReLU changed sides, so a future change
 * of the initialisation that lands on a kink fails with that diagnosis, not a vague diff.
 */
const SEED = 6;
const BATCH = 2;
/** 16x16 inputs (as the zoo file does for cnn) keep the cpu side of this file near 10 s. */
const SIZE = 16;
const TOL = 1e-4;

beforeAll(() => setWasmPaths(wasmDistDir()));

type RunKernel = (name: string, inputs: Record<string, tf.Tensor>, attrs: unknown) => tf.Tensor | tf.Tensor[];
interface HookableEngine {
  runKernel: RunKernel;
}

/** Runs `f` with every engine kernel call passed to `spy` (inputs and outputs), then restores. */
function withKernelSpy<T>(spy: (name: string, inputs: Record<string, tf.Tensor>, attrs: unknown, outs: tf.Tensor[]) => void, f: () => T): T {
  const engine = tf.engine() as unknown as HookableEngine;
  const original = engine.runKernel;
  engine.runKernel = (name, inputs, attrs) => {
    const out = original.call(engine, name, inputs, attrs);
    spy(name, inputs, attrs, Array.isArray(out) ? out : [out]);
    return out;
  };
  try {
    return f();
  } finally {
    engine.runKernel = original;
  }
}

/** Loss and gradients of one training-mode step; `spy` sees every kernel of forward and backward. */
async function resnetStep(
  backend: string,
  spy: Parameters<typeof withKernelSpy>[0],
): Promise<Map<string, Float32Array>> {
  await tf.setBackend(backend);
  const model = createModel('resnet20', { seed: SEED, inputShape: [SIZE, SIZE, 3] });
  const x = tf.tensor(randn(9, BATCH * SIZE * SIZE * 3), [BATCH, SIZE, SIZE, 3]) as tf.Tensor4D;
  const labels = tf.oneHot(tf.tensor1d([3, 7], 'int32'), 10);
  const names = model.paramInfo.map((p) => p.name);
  const vars = names.map((n) => model.params.get(n) as tf.Variable);
  const stats: BatchNormStats[] = [];
  const { value, grads } = withKernelSpy(spy, () =>
    tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, model.forward(x, { training: true, statsSink: stats })) as tf.Scalar, vars),
  );
  const out = new Map<string, Float32Array>([['loss', (await value.data()) as Float32Array]]);
  for (let i = 0; i < vars.length; i++) out.set(names[i], (await grads[vars[i].name].data()) as Float32Array);
  tf.dispose([value, x, labels, ...Object.values(grads)]);
  for (const s of stats) tf.dispose([s.mean, s.variance]);
  model.dispose();
  return out;
}

/** Runs kernel `name` on the cpu backend directly (no engine, no tape) on copies of `inputs`. */
function runOnCpu(name: string, inputs: Record<string, tf.Tensor>, attrs: unknown): Array<Float32Array | Int32Array> {
  const cpu = tf.engine().findBackend('cpu') as KernelBackend;
  const kernel = tf.getKernel(name, 'cpu');
  if (kernel == null) throw new Error(`no cpu kernel ${name}`);
  const infos: Record<string, TensorInfo> = {};
  for (const [k, t] of Object.entries(inputs)) {
    if (t == null) continue;
    infos[k] = { dataId: cpu.write(t.dataSync().slice(), t.shape, t.dtype), shape: t.shape, dtype: t.dtype };
  }
  const out = kernel.kernelFunc({ inputs: infos, backend: cpu, attrs: attrs as NamedAttrMap });
  const list = Array.isArray(out) ? out : [out];
  const values = list.map((o) => (cpu.readSync(o.dataId) as Float32Array | Int32Array).slice());
  for (const o of list) cpu.disposeData(o.dataId);
  for (const i of Object.values(infos)) cpu.disposeData(i.dataId);
  return values;
}

describe('resnet20 training step on wasm', () => {
  test('every kernel of the step, replayed on cpu with the same inputs, agrees; gradients agree end to end', async () => {
    const cpuBackend = tf.engine().findBackend('cpu');
    expect(cpuBackend).not.toBeNull();
    // 1. In context: each kernel call of the wasm step (forward and backward, ~1800 calls,
    //    our training kernels included) against the cpu kernel on the very same inputs.
    const worstPerKernel = new Map<string, { d: number; shape: number[] }>();
    const wasmReluInputs: Float32Array[] = [];
    const onWasm = await resnetStep('wasm', (name, inputs, attrs, outs) => {
      if (name === 'Relu') wasmReluInputs.push(inputs.x.dataSync() as Float32Array);
      const ref = runOnCpu(name, inputs, attrs);
      outs.forEach((o, j) => {
        const d = maxScaledDiff(Float32Array.from(o.dataSync()), Float32Array.from(ref[j]));
        const prev = worstPerKernel.get(name);
        if (prev == null || d > prev.d) worstPerKernel.set(name, { d, shape: o.shape });
      });
    });
    for (const k of ['Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'Relu', 'LabReluGrad', 'LabBatchNormTrain', 'LabBatchNormTrainGrad']) {
      expect(worstPerKernel.has(k), `${k} is part of the step`).toBe(true);
    }
    for (const [k, { d, shape }] of worstPerKernel) expect(d, `${k} [${shape}]`).toBeLessThan(TOL);

    // 2. End to end (cpu computes its own forward): no ReLU pre-activation changed sides...
    const cpuReluInputs: Float32Array[] = [];
    const onCpu = await resnetStep('cpu', (name, inputs) => {
      if (name === 'Relu') cpuReluInputs.push(inputs.x.dataSync() as Float32Array);
    });
    expect(cpuReluInputs.length).toBe(19);
    expect(wasmReluInputs.length).toBe(19);
    cpuReluInputs.forEach((c, layer) => {
      const w = wasmReluInputs[layer];
      const flips = c.reduce((n, v, i) => n + ((v > 0) !== (w[i] > 0) ? 1 : 0), 0);
      expect(flips, `ReLU ${layer}: pre-activations within float32 noise of 0 changed sides (a kink, see docs/wasm-training.md); pick another seed`).toBe(0);
    });
    // ...so the step is well-conditioned and loss and every gradient agree.
    expect([...onWasm.keys()]).toEqual([...onCpu.keys()]);
    let worst = 0;
    let worstName = '';
    for (const [name, ref] of onCpu) {
      const d = maxScaledDiff(onWasm.get(name) as Float32Array, ref);
      if (d > worst) [worst, worstName] = [d, name];
    }
    expect(worst, `worst: ${worstName}`).toBeLessThan(TOL);
  }, 300_000);
});
