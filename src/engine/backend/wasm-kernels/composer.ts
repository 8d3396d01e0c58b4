import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { heapOffset } from './array-access';
import { labSimdFor } from './simd/labSimd';

/** What padSpatial uses of tfjs-backend-wasm's backend: its allocator. */
interface WasmOutputs {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
}

/** Backend whose kernels the training kernels are composed from. */
export const WASM_BACKEND = 'wasm';

/**
 * Runs existing wasm kernels by name directly on the backend (no gradient tape, no engine
 * tensors), the way tfjs-backend-wasm composes its own kernels, and tracks every
 * intermediate so that it can be released with `backend.disposeData` (refcount-aware:
 * a Reshape output shares its input's data and only drops one reference).
 */
export class KernelComposer {
  private readonly owned = new Set<TensorInfo>();

  constructor(private readonly backend: KernelBackend) {}

  /** Runs `kernelName` on the wasm backend; the result is owned until `finish`/`release`. */
  run(kernelName: string, inputs: Record<string, TensorInfo> | TensorInfo[], attrs: Record<string, unknown> = {}): TensorInfo {
    const kernel = tf.getKernel(kernelName, WASM_BACKEND);
    if (kernel == null) {
      throw new Error(`wasm training kernels: building block '${kernelName}' is not registered for 'wasm'.`);
    }
    const out = kernel.kernelFunc({ inputs: inputs as Record<string, TensorInfo>, backend: this.backend, attrs: attrs as unknown as NamedAttrMap });
    if (Array.isArray(out)) {
      throw new Error(`wasm training kernels: '${kernelName}' returned several outputs; expected one.`);
    }
    this.owned.add(out);
    return out;
  }

  /** Takes ownership of a TensorInfo produced by calling a kernel function directly. */
  own(t: TensorInfo): TensorInfo {
    this.owned.add(t);
    return t;
  }

  /** A float32 constant written straight into the backend (no engine tensor). */
  constant(values: Float32Array, shape: number[]): TensorInfo {
    const dataId = this.backend.write(values, shape, 'float32');
    return this.own({ dataId, shape, dtype: 'float32' });
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  slice(x: TensorInfo, begin: number[], size: number[]): TensorInfo {
    return this.run('Slice', { x }, { begin, size });
  }

  pad(x: TensorInfo, paddings: Array<[number, number]>): TensorInfo {
    return this.run('PadV2', { x }, { paddings, constantValue: 0 });
  }

  /**
   * Zero padding of the spatial axes of a float32 [N, H, W, C] tensor: the lab's SIMD padImages
   * (memory fill and row copies) where it can bind to the heap, else PadV2 (an index loop per element).
   */
  padSpatial(x: TensorInfo, [top, bottom]: [number, number], [left, right]: [number, number]): TensorInfo {
    const simd = x.dtype === 'float32' && x.shape.length === 4 ? labSimdFor(this.backend) : null;
    if (!simd) return this.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]);
    const [n, h, w, ch] = x.shape;
    const out = this.own((this.backend as unknown as WasmOutputs).makeOutput([n, h + top + bottom, w + left + right, ch], 'float32'));
    simd.padImages(heapOffset(this.backend, x), heapOffset(this.backend, out), n, h, w, ch, h + top + bottom, w + left + right, top, left);
    return out;
  }

  /** Releases an intermediate early (keeps peak memory down inside loops). */
  release(t: TensorInfo): void {
    if (this.owned.delete(t)) this.backend.disposeData(t.dataId);
  }

  /** Releases every intermediate except `result`, which is handed to the engine. */
  finish(result: TensorInfo): TensorInfo {
    if (!this.owned.delete(result)) {
      throw new Error('wasm training kernels: the result must come from this composer.');
    }
    this.releaseAll();
    return result;
  }

  /** Releases everything (used when a kernel fails half-way). */
  releaseAll(): void {
    for (const t of this.owned) this.backend.disposeData(t.dataId);
    this.owned.clear();
  }
}

/** Runs `body` with a composer and guarantees that no intermediate outlives the kernel. */
export function compose(backend: unknown, body: (c: KernelComposer) => TensorInfo): TensorInfo {
  const c = new KernelComposer(backend as KernelBackend);
  try {
    return c.finish(body(c));
  } catch (e) {
    c.releaseAll();
    throw e;
  }
}
