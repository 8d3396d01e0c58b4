import * as tf from '@tensorflow/tfjs-core';
import { createModel } from '../src/engine/models/createModel';
import type { ArchName } from '../src/engine/models/types';
import { train } from '../src/engine/train/trainer';
import type { Objective } from '../src/engine/train/types';
import { setupNodeBackend, NODE_BACKEND_CHOICES, type NodeBackendChoice } from '../src/cli/nodeBackend';
import { fixedBatchSource } from './fixedSource';

/**
 * Node benchmarks: ms per training step and img/s per backend, model and batch size, and
 * tf.memory().numTensors before/after a long run. Prints one JSON document on stdout.
 * Options (env): BENCH_STEPS (timed steps, default 3), BENCH_LEAK_STEPS (default 200),
 * BENCH_BACKENDS (comma list), BENCH_MODELS, BENCH_BATCHES.
 */
interface StepRow {
  readonly backend: string;
  readonly model: ArchName;
  readonly batch: number;
  readonly objective: string;
  readonly msPerStep: number;
  readonly imagesPerSecond: number;
  readonly timedSteps: number;
}

const env = (k: string) => process.env[k];
const list = (k: string, d: string) => (env(k) ?? d).split(',').map((s) => s.trim()).filter(Boolean);

async function timeSteps(arch: ArchName, batch: number, steps: number, makeObjective?: (m: ReturnType<typeof createModel>) => Objective): Promise<{ msPerStep: number }> {
  const model = createModel(arch, { seed: 1 });
  const source = fixedBatchSource(batch, steps + 1);
  const ms: number[] = [];
  try {
    const objective = makeObjective?.(model);
    await train(model, source, { epochs: 1, lr: 0.01, optimizer: 'sgd', momentum: 0.9, weightDecay: 5e-4, logEvery: 1 }, {
      objective,
      onProgress: (p) => {
        ms.push(p.msPerStep);
      },
    });
  } finally {
    source.dispose();
    model.dispose();
  }
  const timed = ms.slice(1); // the first step compiles kernels / warms caches
  return { msPerStep: timed.reduce((a, b) => a + b, 0) / timed.length };
}

export async function runNodeBench(): Promise<Record<string, unknown>> {
  const steps = Number(env('BENCH_STEPS') ?? 3);
  const leakSteps = Number(env('BENCH_LEAK_STEPS') ?? 200);
  const backends = list('BENCH_BACKENDS', NODE_BACKEND_CHOICES.filter((b) => b !== 'auto').join(',')) as NodeBackendChoice[];
  const models = list('BENCH_MODELS', 'cnn,resnet20') as ArchName[];
  const batches = list('BENCH_BATCHES', '64,128').map(Number);
  const rows: StepRow[] = [];
  const unavailable: { backend: string; reason: string }[] = [];
  let memory: Record<string, unknown> | null = null;
  for (const choice of backends) {
    let name: string;
    try {
      name = (await setupNodeBackend(choice, 'train')).name;
    } catch (e) {
      unavailable.push({ backend: choice, reason: (e as Error).message });
      continue;
    }
    for (const arch of models) {
      for (const batch of batches) {
        const { msPerStep } = await timeSteps(arch, batch, steps);
        rows.push({ backend: name, model: arch, batch, objective: 'cross-entropy', msPerStep, imagesPerSecond: (1000 * batch) / msPerStep, timedSteps: steps });
        process.stderr.write(`bench: ${name} ${arch} b${batch}: ${msPerStep.toFixed(1)} ms/step\n`);
      }
    }
  }
  // Tensor growth over a long run, on the last backend that worked, small CNN.
  if (leakSteps > 0 && rows.length > 0) {
    const before = tf.memory().numTensors;
    await timeSteps('cnn', 32, leakSteps);
    const after = tf.memory().numTensors;
    memory = { backend: tf.getBackend(), model: 'cnn', batch: 32, steps: leakSteps + 1, numTensorsBefore: before, numTensorsAfter: after };
  }
  return { machine: machine(), steps: rows, memory, unavailable };
}

function machine() {
  return { node: process.version, platform: process.platform, arch: process.arch, cpus: navigatorCpus(), date: new Date().toISOString() };
}

function navigatorCpus(): number | undefined {
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
}

const result = await runNodeBench();
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
