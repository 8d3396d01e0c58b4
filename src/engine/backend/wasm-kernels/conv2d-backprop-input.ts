import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { heapOffset, wasmAccess } from './array-access';
import { compose, WASM_BACKEND } from './composer';
import { assertDyShape, convGeometry, type ConvGeometry, type PadAttr } from './geometry';
import { spreadAndPadDy } from './depthwise-backprop-input';
import { labSimdFor, type LabSimdKernels } from './simd/labSimd';
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
 * The filter with its channel axes swapped, W'[i, j, co, ci] = W[i, j, ci, co], and with `flip`
 * also spatially flipped, W'[i, j, co, ci] = W[kh−1−i, kw−1−j, ci, co], in one pass (a JavaScript
 * loop on the heap): a Transpose and a Reverse on the wasm backend cost ~0.5 ms per call on a
 * 3x3x64x64 filter, paid at every step by every layer, five times per layer with WaterMAS's
 * replicas on slices.
 */
function swappedFilter(backend: unknown, filter: TensorInfo, flip: boolean): TensorInfo {
  const [kh, kw, ci, co] = filter.shape;
  const io = wasmAccess(backend);
  const { infos, arrays } = io.outputs([[kh, kw, co, ci]]);
  const w = io.read(filter);
  const out = arrays[0];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const src = (flip ? (kh - 1 - i) * kw + (kw - 1 - j) : i * kw + j) * ci * co;
      const dst = (i * kw + j) * co * ci;
      for (let a = 0; a < ci; a++) for (let b = 0; b < co; b++) out[dst + b * ci + a] = w[src + a * co + b];
    }
  }
  return infos[0];
}

/**
 * A strided layer's input gradient on the lab's SIMD kernel (convInputGrad in lab-simd.wat): only
 * the taps that reach each pixel of dx, where the spread dy of the XNNPACK path makes a stride-2
 * layer multiply 4x as many terms, three quarters of them zeros (docs/wasm-training.md, section 9).
 */
function simdInputGrad(simd: LabSimdKernels, backend: unknown, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry): TensorInfo {
  const io = wasmAccess(backend);
  return compose(backend, (c) => {
    const wt = c.own(swappedFilter(backend, filter, false));
    const { infos, arrays } = io.outputs([[g.outC], [g.batch, g.inH, g.inW, g.inC]]);
    const [zero, dx] = infos.map((t) => c.own(t));
    arrays[0].fill(0);
    const at = (t: TensorInfo) => heapOffset(backend, t);
    simd.convInputGrad(at(dy), at(wt), at(dx), at(zero), g.batch, g.inH, g.inW, g.inC, g.outH, g.outW, g.outC, g.kh, g.kw, g.sh, g.sw, g.padTop, g.padLeft);
    c.release(wt);
    c.release(zero);
    return dx;
  });
}

const conv2DBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as Attrs;
  const name = 'Conv2DBackpropInput';
  const g = convGeometry(name, a.inputShape, filter.shape, a.strides, a.pad, a.dimRoundingMode, false, 1, a.dataFormat);
  assertDyShape(name, g, dy.shape);
  if (dy.dtype !== 'float32' || filter.dtype !== 'float32') throw new Error(`${name} on wasm: float32 only.`);
  const simd = labSimdFor(backend);
  if (simd && winogradApplies(g, g.outC, g.inC)) return winogradConv(simd, backend, dy, filter, true);
  if (simd && g.inC % 8 === 0 && (g.sh > 1 || g.sw > 1)) return simdInputGrad(simd, backend, dy, filter, g);
  if (native != null && preferNative(g.kh, g.kw, g.sh, g.sw)) return native.kernelFunc({ inputs, backend, attrs });
  return compose(backend, (c) => {
    const prep = spreadAndPadDy(c, dy, g);
    const f = c.own(swappedFilter(backend, filter, true));
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
