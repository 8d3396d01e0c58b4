import { cpus, loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { measureStepMs } from '../src/engine/backend/measure';
import type { ArchName } from '../src/engine/models/types';
import { trainingStepProbe } from '../src/engine/train';
import { setupNodeBackend, type NodeBackendChoice } from '../src/cli/nodeBackend';

/**
 * ResNet-20 training step, side by side on the Node backends (issue 3's target: wasm >= 10x
 * Node cpu and faster than Dawn WebGPU on Mesa lavapipe), plus a per-kernel profile of one
 * wasm step (where the time goes).
 *
 * One step = forward + backward + SGD-momentum update of the real trainer's pieces
 * (crossEntropyObjective + createOptimizer), on a fixed batch; 1 warm-up step, then
 * BENCH_COMPARE_STEPS timed steps (median).
 * Knobs: BENCH_COMPARE_BATCH (default 128), BENCH_COMPARE_ARCH (resnet20),
 * BENCH_COMPARE_STEPS (default 2), BENCH_COMPARE_CPU=1 adds the cpu backend (minutes per
 * ResNet-20 step) at BENCH_COMPARE_CPU_BATCH (default 16; ratios are then per image),
 * BENCH_COMPARE_WEBGPU=0 leaves Dawn out. WebGPU needs the optional `webgpu` package
 * (`npm install --no-save webgpu`) and a Vulkan driver Dawn accepts, e.g. Mesa >= 25 lavapipe
 * with VK_ICD_FILENAMES=/usr/share/vulkan/icd.d/lvp_icd.json.
 */
export async function benchTrainingCompare(log: (line: string) => void): Promise<Record<string, unknown>> {
  const env = process.env;
  const arch = (env.BENCH_COMPARE_ARCH ?? 'resnet20') as ArchName;
  const batch = Number(env.BENCH_COMPARE_BATCH ?? 128);
  const steps = Math.max(1, Number(env.BENCH_COMPARE_STEPS ?? 2));
  const cpuBatch = Number(env.BENCH_COMPARE_CPU_BATCH ?? 16);
  const plan: Array<{ backend: NodeBackendChoice; batch: number }> = [{ backend: 'wasm', batch }];
  if (env.BENCH_COMPARE_WEBGPU !== '0') plan.push({ backend: 'webgpu', batch });
  if (env.BENCH_COMPARE_CPU === '1') plan.push({ backend: 'cpu', batch: cpuBatch });

  const rows: Array<{
    backend: string;
    batch: number;
    msPerStep: number;
    msPerImage: number;
    /** Process CPU time (user + system, all threads incl. lavapipe's) per step: fairer than wall time on a shared machine. */
    cpuMsPerStep: number;
    samplesMs: readonly number[];
  }> = [];
  const unavailable: Array<{ backend: string; reason: string }> = [];
  let profile: Record<string, unknown> | null = null;
  for (const p of plan) {
    let name: string;
    try {
      name = (await setupNodeBackend(p.backend, 'train')).name;
    } catch (e) {
      unavailable.push({ backend: p.backend, reason: e instanceof Error ? e.message : String(e) });
      log(`${p.backend}: unavailable (${e instanceof Error ? e.message : String(e)})`);
      continue;
    }
    const step = trainingStepProbe({ arch, batch: p.batch, seed: 1 });
    try {
      const warm = step.step(); // kernel compilation, memory growth: not timed
      await warm.data();
      warm.dispose();
      const cpu0 = process.cpuUsage();
      const t = await measureStepMs(step.step, { warmup: 0, reps: steps });
      const cpu = process.cpuUsage(cpu0);
      const cpuMsPerStep = (cpu.user + cpu.system) / 1000 / steps;
      rows.push({ backend: name, batch: p.batch, msPerStep: t.msPerStep, msPerImage: t.msPerStep / p.batch, cpuMsPerStep, samplesMs: t.samples });
      log(`${name} ${arch} b${p.batch}: ${t.msPerStep.toFixed(0)} ms/step wall, ${cpuMsPerStep.toFixed(0)} ms/step CPU (${(t.msPerStep / p.batch).toFixed(2)} ms/image)`);
      if (name === 'wasm') profile = await profileStep(step.step);
    } catch (e) {
      unavailable.push({ backend: name, reason: `step failed: ${e instanceof Error ? e.message : String(e)}` });
    } finally {
      step.dispose();
    }
  }
  const per = (b: string, key: 'msPerImage' | 'cpuMsPerImage') => {
    const r = rows.find((row) => row.backend === b);
    return r == null ? undefined : key === 'msPerImage' ? r.msPerImage : r.cpuMsPerStep / r.batch;
  };
  const ratio = (slow: string, fast: string, key: 'msPerImage' | 'cpuMsPerImage' = 'msPerImage') => {
    const s = per(slow, key);
    const f = per(fast, key);
    return s != null && f != null ? s / f : null;
  };
  return {
    arch,
    rows,
    // > 1 means wasm is faster; per image, so rows at different batches compare.
    ratios: {
      cpuOverWasm: ratio('cpu', 'wasm'),
      webgpuOverWasm: ratio('webgpu', 'wasm'),
      cpuOverWasmByCpuTime: ratio('cpu', 'wasm', 'cpuMsPerImage'),
      webgpuOverWasmByCpuTime: ratio('webgpu', 'wasm', 'cpuMsPerImage'),
    },
    wasmProfile: profile,
    unavailable,
    machine: {
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      loadAverage1m: loadavg()[0],
      vkIcd: env.VK_ICD_FILENAMES ?? null,
      date: new Date().toISOString(),
    },
  };
}

/** tf.profile of one step: kernel time per kernel name, top 10, and the share they cover. */
async function profileStep(run: () => tf.Tensor): Promise<Record<string, unknown>> {
  const t0 = performance.now();
  const info = await tf.profile(async () => {
    const loss = run();
    await loss.data();
    loss.dispose();
  });
  const wallMs = performance.now() - t0;
  const byName = new Map<string, { ms: number; calls: number }>();
  let kernelMs = 0;
  for (const k of info.kernels) {
    const ms = Number(k.kernelTimeMs) || 0;
    kernelMs += ms;
    const e = byName.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += ms;
    e.calls += 1;
    byName.set(k.name, e);
  }
  const top = [...byName]
    .sort((a, b) => b[1].ms - a[1].ms)
    .slice(0, 10)
    .map(([name, e]) => ({ name, ms: Math.round(e.ms), calls: e.calls, share: Number((e.ms / kernelMs).toFixed(3)) }));
  return { wallMs: Math.round(wallMs), kernelMs: Math.round(kernelMs), kernels: info.kernels.length, top10: top };
}
