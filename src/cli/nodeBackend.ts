import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '../engine/backend/register';
import { activeSoftwareGpu, initBackend, raceSoftwareGpuAgainstWasm, registerWebGpuBackendWith, type GpuLike } from '../engine/backend';
import { trainingStepProbe } from '../engine/train/stepProbe';

export const NODE_BACKEND_CHOICES = ['auto', 'cpu', 'wasm', 'webgpu'] as const;
export type NodeBackendChoice = (typeof NODE_BACKEND_CHOICES)[number];

export interface NodeBackend {
  readonly name: string;
  readonly note?: string;
}

/** Folder (trailing separator) of tfjs-backend-wasm's .wasm binaries in node_modules. */
function wasmDir(): string {
  return dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')) + sep;
}

/**
 * WebGPU in Node through the optional `webgpu` package (Dawn). It is not a dependency: Dawn
 * needs a Vulkan driver it accepts (e.g. Mesa >= 25 lavapipe, see README), so a user who has
 * one runs `npm install webgpu` and `--backend webgpu`.
 */
async function registerNodeWebGpu(): Promise<void> {
  const pkg = 'webgpu';
  let dawn: { create(flags: string[]): GpuLike; globals: Record<string, unknown> };
  try {
    dawn = await import(/* @vite-ignore */ pkg);
  } catch {
    throw new Error('webgpu in Node needs the optional `webgpu` package (npm install webgpu) and a Vulkan driver that Dawn accepts');
  }
  registerWebGpuBackendWith(dawn.create([]), dawn.globals);
}

/** True when the optional `webgpu` package loaded and its backend is registered. */
async function tryNodeWebGpu(): Promise<boolean> {
  try {
    await registerNodeWebGpu();
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts a tfjs backend in Node. 'auto' walks webgpu (only when the optional `webgpu` package is
 * installed), wasm (XNNPACK, with the lab's training kernels: by far the fastest CPU trainer,
 * 31× the cpu backend on ResNet-20, see docs/wasm-training.md) then cpu; a software WebGPU
 * adapter (lavapipe) is measured against wasm and the faster kept, as in the browser. A named
 * backend is that one or an error.
 */
export async function setupNodeBackend(choice: NodeBackendChoice, purpose: 'train' | 'eval'): Promise<NodeBackend> {
  // tfjs' production mode only silences its console notes (tfjs-core 4.22: `log.warn` and flag
  // overrides), among them the cpu backend's advice to install tfjs-node, which is wrong here:
  // the lab's Node trainer is wasm, and tfjs-node's prebuilt binary is not a dependency.
  tf.enableProdMode();
  if (tf.getBackend() === choice) return { name: choice };
  if (choice === 'webgpu') await registerNodeWebGpu();
  const withGpu = choice === 'auto' && (await tryNodeWebGpu());
  const preference = choice === 'auto' ? [...(withGpu ? ['webgpu'] : []), 'wasm', 'cpu'] : [choice];
  const options = { purpose, wasmPaths: wasmDir(), timeoutMs: 30_000 } as const;
  const init = (rungs: readonly string[]) => initBackend({ ...options, preference: rungs });
  let report = await init(preference);
  let measured: string | null = null;
  const software = choice === 'auto' ? activeSoftwareGpu() : null;
  if (software) {
    const raced = await raceSoftwareGpuAgainstWasm({ gpu: report, init, probe: () => trainingStepProbe({ arch: 'cnn', batch: 16 }), warmup: 1, reps: 1, options });
    if (raced) {
      report = raced.report;
      measured = raced.reason;
    }
  }
  const failed = report.tried.filter((t) => !t.ok).map((t) => `${t.name}: ${t.error ?? 'failed'}`);
  const notes = [...(failed.length ? [`skipped ${failed.join('; ')}`] : []), ...(measured ? [measured] : [])];
  return { name: report.name, ...(notes.length ? { note: notes.join('; ') } : {}) };
}
