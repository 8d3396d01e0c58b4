import * as tf from '@tensorflow/tfjs-core';
import { createModel } from '../src/engine/models/createModel';
import type { ArchName, Model } from '../src/engine/models/types';
import { train } from '../src/engine/train/trainer';
import type { FrozenPositions, Objective } from '../src/engine/train/types';
import { createWaterMASObjective, DEFAULT_WATERMAS_SETTINGS, embedWatermark, REPLICA_BATCH_MODES, type Balance, type ReplicaBatch, type WaterMASSettings } from '../src/engine/watermark';
import { setupNodeBackend, type NodeBackendChoice } from '../src/cli/nodeBackend';
import { fixedBatchSource } from './fixedSource';
import { benchAttackSweep } from './attackSweepBench';
import { benchLandscapeGrid } from './landscapeBench';
import { benchLiveLandscape } from './liveLandscapeBench';
import { benchTrainingCompare } from './trainingCompareBench';

/**
 * Node benchmarks, one JSON document on stdout (progress on stderr):
 * - `steps`: ms per training step and img/s per backend x model x batch (cross-entropy);
 * - `watermas`: WaterMAS step time for R = 0, 1, 2, 4 next to the plain step timed just before it
 *   (`plainMsPerStep`, `ratioToPlain`), with each replica
 *   on the whole batch ('full'), on its slice ('split') and on a slice of its half ('half'), and
 *   the ratio to the passes the objective needs (replicaPasses); R = 4 sign flips with each balance;
 * - `memory`: tf.memory().numTensors before/after a long run.
 * Environment knobs: BENCH_BACKENDS (default wasm; add cpu for the cpu rows: a ResNet-20
 * step takes minutes there), BENCH_MODELS (cnn,resnet20), BENCH_BATCHES (64,128),
 * BENCH_STEPS (timed steps, default 3), BENCH_WATERMAS_R (0,1,2,4), BENCH_WATERMAS_BATCH (full,split,half), BENCH_LEAK_STEPS (200),
 * BENCH_ATTACK_IMAGES (test images of the 4-attack x 6-strength sweep, default 2000; 0 = skip),
 * BENCH_LANDSCAPE_GRID (2-D landscape grid per axis on BENCH_LANDSCAPE_IMAGES = 512 images,
 * default 21; 0 = skip), BENCH_COMPARE (default 1: the ResNet-20 wasm / Dawn / cpu side-by-side
 * of bench/trainingCompareBench.ts, knobs BENCH_COMPARE_* there; 0 = skip), BENCH_LIVE_LANDSCAPE
 * (default 1: the live landscape's pauses during the lecture preset's run,
 * bench/liveLandscapeBench.ts, with R in BENCH_LIVE_LANDSCAPE_R, default 0; 0 = skip).
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

/**
 * The passes a WaterMAS step with R ≥ 1 random replicas needs, in plain-step units (objective.ts):
 * on slices of the batch 1 + 1 ('half': 1 + ½; as much again for own-statistics baselines), plus 1
 * for the task gradient on its own with balance 'gradient'; on whole batches 1 + R with own
 * statistics, 1 + 2R with the clean pass's (each replica's tape repeats the clean forward), the
 * task gradient then free.
 */
function replicaPasses(R: number, replicaBatch: ReplicaBatch, balance: Balance): number {
  const clean = DEFAULT_WATERMAS_SETTINGS.replicaBn === 'clean';
  if (replicaBatch === 'full') return clean ? 1 + 2 * R : 1 + R;
  const share = replicaBatch === 'half' ? 0.5 : 1;
  return 1 + share * (clean ? 1 : 2) + (balance === 'gradient' ? 1 : 0);
}

const env = (k: string) => process.env[k];
const list = (k: string, d: string) => (env(k) ?? d).split(',').map((s) => s.trim()).filter(Boolean);

type Setup = (model: Model) => Promise<{ objective?: Objective; frozen?: FrozenPositions; dispose(): void }>;

