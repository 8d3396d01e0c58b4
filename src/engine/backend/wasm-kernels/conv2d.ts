import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { WASM_BACKEND } from './composer';
import { convGeometry, type ConvGeometry, type PadAttr } from './geometry';
import { labSimdFor } from './simd/labSimd';
import { winogradApplies, winogradConv } from './winograd';

interface Attrs {
  strides: number | [number, number];
  pad: PadAttr;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * The forward 2-D convolution: Winograd F(2x2, 3x3) on the lab's SIMD kernels for 3x3 stride-1
 * 'same' convolutions with channels in SIMD tiles (winograd.ts), tfjs-backend-wasm's XNNPACK
 * convolution for everything else (and wherever the SIMD kernels do not bind).
 */
let native: KernelConfig | undefined;

/** Keeps the wasm package's own kernel for the shapes Winograd does not take (called at registration). */
export function keepNativeConv2D(config: KernelConfig | undefined): void {
  native = config;
}

/**
 * The geometry, or null for what only the native kernel runs (NCHW, dilations) or validates itself
 * (e.g. explicit padding over the kernel size): convGeometry throws for those.
 */
function geometryOrNull(xShape: number[], filterShape: number[], a: Attrs): ConvGeometry | null {
  try {
    return convGeometry('Conv2D', xShape, filterShape, a.strides, a.pad, a.dimRoundingMode, false, a.dilations, a.dataFormat);
  } catch {
    return null;
  }
}

const conv2D: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args;
  const { x, filter } = inputs as { x: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as Attrs;
  const simd = labSimdFor(backend);
  if (simd && x.dtype === 'float32' && filter.dtype === 'float32') {
    const g = geometryOrNull(x.shape, filter.shape, a);
    if (g && winogradApplies(g, g.inC, g.outC)) return winogradConv(simd, backend, x, filter, false);
  }
  if (native == null) throw new Error('Conv2D on wasm: the native kernel is not registered.');
  return native.kernelFunc(args);
};

export const conv2DConfig: KernelConfig = {
  kernelName: 'Conv2D',
  backendName: WASM_BACKEND,
  kernelFunc: conv2D,
  // the native kernel's setup (binding its wasm export) must still run when the backend starts
  setupFunc: (backend) => native?.setupFunc?.(backend),
};
