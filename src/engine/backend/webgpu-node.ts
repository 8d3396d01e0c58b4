import * as tf from '@tensorflow/tfjs-core';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

/**
 * Minimal structural view of the WebGPU entry point (navigator.gpu in a browser; in Node the
 * `gpu` object created by the `webgpu` npm package, i.e. Dawn: `create([])`).
 */
export interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'low-power' | 'high-performance' }): Promise<unknown>;
}

interface AdapterLike {
  readonly features: { has(name: string): boolean };
  readonly limits: Record<string, number>;
  readonly info?: unknown;
  requestDevice(descriptor?: unknown): Promise<unknown>;
}

const BACKEND = 'webgpu';

/**
 * The tfjs WebGPUBackend constructor refuses to start unless `globalThis.navigator.gpu` exists
 * ("WebGPU is not supported on this device"), which is never the case in Node (Node 20 has no
 * navigator at all). Installs the given entry point there when it is missing.
 */
function exposeAsNavigatorGpu(gpu: GpuLike): void {
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator == null) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  } else if (g.navigator.gpu == null) {
    Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  }
}

/**
 * Registers the tfjs 'webgpu' backend on an explicitly given WebGPU implementation. The
 * webgpu package only self-registers when `globalThis.navigator.gpu` exists at import time,
 * which is never the case in Node; the CLI calls this instead, after:
 *   import { create, globals } from 'webgpu';
 *   registerWebGpuBackendWith(create([]), globals);
 * `globals` (GPUBufferUsage, GPUMapMode, GPUShaderStage, GPUTextureUsage...) are installed on
 * globalThis because the tfjs webgpu backend reads them as globals. No-op (returns false) when
 * a 'webgpu' backend is already registered. The adapter request runs lazily inside the factory,
 * so initBackend's timeout covers a driver that hangs.
 */
export function registerWebGpuBackendWith(gpu: GpuLike, globals?: Readonly<Record<string, unknown>>, priority = 3): boolean {
  if (globals != null) {
    const g = globalThis as Record<string, unknown>;
    for (const [k, val] of Object.entries(globals)) if (g[k] === undefined) g[k] = val;
  }
  if (tf.findBackendFactory(BACKEND) != null) return false;
  return tf.registerBackend(
    BACKEND,
    async () => {
      const adapter = (await gpu.requestAdapter({ powerPreference: 'high-performance' })) as AdapterLike | null;
      if (adapter == null) throw new Error('WebGPU: no adapter (is a Vulkan driver that Dawn accepts installed?)');
      const requiredFeatures = ['timestamp-query'].filter((f) => adapter.features.has(f));
      const l = adapter.limits;
      const device = await adapter.requestDevice({
        requiredFeatures,
        requiredLimits: {
          maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
          maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
          maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
          maxBufferSize: l.maxBufferSize,
          maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
          maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
        },
      });
      exposeAsNavigatorGpu(gpu);
      // tfjs types the constructor with the DOM's GPUDevice; the engine compiles without DOM types.
      const Ctor = WebGPUBackend as unknown as new (device: unknown, adapterInfo?: unknown) => tf.KernelBackend;
      return new Ctor(device, adapter.info);
    },
    priority,
  );
}