/** Median ms per step over `steps` timed steps (after one warm-up step) of the real trainer. */
async function timeSteps(arch: ArchName, batch: number, steps: number, setup?: Setup): Promise<number> {
  const model = createModel(arch, { seed: 1 });
  const source = fixedBatchSource(batch, steps + 1);
  const ms: number[] = [];
  const extra = setup ? await setup(model) : undefined;
  try {
    await train(model, source, { epochs: 1, lr: 0.01, optimizer: 'sgd', momentum: 0.9, weightDecay: 5e-4, logEvery: 1 }, {
      ...(extra?.objective ? { objective: extra.objective } : {}),
      ...(extra?.frozen ? { frozen: extra.frozen } : {}),
      onProgress: (p) => {
        ms.push(p.msPerStep);
      },
    });
  } finally {
    extra?.dispose();
    source.dispose();
    model.dispose();
  }
  const timed = ms.slice(1).sort((a, b) => a - b); // the first step compiles kernels / warms caches
  return timed[Math.floor(timed.length / 2)];
}

/** A WaterMAS setup with R replicas (256-bit mark over the kernels, the default replicas: Gaussian, clean-pass statistics), each on the whole batch or on its slice. */
function watermas(replicas: number, replicaBatch: ReplicaBatch, settings: Partial<WaterMASSettings> = {}): Setup {
  return async (model) => {
    const { frozen } = await embedWatermark(model, { seed: new Uint8Array(32).fill(1), payload: { kind: 'random-bits', count: 256 } });
    const objective = createWaterMASObjective(model, frozen, { seed: 1, settings: { replicas, replicaBatch, ...settings } });
    return { objective, frozen, dispose: () => objective.dispose() };
  };
}

