import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { compose, WASM_BACKEND } from './composer';
import { assertDyShape, convGeometry, type PadAttr } from './geometry';

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
 */
const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as Attrs;
  const name = 'Conv2DBackpropFilter';
  const g = convGeometry(name, x.shape, a.filterShape, a.strides, a.pad, a.dimRoundingMode, false, 1, a.dataFormat);
  assertDyShape(name, g, dy.shape);
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') throw new Error(`${name} on wasm: float32 only.`);
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

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: WASM_BACKEND,
  kernelFunc: conv2DBackpropFilter,
};
