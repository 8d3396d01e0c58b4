import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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
 * BENCH_COMPARE_WEBGPU=0 leaves Dawn out, BENCH_COMPARE_TORCH=0 the PyTorch anchor (below). WebGPU needs the optional `webgpu` package
 * (`npm install --no-save webgpu`) and a Vulkan driver Dawn accepts, e.g. Mesa >= 25 lavapipe
 * with VK_ICD_FILENAMES=/usr/share/vulkan/icd.d/lvp_icd.json.
 *
 * The anchor (issue 16): the same step in PyTorch on the CPU (scripts/pytorch/step_bench.py, the
 * same architecture from lab_models.py) with as many threads as wasm has in Node (1) and with
 * BENCH_COMPARE_TORCH_THREADS more (default: all cores), when a python with torch is found
 * (BENCH_PYTHON, else /usr/bin/python3, else python3 on the PATH: Debian's python3-torch);
 * otherwise `anchor.skipped` says why. `ratios.wasmOverTorch` > 1 means PyTorch is faster.
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
  const anchor = env.BENCH_COMPARE_TORCH === '0' ? { skipped: 'BENCH_COMPARE_TORCH=0' } : torchAnchor(arch, batch, steps, log);
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
      // the lab's single-threaded wasm step over PyTorch's on one thread, same architecture and batch
      wasmOverTorch: 'rows' in anchor ? ratioToTorch(rows.find((r) => r.backend === 'wasm')?.msPerStep, anchor.rows.find((r) => r.threads === 1)?.msPerStep) : null,
    },
    anchor,
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

interface TorchRow {
  readonly threads: number;
  readonly msPerStep: number;
  readonly samplesMs: readonly number[];
}

const ratioToTorch = (wasm: number | undefined, torch: number | undefined) => (wasm != null && torch != null ? wasm / torch : null);

/** The PyTorch step on 1 thread and on more (see the header); `skipped` with the reason when there is no python with torch. */
function torchAnchor(arch: string, batch: number, steps: number, log: (line: string) => void): { skipped: string } | { python: string; torch: string; rows: TorchRow[] } {
  const script = new URL('../scripts/pytorch/step_bench.py', import.meta.url).pathname;
  const python = process.env.BENCH_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
  const many = Number(process.env.BENCH_COMPARE_TORCH_THREADS ?? cpus().length);
  const rows: TorchRow[] = [];
  let version = '';
  for (const threads of [...new Set([1, many])]) {
    const r = spawnSync(python, [script, '--arch', arch, '--batch', String(batch), '--steps', String(steps), '--threads', String(threads)], { encoding: 'utf8', timeout: 600_000 });
    if (r.error || r.status !== 0) {
      const why = r.error ? r.error.message : (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`);
      log(`pytorch anchor skipped: ${python}: ${why} (Debian: apt-get install python3-torch)`);
      return { skipped: `${python}: ${why}` };
    }
    const out = JSON.parse(r.stdout) as { threads: number; msPerStep: number; samplesMs: number[]; torch: string };
    version = out.torch;
    rows.push({ threads: out.threads, msPerStep: out.msPerStep, samplesMs: out.samplesMs });
    log(`pytorch ${out.torch} ${arch} b${batch}, ${out.threads} thread(s): ${out.msPerStep.toFixed(0)} ms/step`);
  }
  return { python, torch: version, rows };
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
