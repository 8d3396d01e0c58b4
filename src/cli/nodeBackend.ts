import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

export const NODE_BACKEND_CHOICES = ['auto', 'cpu', 'wasm', 'webgpu'] as const;
export type NodeBackendChoice = (typeof NODE_BACKEND_CHOICES)[number];

export interface NodeBackend {
  readonly name: string;
  readonly note?: string;
}

/** Sets up a tfjs backend in Node. */
export async function setupNodeBackend(choice: NodeBackendChoice, _purpose: 'train' | 'eval'): Promise<NodeBackend> {
  if (choice !== 'auto' && choice !== 'cpu') throw new Error(`backend ${choice} is not available in Node yet`);
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend failed to start');
  await tf.ready();
  return { name: tf.getBackend() };
}
