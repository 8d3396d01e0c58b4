/**
 * Asks the platform which WebGPU adapter tfjs would get (the same power preference), without
 * creating a device: cheap, and enough to tell a software adapter before any shader runs.
 */
import { describeWebGpuAdapter, type GpuAdapter, type WebGpuAdapterInfo } from '../../engine/backend/adapter';
import { withTimeout } from '../../engine/backend/timeout';

interface AdapterLike {
  readonly info?: WebGpuAdapterInfo;
  readonly isFallbackAdapter?: boolean;
  requestAdapterInfo?: () => Promise<WebGpuAdapterInfo>;
}

interface GpuEntry {
  requestAdapter(options?: { powerPreference?: 'low-power' | 'high-performance' }): Promise<AdapterLike | null>;
}

/** Null when there is no WebGPU here, no adapter, or the platform does not answer within `timeoutMs`. */
export async function queryWebGpuAdapter(timeoutMs = 5_000): Promise<GpuAdapter | null> {
  const gpu = (globalThis.navigator as { gpu?: GpuEntry } | undefined)?.gpu;
  if (!gpu) return null;
  try {
    const adapter = await withTimeout(gpu.requestAdapter({ powerPreference: 'high-performance' }), timeoutMs, 'navigator.gpu.requestAdapter');
    if (!adapter) return null;
    const info = adapter.info ?? (adapter.requestAdapterInfo ? await adapter.requestAdapterInfo() : {});
    // GPUAdapterInfo's fields are prototype getters: read them one by one (a spread copies nothing).
    return describeWebGpuAdapter({
      vendor: info.vendor,
      architecture: info.architecture,
      device: info.device,
      description: info.description,
      isFallbackAdapter: info.isFallbackAdapter ?? adapter.isFallbackAdapter,
    });
  } catch {
    return null;
  }
}
