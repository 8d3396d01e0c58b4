/**
 * Which GPU the active tfjs backend runs on, and whether it is a software rasteriser
 * (SwiftShader, lavapipe/llvmpipe, WARP): such an adapter runs shaders on the CPU, usually far
 * slower than multi-threaded wasm, so the ladder measures it against wasm instead of trusting it.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface GpuAdapter {
  /** 'webgpu' or 'webgl'. */
  readonly backend: string;
  /** What the platform says the adapter is, e.g. "google swiftshader" or an ANGLE renderer string. */
  readonly description: string;
  /** True for a CPU-based (software) adapter. */
  readonly software: boolean;
}

/** Names of CPU-based GPU implementations as they appear in adapter info and renderer strings. */
const SOFTWARE_RENDERERS = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render|\bwarp\b/i;

/** The parts of GPUAdapterInfo used here. */
export interface WebGpuAdapterInfo {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
  /** Chrome ≥ 136 (GPUAdapterInfo.isFallbackAdapter). */
  readonly isFallbackAdapter?: boolean;
}

interface WebGpuBackendLike {
  readonly device?: { readonly adapterInfo?: WebGpuAdapterInfo };
  /** tfjs keeps vendor and architecture of the adapter it was given. */
  readonly adapterInfo?: WebGpuAdapterInfo;
}

interface WebGlLike {
  getExtension(name: string): unknown;
  getParameter(p: number): unknown;
  readonly RENDERER: number;
}

/** Classifies a WebGPU adapter from its GPUAdapterInfo. */
export function describeWebGpuAdapter(info: WebGpuAdapterInfo): GpuAdapter {
  const description = [info.vendor, info.architecture, info.device, info.description].filter((s) => s != null && s !== '').join(' ');
  const software = info.isFallbackAdapter === true || SOFTWARE_RENDERERS.test(description);
  return { backend: 'webgpu', description: description || 'unknown adapter', software };
}

/** Classifies a WebGL renderer string (UNMASKED_RENDERER_WEBGL where available). */
export function describeWebGlRenderer(renderer: string): GpuAdapter {
  return { backend: 'webgl', description: renderer || 'unknown renderer', software: SOFTWARE_RENDERERS.test(renderer) };
}

function webglRenderer(backend: { gpgpu?: { gl?: WebGlLike } }): string {
  const gl = backend.gpgpu?.gl;
  if (!gl) return '';
  // WEBGL_debug_renderer_info gives the real renderer; without it RENDERER is often a generic name.
  const ext = gl.getExtension('WEBGL_debug_renderer_info') as { UNMASKED_RENDERER_WEBGL: number } | null;
  const renderer = ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
  return typeof renderer === 'string' ? renderer : '';
}

/** The GPU behind the active backend, or null when the active backend is not webgpu / webgl. */
export function activeGpuAdapter(): GpuAdapter | null {
  const name = tf.getBackend();
  if (name === 'webgpu') {
    const backend = tf.backend() as unknown as WebGpuBackendLike;
    return describeWebGpuAdapter(backend.device?.adapterInfo ?? backend.adapterInfo ?? {});
  }
  if (name === 'webgl') return describeWebGlRenderer(webglRenderer(tf.backend() as unknown as { gpgpu?: { gl?: WebGlLike } }));
  return null;
}
