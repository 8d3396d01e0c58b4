import type { TensorInfo } from '@tensorflow/tfjs-core';
import { labSimdFor, type LabSimdKernels } from './simd/labSimd';

// Float32 data of a kernel's inputs and outputs as plain arrays, for the lab's kernels written
// as loops (batch-norm-train.ts, batch-norm-apply.ts, relu-grad.ts): views on the wasm heap, or
// the cpu backend's own arrays; and the per-channel passes over them, on the lab's SIMD kernels
// (simd/lab-simd.wat) where the arrays are on a heap they bind to, else in JavaScript. A SIMD
// function takes a view's byteOffset as its heap address.

/** The part of tfjs-backend-wasm's BackendWasm these kernels use. */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
  readonly wasm: { _malloc(bytes: number): number; readonly HEAPU8: Uint8Array };
}

/** Byte offset of a tensor's data on tfjs-backend-wasm's heap: the address the SIMD kernels take. */
export function heapOffset(backend: unknown, t: TensorInfo): number {
  return (backend as { getMemoryOffset(dataId: object): number }).getMemoryOffset(t.dataId);
}

/**
 * A scratch block on each wasm heap for the SIMD kernels' per-channel coefficients and sums,
 * allocated once (never freed: it lives as long as the heap) and, before a kernel takes views of
 * its inputs and outputs, so that no allocation inside the kernel can grow the heap and detach them.
 */
const SCRATCH_BYTES = 1 << 16;
const scratchOf = new WeakMap<object, number>();

function heapScratch(be: WasmHeapBackend): number {
  let p = scratchOf.get(be.wasm);
  if (p === undefined) {
    p = be.wasm._malloc(SCRATCH_BYTES) >>> 0;
    scratchOf.set(be.wasm, p);
  }
  return p;
}

/**
 * out[r, c] = a[c]·u[r, c] + b[c]·v[r, c] + k[c] over rows of C channels (the v term left out where
 * v and b are null): BatchNorm's output and its input gradient.
 */
export type ChannelAffine = (u: Float32Array, v: Float32Array | null, a: Float32Array, b: Float32Array | null, k: Float32Array, out: Float32Array) => void;

/**
 * Per-channel sums in float64 over rows of C channels, added to s and q: with v null,
 * s += Σ (u − shift) and q += Σ (u − shift)² (BatchNorm's moments); else s += Σ u and
 * q += Σ u·(v − shift) (its gradient's sums).
 */
export type ChannelSums = (u: Float32Array, v: Float32Array | null, shift: Float64Array, s: Float64Array, q: Float64Array) => void;

/** Where a backend keeps float32 data as arrays the loops can read and write. */
export interface ArrayAccess {
  /** Allocates the outputs, then hands out arrays (views on the wasm heap, or the cpu backend's own). */
  outputs(shapes: number[][]): { infos: TensorInfo[]; arrays: Float32Array[] };
  read(t: TensorInfo): Float32Array;
  /** ChannelAffine on these arrays: the lab's SIMD kernel on the wasm heap where it binds, else JavaScript. */
  readonly channelAffine: ChannelAffine;
  /** ChannelSums likewise. */
  readonly channelSums: ChannelSums;
}

/**
 * Rows per block of the per-channel loops: a block (≤ 16 KB of floats) stays in L1 while each
 * channel's column is walked with its constants or sums in locals; summing row by row into an
 * array of C accumulators instead measured 2-3x slower in V8.
 */
export const blockRows = (C: number): number => Math.max(1, (4096 / C) | 0);

/** ChannelSums in JavaScript. */
export const channelSumsJs: ChannelSums = (u, v, shift, s, q) => {
  const C = shift.length;
  const rows = u.length / C;
  const B = blockRows(C);
  for (let r0 = 0; r0 < rows; r0 += B) {
    const end = Math.min(rows, r0 + B) * C;
    for (let c = 0; c < C; c++) {
      const m = shift[c];
      let a = 0;
      let b = 0;
      if (v) {
        for (let i = r0 * C + c; i < end; i += C) {
          const g = u[i];
          a += g;
          b += g * (v[i] - m);
        }
      } else {
        for (let i = r0 * C + c; i < end; i += C) {
          const d = u[i] - m;
          a += d;
          b += d * d;
        }
      }
      s[c] += a;
      q[c] += b;
    }
  }
};

