import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { compose, WASM_BACKEND } from './composer';

let native: KernelConfig | undefined;

/** Keeps the wasm package's own Tile for the general case (called at registration). */
export function keepNativeTile(config: KernelConfig | undefined): void {
  native = config;
}

/**
 * Tile where every repeated axis has size 1 in the input is a broadcast; the BatchNorm
 * gradient does exactly that (tiling 1/sqrt(var) [1,1,1,C] to [N,H,W,C]) and the native wasm
 * Tile, a per-element index loop, was the largest item in a ResNet-20 training-step profile.
 * Here a broadcast multiply with ones (exact: x*1 == x, signs and NaN preserved) runs on
 * XNNPACK instead; any other tile goes to the native kernel.
 */
const tile: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x } = inputs as { x: TensorInfo };
  const reps = (attrs as unknown as { reps: number[] }).reps;
  const isBroadcast = x.dtype === 'float32' && reps.length === x.shape.length && reps.every((r, i) => r === 1 || x.shape[i] === 1);
  if (!isBroadcast) {
    if (native == null) throw new Error('Tile on wasm: only broadcast tiles are supported without the native kernel.');
    return native.kernelFunc({ inputs, backend, attrs });
  }
  const outShape = x.shape.map((d, i) => d * reps[i]);
  return compose(backend, (c) => {
    const ones = c.run('Fill', {}, { shape: outShape, value: 1, dtype: 'float32' });
    return c.run('Multiply', { a: ones, b: x });
  });
};

export const tileConfig: KernelConfig = {
  kernelName: 'Tile',
  backendName: WASM_BACKEND,
  kernelFunc: tile,
  // The native kernel's setup (binding its wasm export) must still run when the backend starts.
  setupFunc: (backend) => native?.setupFunc?.(backend),
};
