import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { WASM_BACKEND } from './composer';

/**
 * Identity without a copy: the output shares the input's data (one more reference), as the cpu,
 * WebGL and WebGPU backends do and as the wasm backend's own Reshape does; tensors are immutable.
 * tfjs-backend-wasm 4.22's Identity copies the whole buffer, and a training step runs it some 200
 * times (tf.clone for every tensor a custom gradient saves, gradient bookkeeping).
 */
const identity: KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as { x: TensorInfo };
  (backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
};

export const identityConfig: KernelConfig = { kernelName: 'Identity', backendName: WASM_BACKEND, kernelFunc: identity };
