import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { heapOffset, wasmAccess } from './array-access';
import { compose, WASM_BACKEND } from './composer';
import { assertDyShape, convGeometry, type ConvGeometry, type PadAttr } from './geometry';
import { labSimdFor, type LabSimdKernels } from './simd/labSimd';
import { winogradApplies, winogradFilterGrad } from './winograd';

interface Attrs {
  strides: number | [number, number];
  pad: PadAttr;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/**
 * dW[i,j,ci,co] = sum_{n,oh,ow} x[n, oh*sh + i - padTop, ow*sw + j - padLeft, ci] * dy[n,oh,ow,co].
 *
 * Written as ONE forward convolution that XNNPACK runs fast ("batch and channels swapped"):
 * input  x^T  [Ci, H', W', N]  (channels = batch),
 * filter dy^T [Ho, Wo, N, Co]  (the output gradient is the kernel),
 * stride 1, dilation = the forward stride, explicit padding = the forward padding,
 * output [Ci, kh, kw, Co], transposed back to [kh, kw, Ci, Co].
 * Measured at batch 64 (ResNet-20 shapes) it beat im2col + matmul by 3-30x.
 * H' is x cropped/padded to exactly (Ho-1)*sh + kh rows so that the output is kh rows.
 *
 * Where the lab's own SIMD kernel applies (output channels in whole tiles of 8, every zoo
 * convolution) it runs instead (simdFilterGrad), straight from x and dy in NHWC: the swapped
 * convolution spends most of its time re-laying out its operands (two transposes, then XNNPACK
 * transposes and packs dy as a filter on every call); convFilterGrad in lab-simd.wat runs at about
 * 3x its speed (docs/wasm-training.md, section 7). 3x3 stride-1 'same' convolutions take the
 * Winograd F(2x2, 3x3) kernel instead (winograd.ts, section 9).
 */
const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as Attrs;
  const name = 'Conv2DBackpropFilter';
  const g = convGeometry(name, x.shape, a.filterShape, a.strides, a.pad, a.dimRoundingMode, false, 1, a.dataFormat);
  assertDyShape(name, g, dy.shape);
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') throw new Error(`${name} on wasm: float32 only.`);
  const simd = g.outC % 8 === 0 ? labSimdFor(backend) : null;
  if (simd && winogradApplies(g, g.inC, g.outC)) return winogradFilterGrad(simd, backend, x, dy);
  if (simd) return simdFilterGrad(simd, backend, x, dy, g);
  return compose(backend, (c) => {
    const needH = (g.outH - 1) * g.sh + g.kh - g.padTop;
    const needW = (g.outW - 1) * g.sw + g.kw - g.padLeft;
    let xs = x;
    if (needH < g.inH || needW < g.inW) {
      xs = c.slice(x, [0, 0, 0, 0], [g.batch, Math.min(g.inH, needH), Math.min(g.inW, needW), g.inC]);
    }
    const padBottom = Math.max(0, needH - g.inH);
    const padRight = Math.max(0, needW - g.inW);
    const xT = c.transpose(xs, [3, 1, 2, 0]);
    if (xs !== x) c.release(xs);
    const dyT = c.transpose(dy, [1, 2, 0, 3]);
    const r = c.run(
      'Conv2D',
      { x: xT, filter: dyT },
      {
        strides: [1, 1],
        pad: [[0, 0], [g.padTop, padBottom], [g.padLeft, padRight], [0, 0]],
        dataFormat: 'NHWC',
        dilations: [g.sh, g.sw],
        dimRoundingMode: undefined,
      },
    );
    c.release(xT);
    c.release(dyT);
    if (r.shape[1] !== g.kh || r.shape[2] !== g.kw) {
      throw new Error(`${name} on wasm: internal shape error, got [${r.shape}] for kernel ${g.kh}x${g.kw}.`);
    }
    return c.transpose(r, [1, 2, 0, 3]);
  });
};

/**
 * The filter gradient on the lab's SIMD kernel. Input channels go in tiles of 4: x with Ci % 4 ≠ 0
 * (an RGB stem) is first copied with zero channels up to the next multiple of 4, and the gradient's
 * extra rows dropped.
 */
function simdFilterGrad(simd: LabSimdKernels, backend: unknown, x: TensorInfo, dy: TensorInfo, g: ConvGeometry): TensorInfo {
  const io = wasmAccess(backend);
  const offset = (t: TensorInfo) => heapOffset(backend, t);
  const run = (xs: TensorInfo, ci: number, out: TensorInfo, outArray: Float32Array) => {
    outArray.fill(0);
    simd.convFilterGrad(offset(xs), offset(dy), offset(out), g.batch, g.inH, g.inW, ci, g.outH, g.outW, g.outC, g.kh, g.kw, g.sh, g.sw, g.padTop, g.padLeft);
  };
  if (g.inC % 4 === 0) {
    const { infos, arrays } = io.outputs([[g.kh, g.kw, g.inC, g.outC]]);
    run(x, g.inC, infos[0], arrays[0]);
    return infos[0];
  }
  const ci4 = Math.ceil(g.inC / 4) * 4;
  return compose(backend, (c) => {
    const { infos, arrays } = io.outputs([[g.batch, g.inH, g.inW, ci4], [g.kh, g.kw, ci4, g.outC], [g.kh, g.kw, g.inC, g.outC]]);
    const [padded, wide, result] = infos.map((t) => c.own(t));
    const [paddedArray, wideArray, resultArray] = arrays;
    const xs = io.read(x);
    paddedArray.fill(0);
    for (let p = 0, q = 0; p < xs.length; p += g.inC, q += ci4) for (let k = 0; k < g.inC; k++) paddedArray[q + k] = xs[p + k];
    run(padded, ci4, wide, wideArray);
    for (let tap = 0; tap < g.kh * g.kw; tap++) resultArray.set(wideArray.subarray(tap * ci4 * g.outC, (tap * ci4 + g.inC) * g.outC), tap * g.inC * g.outC);
    c.release(padded);
    c.release(wide);
    return result;
  });
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: WASM_BACKEND,
  kernelFunc: conv2DBackpropFilter,
};
