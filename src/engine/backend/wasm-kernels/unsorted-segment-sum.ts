import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { compose, WASM_BACKEND } from './composer';

/**
 * out[s, ...] = sum over k with segmentIds[k] == s of x[k, ...] (ids outside [0, numSegments)
 * are dropped, as in TensorFlow). Needed by the gradient of gather (embeddings, label picks).
 * Implemented as one-hot(ids)^T @ x on the wasm BatchMatMul: exact for 0/1 weights.
 */
const unsortedSegmentSum: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const numSegments = (attrs as unknown as { numSegments: number }).numSegments;
  const name = 'UnsortedSegmentSum';
  if (x.dtype !== 'float32') throw new Error(`${name} on wasm: float32 data only, got ${x.dtype}.`);
  const idRank = segmentIds.shape.length;
  if (segmentIds.shape.some((d, i) => d !== x.shape[i])) {
    throw new Error(`${name} on wasm: segmentIds shape [${segmentIds.shape}] must prefix x shape [${x.shape}].`);
  }
  const k = segmentIds.shape.reduce((p, d) => p * d, 1);
  const rest = x.shape.slice(idRank);
  const r = rest.reduce((p, d) => p * d, 1);
  return compose(backend, (c) => {
    const ids = c.reshape(segmentIds, [k]);
    const idsI = segmentIds.dtype === 'int32' ? ids : c.run('Cast', { x: ids }, { dtype: 'int32' });
    // The wasm OneHot writes int32 values whatever dtype it is asked for: build int32, then cast.
    const oneHotI = c.run('OneHot', { indices: idsI }, { depth: numSegments, onValue: 1, offValue: 0, dtype: 'int32' });
    const oneHot = c.run('Cast', { x: oneHotI }, { dtype: 'float32' });
    const a = c.reshape(oneHot, [1, k, numSegments]);
    const b = c.reshape(x, [1, k, r]);
    const prod = c.run('BatchMatMul', { a, b }, { transposeA: true, transposeB: false });
    return c.reshape(prod, [numSegments, ...rest]);
  });
};

export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: WASM_BACKEND,
  kernelFunc: unsortedSegmentSum,
};
