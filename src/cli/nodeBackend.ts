import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '../engine/backend/register';
import { initBackend } from '../engine/backend';

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
 * Starts a tfjs backend in Node. 'auto' walks wasm (XNNPACK, with the lab's training
 * kernels: by far the fastest CPU trainer) then cpu; a named backend is that one or an error.
 */
export async function setupNodeBackend(choice: NodeBackendChoice, purpose: 'train' | 'eval'): Promise<NodeBackend> {
  if (choice === 'webgpu') throw new Error('webgpu in Node needs the `webgpu` (Dawn) package and a Vulkan driver it accepts; not set up in this build');
  if (tf.getBackend() === choice) return { name: choice };
  const preference = choice === 'auto' ? ['wasm', 'cpu'] : [choice];
  const report = await initBackend({ preference, purpose, wasmPaths: wasmDir(), timeoutMs: 30_000 });
  const failed = report.tried.filter((t) => !t.ok).map((t) => `${t.name}: ${t.error ?? 'failed'}`);
  return { name: report.name, ...(failed.length ? { note: `skipped ${failed.join('; ')}` } : {}) };
}
