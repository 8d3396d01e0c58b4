import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { compose, WASM_BACKEND } from './composer';
import { assertDyShape, convGeometry, type PadAttr } from './geometry';

interface Attrs {
  strides: number | [number, number];
  pad: PadAttr;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dilations?: number | [number, number];
  filterShape: [number, number, number, number];
}

/**
 * dW[i,j,c,q] = sum_{n,oh,ow} x[n, oh*sh + i - padTop, ow*sw + j - padLeft, c] * dy[n,oh,ow,c*m+q].
 *
 * One XNNPACK depthwise convolution with batch folded into channels: input
 * [1, H', W', N*C(*m)] (x with batch moved next to channels, repeated m times for a channel
 * multiplier), filter dy as [Ho, Wo, N*C*m, 1], stride 1, dilation = the forward stride,
 * explicit padding = the forward padding; output [1, kh, kw, N*C*m], then summed over N.
 * (Per-tap strided slices were ~100x slower: the wasm Slice/StridedSlice kernels are scalar.)
 */
const depthwiseBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as Attrs;
  const name = 'DepthwiseConv2dNativeBackpropFilter';
  const g = convGeometry(name, x.shape, a.filterShape, a.strides, a.pad, a.dimRoundingMode, true, a.dilations);
  assertDyShape(name, g, dy.shape);
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') throw new Error(`${name} on wasm: float32 only.`);
  const m = a.filterShape[3];
  const C = g.inC;
  const N = g.batch;
  return compose(backend, (c) => {
    const needH = (g.outH - 1) * g.sh + g.kh - g.padTop;
    const needW = (g.outW - 1) * g.sw + g.kw - g.padLeft;
    let xs = x;
    if (needH < g.inH || needW < g.inW) {
      xs = c.slice(x, [0, 0, 0, 0], [N, Math.min(g.inH, needH), Math.min(g.inW, needW), C]);
    }
    const h = xs.shape[1];
    const w = xs.shape[2];
    const padBottom = Math.max(0, needH - g.inH);
    const padRight = Math.max(0, needW - g.inW);
    const xT = c.transpose(xs, [1, 2, 0, 3]); // [h, w, N, C]
    if (xs !== x) c.release(xs);
    let input: TensorInfo;
    if (m === 1) {
      input = c.reshape(xT, [1, h, w, N * C]);
    } else {
      const x5 = c.reshape(xT, [h, w, N, C, 1]);
      const rep = c.run('Tile', { x: x5 }, { reps: [1, 1, 1, 1, m] });
      c.release(x5);
      input = c.reshape(rep, [1, h, w, N * C * m]);
      c.release(rep);
    }
    c.release(xT);
    const dyT = c.transpose(dy, [1, 2, 0, 3]); // [Ho, Wo, N, C*m]
    const filter = c.reshape(dyT, [g.outH, g.outW, N * C * m, 1]);
    c.release(dyT);
    const r = c.run(
      'DepthwiseConv2dNative',
      { x: input, filter },
      {
        strides: [1, 1],
        pad: [[0, 0], [g.padTop, padBottom], [g.padLeft, padRight], [0, 0]],
        dilations: [g.sh, g.sw],
        dimRoundingMode: undefined,
      },
    );
    c.release(input);
    c.release(filter);
    if (r.shape[1] !== g.kh || r.shape[2] !== g.kw) {
      throw new Error(`${name} on wasm: internal shape error, got [${r.shape}] for kernel ${g.kh}x${g.kw}.`);
    }
    const r4 = c.reshape(r, [g.kh, g.kw, N, C * m]);
    c.release(r);
    const s = c.run('Sum', { x: r4 }, { axis: [2], keepDims: false });
    c.release(r4);
    return c.reshape(s, [g.kh, g.kw, C, m]);
  });
};

export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  backendName: WASM_BACKEND,
  kernelFunc: depthwiseBackpropFilter,
};
