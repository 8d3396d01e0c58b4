import type { TensorInfo } from '@tensorflow/tfjs-core';

// Float32 data of a kernel's inputs and outputs as plain arrays, for the lab's kernels written
// as JavaScript loops (batch-norm-train.ts, relu-grad.ts): views on the wasm heap, or the cpu
// backend's own arrays.

/** The part of tfjs-backend-wasm's BackendWasm these kernels use. */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}

/** Where a backend keeps float32 data as arrays the loops can read and write. */
export interface ArrayAccess {
  /** Allocates the outputs, then hands out arrays (views on the wasm heap, or the cpu backend's own). */
  outputs(shapes: number[][]): { infos: TensorInfo[]; arrays: Float32Array[] };
  read(t: TensorInfo): Float32Array;
}

export function wasmAccess(backend: unknown): ArrayAccess {
  const be = backend as WasmHeapBackend;
  return {
    outputs(shapes) {
      const infos = shapes.map((s) => be.makeOutput(s, 'float32'));
      // views after every allocation: an allocation may grow (and so detach) the heap
      return { infos, arrays: infos.map((t) => be.typedArrayFromHeap(t)) };
    },
    read: (t) => be.typedArrayFromHeap(t),
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
  };
}

