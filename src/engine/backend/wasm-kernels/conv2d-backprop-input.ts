import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { wasmAccess } from './array-access';
import { compose, WASM_BACKEND } from './composer';
import { assertDyShape, convGeometry, type PadAttr } from './geometry';
import { spreadAndPadDy } from './depthwise-backprop-input';
import { labSimdFor } from './simd/labSimd';
import { winogradApplies, winogradConv } from './winograd';

interface Attrs {
  strides: number | [number, number];
  pad: PadAttr;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

/**
 * dx = stride-1 'valid' XNNPACK convolution of the spread, padded dy with the spatially
 * flipped, in/out-transposed filter W'[i,j,co,ci] = W[kh-1-i, kw-1-j, ci, co].
 * tfjs-backend-wasm ships a scalar-loop Conv2DBackpropInput; measured at batch 64 this is
 * 2-10x faster for 3x3 stride 1/2 and 1x1 stride 2, but 3x slower for non-overlapping
 * windows with a kernel of 2x2 or more (patch embedding 4x4/4: spreading dy by the stride
 * inflates it s^2-fold), so those shapes are delegated to the native kernel.
 */
let native: KernelConfig | undefined;

/** Keeps the wasm package's own kernel for the shapes where it is faster (called at registration). */
export function keepNativeConv2DBackpropInput(config: KernelConfig | undefined): void {
  native = config;
}

function preferNative(kh: number, kw: number, sh: number, sw: number): boolean {
  return kh * kw >= 4 && sh >= kh && sw >= kw;
}

/**
 * W'[i, j, co, ci] = W[kh−1−i, kw−1−j, ci, co] in one pass (a JavaScript loop on the heap): a
 * Transpose and a Reverse on the wasm backend cost ~0.5 ms per call on a 3x3x64x64 filter, paid
 * at every step by every layer, five times per layer with WaterMAS's replicas on slices.
 */
function flippedFilter(backend: unknown, filter: TensorInfo): TensorInfo {
  const [kh, kw, ci, co] = filter.shape;
  const io = wasmAccess(backend);
  const { infos, arrays } = io.outputs([[kh, kw, co, ci]]);
  const w = io.read(filter);
  const out = arrays[0];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const src = ((kh - 1 - i) * kw + (kw - 1 - j)) * ci * co;
      const dst = (i * kw + j) * co * ci;
      for (let a = 0; a < ci; a++) for (let b = 0; b < co; b++) out[dst + b * ci + a] = w[src + a * co + b];
    }
  }
  return infos[0];
}

const conv2DBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as Attrs;
  const name = 'Conv2DBackpropInput';
  const g = convGeometry(name, a.inputShape, filter.shape, a.strides, a.pad, a.dimRoundingMode, false, 1, a.dataFormat);
  assertDyShape(name, g, dy.shape);
  if (dy.dtype !== 'float32' || filter.dtype !== 'float32') throw new Error(`${name} on wasm: float32 only.`);
  const simd = winogradApplies(g, g.outC, g.inC) ? labSimdFor(backend) : null;
  if (simd) return winogradConv(simd, backend, dy, filter, true);
  if (native != null && preferNative(g.kh, g.kw, g.sh, g.sw)) return native.kernelFunc({ inputs, backend, attrs });
  return compose(backend, (c) => {
    const prep = spreadAndPadDy(c, dy, g);
    const f = c.own(flippedFilter(backend, filter));
    let r = c.run(
      'Conv2D',
      { x: prep.t, filter: f },
      { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined },
    );
    if (prep.t !== dy) c.release(prep.t);
    c.release(f);
    if (prep.outH !== g.inH || prep.outW !== g.inW) {
      const cropped = c.slice(r, [0, 0, 0, 0], [g.batch, g.inH, g.inW, g.inC]);
      c.release(r);
      r = cropped;
    }
    return r;
  });
};

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: WASM_BACKEND,
  kernelFunc: conv2DBackpropInput,
  // The native kernel's setup (binding its wasm export) must still run when the backend starts.
  setupFunc: (backend) => native?.setupFunc?.(backend),
};
