import { describe, expect, test } from 'vitest';
import { describeWebGlRenderer, describeWebGpuAdapter } from '../../../src/engine/backend/adapter';

describe('GPU adapter classification', () => {
  test('WebGPU: the fallback flag or a software name marks a software adapter', () => {
    // What headless Chromium 156 reports here (vendor/architecture of SwiftShader, isFallbackAdapter).
    expect(describeWebGpuAdapter({ vendor: 'google', architecture: 'swiftshader', device: '', description: '', isFallbackAdapter: true })).toEqual({
      backend: 'webgpu',
      description: 'google swiftshader',
      software: true,
    });
    // Older Chrome: no isFallbackAdapter, the name still tells.
    expect(describeWebGpuAdapter({ vendor: 'google', architecture: 'swiftshader' }).software).toBe(true);
    // Dawn on Mesa lavapipe.
    expect(describeWebGpuAdapter({ vendor: 'mesa', architecture: '', description: 'llvmpipe (LLVM 19.1.7, 256 bits)' }).software).toBe(true);
    expect(describeWebGpuAdapter({ vendor: 'nvidia', architecture: 'ada', isFallbackAdapter: false })).toEqual({ backend: 'webgpu', description: 'nvidia ada', software: false });
    expect(describeWebGpuAdapter({})).toEqual({ backend: 'webgpu', description: 'unknown adapter', software: false });
  });

  test('WebGL: software renderers are recognised by name', () => {
    expect(describeWebGlRenderer('ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)').software).toBe(true);
    expect(describeWebGlRenderer('ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11 vs_5_0 ps_5_0)').software).toBe(true);
    expect(describeWebGlRenderer('llvmpipe (LLVM 15.0.6, 256 bits)').software).toBe(true);
    expect(describeWebGlRenderer('ANGLE (Intel, Mesa Intel(R) UHD Graphics 620 (KBL GT2), OpenGL 4.6)').software).toBe(false);
    expect(describeWebGlRenderer('')).toEqual({ backend: 'webgl', description: 'unknown renderer', software: false });
  });
});