/** ChannelAffine in JavaScript, channel by channel within blocks of rows that stay in L1. */
export const channelAffineJs: ChannelAffine = (u, v, a, b, k, out) => {
  const C = a.length;
  const block = blockRows(C) * C;
  for (let r0 = 0; r0 < u.length; r0 += block) {
    const end = Math.min(u.length, r0 + block);
    for (let c = 0; c < C; c++) {
      const [ac, kc] = [a[c], k[c]];
      if (v && b) {
        const bc = b[c];
        for (let i = r0 + c; i < end; i += C) out[i] = ac * u[i] + bc * v[i] + kc;
      } else {
        for (let i = r0 + c; i < end; i += C) out[i] = ac * u[i] + kc;
      }
    }
  }
};

/** ChannelSums on the lab's SIMD kernel (channelSums in lab-simd.wat): float64 lanes; shift and sums in the heap scratch. */
function simdChannelSums(be: WasmHeapBackend, simd: LabSimdKernels, scratch: number): ChannelSums {
  return (u, v, shift, s, q) => {
    const C = shift.length;
    if (C === 0 || C % 4 !== 0 || 24 * C > SCRATCH_BYTES) return channelSumsJs(u, v, shift, s, q);
    const d = new Float64Array(be.wasm.HEAPU8.buffer, scratch, 3 * C);
    d.set(shift, 0);
    d.set(s, C);
    d.set(q, 2 * C);
    simd.channelSums(u.byteOffset, v ? v.byteOffset : 0, scratch, scratch + 8 * C, scratch + 16 * C, u.length / C, C);
    s.set(d.subarray(C, 2 * C));
    q.set(d.subarray(2 * C, 3 * C));
  };
}

/** ChannelAffine on the lab's SIMD kernel (channelAffine in lab-simd.wat); the coefficients in the heap scratch. */
function simdChannelAffine(be: WasmHeapBackend, simd: LabSimdKernels, scratch: number): ChannelAffine {
  return (u, v, a, b, k, out) => {
    const C = a.length;
    if (C === 0 || C % 4 !== 0 || 12 * C > SCRATCH_BYTES) return channelAffineJs(u, v, a, b, k, out);
    const coef = new Float32Array(be.wasm.HEAPU8.buffer, scratch, 3 * C);
    coef.set(a, 0);
    if (b) coef.set(b, C);
    coef.set(k, 2 * C);
    simd.channelAffine(u.byteOffset, v ? v.byteOffset : 0, scratch, v && b ? scratch + 4 * C : 0, scratch + 8 * C, out.byteOffset, u.length / C, C);
  };
}

export function wasmAccess(backend: unknown): ArrayAccess {
  const be = backend as WasmHeapBackend;
  const simd = labSimdFor(be);
  const scratch = simd ? heapScratch(be) : 0;
  return {
    outputs(shapes) {
      const infos = shapes.map((s) => be.makeOutput(s, 'float32'));
      // views after every allocation: an allocation may grow (and so detach) the heap
      return { infos, arrays: infos.map((t) => be.typedArrayFromHeap(t)) };
    },
    read: (t) => be.typedArrayFromHeap(t),
    channelAffine: simd ? simdChannelAffine(be, simd, scratch) : channelAffineJs,
    channelSums: simd ? simdChannelSums(be, simd, scratch) : channelSumsJs,
  };
}

/** The part of tfjs-backend-cpu's MathBackendCPU these kernels use. */
interface CpuBackend {
  data: { get(dataId: object): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

export function cpuAccess(backend: unknown): ArrayAccess {
  const be = backend as CpuBackend;
  return {
    outputs(shapes) {
      const arrays = shapes.map((s) => new Float32Array(s.reduce((a, b) => a * b, 1)));
      return { infos: shapes.map((s, i) => be.makeTensorInfo(s, 'float32', arrays[i])), arrays };
    },
    read: (t) => be.data.get(t.dataId).values,
    channelAffine: channelAffineJs,
    channelSums: channelSumsJs,
  };
}

