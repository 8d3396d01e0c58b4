import { LAB_SIMD_WASM_BASE64 } from './lab-simd.generated';

/** The functions of lab-simd.wat; pointers are byte offsets on the wasm backend's heap. */
export interface LabSimdKernels {
  /**
   * Filter gradient of a 2-D convolution, NHWC, dilation 1: out [KH,KW,Ci,Co] = Σ x ⊗ dy over the
   * batch and the output pixels, x [N,H,W,Ci], dy [N,Ho,Wo,Co], strides sh, sw, top/left padding
   * pt, pl; out zeroed first; Ci % 4 = 0, Co % 8 = 0.
   */
  convFilterGrad(
    x: number, dy: number, out: number,
    N: number, H: number, W: number, Ci: number,
    Ho: number, Wo: number, Co: number,
    KH: number, KW: number, sh: number, sw: number, pt: number, pl: number,
  ): void;
  /**
   * Input gradient of a 2-D convolution, NHWC, dilation 1: dx [N,H,W,Ci] from dy [N,Ho,Wo,Co] and
   * the channel-swapped filter wt [KH,KW,Co,Ci], visiting only the taps that reach each pixel;
   * zero: Co zeros; Ci % 8 = 0.
   */
  convInputGrad(
    dy: number, wt: number, dx: number, zero: number,
    N: number, H: number, W: number, Ci: number,
    Ho: number, Wo: number, Co: number,
    KH: number, KW: number, sh: number, sw: number, pt: number, pl: number,
  ): void;
  /** dx = y > 0 ? dy : 0 over n elements. */
  reluGrad(dy: number, y: number, dx: number, n: number): void;
  /** out[r,c] = a[c]·u[r,c] + b[c]·v[r,c] + k[c] over rows of C (C % 4 = 0); b = 0 leaves the v term out. */
  channelAffine(u: number, v: number, a: number, b: number, k: number, out: number, rows: number, C: number): void;
  /** Per-channel float64 sums over rows of C (C % 4 = 0) into s, q (f64): of u − shift and its square (v = 0), or of u and u·(v − shift). */
  channelSums(u: number, v: number, shift: number, s: number, q: number, rows: number, C: number): void;
  /**
   * Winograd F(2x2, 3x3) convolution, stride 1, padding 1: out [N,H,W,K] from x [N,H,W,C] and the
   * transformed filter U [16][C][K]; scratch holds 16·TB·(C + K) + 16·C floats; C % 4 = 0,
   * K % 8 = 0, TB % 4 = 0 (winograd.ts).
   */
  winogradConv3x3(x: number, U: number, out: number, N: number, H: number, W: number, C: number, K: number, scratch: number, TB: number): void;
  /** Its filter gradient in the transformed domain: dU [16][C][K] += Σ over tiles, from x and dy [N,H,W,K]. */
  winogradFilterGrad3x3(x: number, dy: number, dU: number, N: number, H: number, W: number, C: number, K: number, scratch: number, TB: number): void;
  /** Copies x [N,H,W,C] into xp [N,Hp,Wp,C] at rows pt.., columns pl.., zeroes the rest. */
  padImages(x: number, xp: number, N: number, H: number, W: number, C: number, Hp: number, Wp: number, pt: number, pl: number): void;
}

/** The part of tfjs-backend-wasm's Emscripten module the kernels need: its exported heap memory. */
interface EmscriptenModule {
  asm?: { memory?: unknown };
}

/**
 * The WebAssembly API and atob as every runtime of the engine has them (Node ≥ 16, browsers,
 * workers), looked up on globalThis: the engine compiles without DOM or Node typings.
 */
interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}
interface WasmApi {
  readonly Memory: abstract new (...args: never[]) => WasmMemory;
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: unknown };
  validate(bytes: Uint8Array): boolean;
}
const runtime = globalThis as unknown as { WebAssembly?: WasmApi; atob?: (base64: string) => string };

let compiled: object | null | undefined;
let enabled = true;
const bound = new WeakMap<object, LabSimdKernels | null>();

function compiledModule(): object | null {
  if (compiled === undefined) {
    compiled = null;
    const api = runtime.WebAssembly;
    if (api && runtime.atob) {
      try {
        const bytes = Uint8Array.from(runtime.atob(LAB_SIMD_WASM_BASE64), (c) => c.charCodeAt(0));
        // a runtime without 128-bit SIMD rejects the module: the callers keep their XNNPACK path
        if (api.validate(bytes)) compiled = new api.Module(bytes);
      } catch {
        compiled = null;
      }
    }
  }
  return compiled;
}

/**
 * The lab's SIMD kernels bound to a wasm backend's heap (one instance per heap), or null where
 * they cannot run: no WebAssembly SIMD, a heap this module cannot import (the threaded build's
 * shared memory), a backend that is not tfjs-backend-wasm, or switched off (setLabSimdEnabled).
 */
export function labSimdFor(backend: unknown): LabSimdKernels | null {
  if (!enabled) return null;
  const wasm = (backend as { wasm?: EmscriptenModule } | null)?.wasm;
  if (wasm == null || typeof wasm !== 'object') return null;
  if (bound.has(wasm)) return bound.get(wasm) ?? null;
  let kernels: LabSimdKernels | null = null;
  const api = runtime.WebAssembly;
  const memory = wasm.asm?.memory;
  const mod = compiledModule();
  if (api && mod && memory instanceof api.Memory) {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    try {
      if (!shared) kernels = new api.Instance(mod, { env: { memory } }).exports as LabSimdKernels;
    } catch {
      kernels = null;
    }
  }
  bound.set(wasm, kernels);
  return kernels;
}

/** Switches the SIMD kernels off (and on again) for every backend: tests and benchmarks compare both paths. */
export function setLabSimdEnabled(on: boolean): void {
  enabled = on;
}