export async function runNodeBench(): Promise<Record<string, unknown>> {
  const steps = Number(env('BENCH_STEPS') ?? 3);
  const leakSteps = Number(env('BENCH_LEAK_STEPS') ?? 200);
  const backends = list('BENCH_BACKENDS', 'wasm') as NodeBackendChoice[];
  const models = list('BENCH_MODELS', 'cnn,resnet20') as ArchName[];
  const batches = list('BENCH_BATCHES', '64,128').map(Number);
  const replicaCounts = list('BENCH_WATERMAS_R', '0,1,2,4').map(Number);
  const replicaBatches = list('BENCH_WATERMAS_BATCH', REPLICA_BATCH_MODES.join(',')) as ReplicaBatch[];
  const attackImages = Number(env('BENCH_ATTACK_IMAGES') ?? 2000);
  const attackSweeps: Record<string, unknown>[] = [];
  const landscapeGrid = Number(env('BENCH_LANDSCAPE_GRID') ?? 21);
  const landscapeImages = Number(env('BENCH_LANDSCAPE_IMAGES') ?? 512);
  const landscapes: Record<string, unknown>[] = [];
  const liveLandscapes: Record<string, unknown>[] = [];
  const rows: StepRow[] = [];
  const wmRows: Record<string, unknown>[] = [];
  const unavailable: { backend: string; reason: string }[] = [];
  let memory: Record<string, unknown> | null = null;
  const log = (s: string) => process.stderr.write(`bench: ${s}\n`);
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
        const msPerStep = await timeSteps(arch, batch, steps);
        rows.push({ backend: name, model: arch, batch, objective: 'cross-entropy', msPerStep, imagesPerSecond: (1000 * batch) / msPerStep, timedSteps: steps });
        log(`${name} ${arch} b${batch}: ${msPerStep.toFixed(1)} ms/step`);
      }
    }
    // WaterMAS overhead: ResNet-20 (the last model listed), the first batch size.
    const arch = models[models.length - 1];
    const batch = batches[0];
    for (const replicaBatch of replicaBatches) {
      for (const R of replicaCounts) {
        if ((R <= 1 && replicaBatch === 'split') || (R === 0 && replicaBatch === 'half')) continue; // the same as 'full'
        // the plain step timed again just before: the ratio compares steps taken minutes apart no more
        // (the first plain row and a WaterMAS row ten minutes later differ by ±10 % on a shared machine)
        const plain = await timeSteps(arch, batch, steps);
        const msPerStep = await timeSteps(arch, batch, steps, watermas(R, replicaBatch));
        const passes = R === 0 ? 1 : replicaPasses(R, replicaBatch, 'loss');
        const row = { backend: name, model: arch, batch, replicas: R, replicaBatch, replicaBn: DEFAULT_WATERMAS_SETTINGS.replicaBn, msPerStep, plainMsPerStep: plain, ratioToPlain: msPerStep / plain, ratioToPasses: msPerStep / (passes * plain) };
        wmRows.push(row);
        log(`${name} ${arch} b${batch} WaterMAS R=${R} ${replicaBatch}: ${msPerStep.toFixed(1)} ms/step (${row.ratioToPlain.toFixed(2)}x plain, ${row.ratioToPasses.toFixed(2)}x the ${passes} plain passes)`);
      }
    }
    // The objective that sharpens (docs/experiments/sharpness.md, "Balancing the push", "Cheaper
    // replicas"): R = 4 sign-flip replicas on slices of the batch or of its half, the push balanced
    // against the task gradient (one more pass); the loss form beside them: what the balance costs.
    const balanceRows: readonly [ReplicaBatch, Balance][] = [
      ['split', 'loss'],
      ['split', 'gradient'],
      ['half', 'loss'],
      ['half', 'gradient'],
    ];
    for (const [replicaBatch, balance] of replicaCounts.includes(4) ? balanceRows.filter(([b]) => replicaBatches.includes(b)) : []) {
      const settings = { mode: 'flip', sigma: 0.5, lambda: 1, margin: 2, balance } as const;
      const passes = replicaPasses(4, replicaBatch, balance);
      const plain = await timeSteps(arch, batch, steps);
      const msPerStep = await timeSteps(arch, batch, steps, watermas(4, replicaBatch, settings));
      const row = { backend: name, model: arch, batch, replicas: 4, replicaBatch, replicaBn: DEFAULT_WATERMAS_SETTINGS.replicaBn, ...settings, msPerStep, plainMsPerStep: plain, ratioToPlain: msPerStep / plain, ratioToPasses: msPerStep / (passes * plain) };
      wmRows.push(row);
      log(`${name} ${arch} b${batch} WaterMAS R=4 ${replicaBatch} flip, balance ${balance}: ${msPerStep.toFixed(1)} ms/step (${row.ratioToPlain.toFixed(2)}x plain, ${row.ratioToPasses.toFixed(2)}x the ${passes} plain passes)`);
    }
    // Tensor growth over a long run on this backend, small CNN.
    if (leakSteps > 0) {
      const before = tf.memory().numTensors;
      await timeSteps('cnn', 32, leakSteps);
      const after = tf.memory().numTensors;
      memory = { backend: name, model: 'cnn', batch: 32, steps: leakSteps + 1, numTensorsBefore: before, numTensorsAfter: after };
      log(`numTensors ${before} -> ${after} over ${leakSteps + 1} steps`);
    }
    if (attackImages > 0) attackSweeps.push(await benchAttackSweep(name, attackImages, log));
    if (landscapeGrid > 0) landscapes.push(await benchLandscapeGrid(name, log, { grid: landscapeGrid, images: landscapeImages }));
    if (env('BENCH_LIVE_LANDSCAPE') !== '0') for (const R of list('BENCH_LIVE_LANDSCAPE_R', '0')) liveLandscapes.push(await benchLiveLandscape(log, { replicas: Number(R) }));
  }
  // Last: it switches backends itself.
  const trainingCompare = env('BENCH_COMPARE') === '0' ? null : await benchTrainingCompare(log);
  return { machine: machine(), steps: rows, watermas: wmRows, memory, attackSweeps, landscapes, liveLandscapes, trainingCompare, unavailable };
}

function machine() {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return { node: process.version, platform: process.platform, arch: process.arch, cpus: nav?.hardwareConcurrency, date: new Date().toISOString() };
}

const result = await runNodeBench();
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
