/**
 * The WebGPU device behind the tfjs webgpu backend: the test hook that destroys it, and a
 * watcher on its `lost` promise (a lost device cannot run or read anything any more).
 */
import * as tf from '@tensorflow/tfjs-core';

interface LostInfo {
  readonly reason?: string;
  readonly message?: string;
}

/** The part of GPUDevice used here (the tfjs webgpu backend exposes its device as `backend.device`). */
interface DeviceLike {
  readonly lost: Promise<LostInfo>;
  destroy(): void;
}

/** The active backend's GPUDevice, or null when the backend is not WebGPU. */
function webgpuDevice(): DeviceLike | null {
  if (tf.getBackend() !== 'webgpu') return null;
  const device = (tf.backend() as unknown as { device?: DeviceLike }).device;
  return device && typeof device.destroy === 'function' ? device : null;
}

/** Test hook: destroys the WebGPU device (its `lost` promise then resolves). False when there is none. */
export function destroyWebGpuDevice(): boolean {
  const device = webgpuDevice();
  if (!device) return false;
  device.destroy();
  return true;
}

/**
 * Calls `onLost(reason)` once if the current WebGPU device is lost; returns a function that
 * stops watching. No-op on other backends.
 */
export function watchDeviceLoss(onLost: (reason: string) => void): () => void {
  const device = webgpuDevice();
  if (!device) return () => undefined;
  let watching = true;
  void device.lost.then((info) => {
    if (watching) onLost(info.message || info.reason || 'the GPU device was lost');
  });
  return () => {
    watching = false;
  };
}
