import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { cpuAccess, heapOffset, wasmAccess, type ArrayAccess } from './array-access';
import { WASM_BACKEND } from './composer';
import { labSimdFor } from './simd/labSimd';

/**
 * LabReluGrad  dy, y -> dx = y > 0 ? dy : 0, the gradient of y = relu(x) read from its output
 * (y > 0 exactly where x > 0), for `models/layers.ts`'s relu. One pass, where tfjs's own
 * gradient of Relu runs three kernels over the whole tensor (Step, Cast, Multiply).
 */
export const RELU_GRAD = 'LabReluGrad';

/**
 * Branch-free on the bits (a data-dependent branch mispredicts on about half of the elements of a
 * real activation and measured ~3x slower): for y ≥ 0 (a ReLU's output), y > 0 exactly when its
 * int32 bit pattern b is in (0, 0x7f800000] (NaNs lie above, −0 is INT_MIN), and
 * ((0 − b) >> 31) & ~(b >> 31) & ((b − 0x7f800001) >> 31) is then all ones, else 0: dx's bits are
 * dy's bits masked with it. So dx = 0 where y is 0, −0 or NaN, as `y > 0 ? dy : 0` would give.
 */
export function reluGrad(dy: Float32Array, y: Float32Array, dx: Float32Array): void {
  const d = new Int32Array(dy.buffer, dy.byteOffset, dy.length);
  const b = new Int32Array(y.buffer, y.byteOffset, y.length);
  const out = new Int32Array(dx.buffer, dx.byteOffset, dx.length);
  for (let i = 0; i < out.length; i++) {
    const v = b[i];
    out[i] = d[i] & ((0 - v) >> 31) & ~(v >> 31) & ((v - 0x7f800001) >> 31);
  }
}

function checkShapes(dy: TensorInfo, y: TensorInfo): void {
  if (dy.dtype !== 'float32' || y.dtype !== 'float32') throw new Error(`${RELU_GRAD}: float32 only.`);
  if (dy.shape.length !== y.shape.length || dy.shape.some((d, i) => d !== y.shape[i])) {
    throw new Error(`${RELU_GRAD}: dy [${dy.shape}] and y [${y.shape}] differ.`);
  }
}

function kernel(access: (backend: unknown) => ArrayAccess): KernelFunc {
  return ({ inputs, backend }) => {
    const { dy, y } = inputs as { dy: TensorInfo; y: TensorInfo };
    checkShapes(dy, y);
    const io = access(backend);
    const { infos, arrays } = io.outputs([y.shape]);
    reluGrad(io.read(dy), io.read(y), arrays[0]);
    return infos[0];
  };
}

/** On wasm: the lab's SIMD reluGrad (lab-simd.wat, 4 lanes, a compare and a mask) where it binds, else the loop above. */
const wasmKernel: KernelFunc = (args) => {
  const simd = labSimdFor(args.backend);
  if (!simd) return kernel(wasmAccess)(args);
  const { dy, y } = args.inputs as { dy: TensorInfo; y: TensorInfo };
  checkShapes(dy, y);
  const { infos, arrays } = wasmAccess(args.backend).outputs([y.shape]);
  simd.reluGrad(heapOffset(args.backend, dy), heapOffset(args.backend, y), arrays[0].byteOffset, arrays[0].length);
  return infos[0];
};

export const RELU_GRAD_CONFIGS: readonly KernelConfig[] = [
  { kernelName: RELU_GRAD, backendName: WASM_BACKEND, kernelFunc: wasmKernel },
  { kernelName: RELU_GRAD, backendName: 'cpu', kernelFunc: kernel(cpuAccess) },
];
