import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '../engine/backend/register';
import { initBackend, registerWebGpuBackendWith, type GpuLike } from '../engine/backend';

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

/**
 * Starts a tfjs backend in Node. 'auto' walks wasm (XNNPACK, with the lab's training
 * kernels: by far the fastest CPU trainer) then cpu; a named backend is that one or an error.
 */
export async function setupNodeBackend(choice: NodeBackendChoice, purpose: 'train' | 'eval'): Promise<NodeBackend> {
  if (tf.getBackend() === choice) return { name: choice };
  if (choice === 'webgpu') await registerNodeWebGpu();
  const preference = choice === 'auto' ? ['wasm', 'cpu'] : [choice];
  const report = await initBackend({ preference, purpose, wasmPaths: wasmDir(), timeoutMs: 30_000 });
  const failed = report.tried.filter((t) => !t.ok).map((t) => `${t.name}: ${t.error ?? 'failed'}`);
  return { name: report.name, ...(failed.length ? { note: `skipped ${failed.join('; ')}` } : {}) };
}
