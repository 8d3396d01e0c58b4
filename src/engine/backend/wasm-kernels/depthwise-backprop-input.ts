import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { compose, type KernelComposer, WASM_BACKEND } from './composer';
import { assertDyShape, convGeometry, type ConvGeometry, type PadAttr } from './geometry';

interface Attrs {
  strides: number | [number, number];
  pad: PadAttr;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dilations?: number | [number, number];
  inputShape: [number, number, number, number];
}

/**
 * Spreads dy onto the stride grid (s-1 zeros between values) and pads it so that a stride-1
 * 'valid' correlation with the spatially flipped kernel yields exactly the input size:
 * top/left padding kh-1-padTop, bottom/right whatever makes the output H (W) rows.
 * Returns the prepared tensor and the output rows/cols it will produce (>= H, W).
 */
export function spreadAndPadDy(
  c: KernelComposer,
  dy: TensorInfo,
  g: ConvGeometry,
): { t: TensorInfo; outH: number; outW: number } {
  const ch = dy.shape[3];
  let t = dy;
  // Height/width of dy once spread, including the s-1 trailing zeros of the last row/col.
  let hh = g.outH;
  let ww = g.outW;
  if (g.sh > 1 || g.sw > 1) {
    const r5 = c.reshape(dy, [g.batch * g.outH, 1, g.outW, 1, ch]);
    const p5 = c.pad(r5, [[0, 0], [0, g.sh - 1], [0, 0], [0, g.sw - 1], [0, 0]]);
    c.release(r5);
    hh = g.outH * g.sh;
    ww = g.outW * g.sw;
    t = c.reshape(p5, [g.batch, hh, ww, ch]);
    c.release(p5);
  }
  const realH = (g.outH - 1) * g.sh + 1;
  const realW = (g.outW - 1) * g.sw + 1;
  const top = g.kh - 1 - g.padTop;
  const left = g.kw - 1 - g.padLeft;
  // Rows needed below the spread dy for H output rows (never negative for 'same'/'valid').
  const bottom = Math.max(0, g.inH + g.padTop - realH);
  const right = Math.max(0, g.inW + g.padLeft - realW);
  // The spread tensor already carries hh - realH trailing zero rows.
  const extraH = hh - realH;
  const extraW = ww - realW;
  if (extraH > bottom || extraW > right) {
    const cropped = c.slice(t, [0, 0, 0, 0], [g.batch, realH + Math.min(extraH, bottom), realW + Math.min(extraW, right), ch]);
    if (t !== dy) c.release(t);
    t = cropped;
    hh = cropped.shape[1];
    ww = cropped.shape[2];
  }
  const padB = realH + bottom - hh;
  const padR = realW + right - ww;
  if (top + padB + left + padR > 0) {
    const padded = c.padSpatial(t, [top, padB], [left, padR]);
    if (t !== dy) c.release(t);
    t = padded;
  }
  return { t, outH: t.shape[1] - g.kh + 1, outW: t.shape[2] - g.kw + 1 };
}

/**
 * dx = depthwise correlation of the spread, padded dy with the spatially flipped filter,
 * the channel multiplier summed out: dx[n,h,w,c] = sum_q (dy_spread * flip(W[:,:,c,q]))[...].
 */
const depthwiseBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as Attrs;
  const name = 'DepthwiseConv2dNativeBackpropInput';
  const g = convGeometry(name, a.inputShape, filter.shape, a.strides, a.pad, a.dimRoundingMode, true, a.dilations);
  assertDyShape(name, g, dy.shape);
  if (dy.dtype !== 'float32' || filter.dtype !== 'float32') throw new Error(`${name} on wasm: float32 only.`);
  const C = g.inC;
  const m = filter.shape[3];
  return compose(backend, (c) => {
    const prep = spreadAndPadDy(c, dy, g);
    const flipped = c.run('Reverse', { x: filter }, { dims: [0, 1] });
    const f = c.reshape(flipped, [g.kh, g.kw, C * m, 1]);
    c.release(flipped);
    let r = c.run(
      'DepthwiseConv2dNative',
      { x: prep.t, filter: f },
      { strides: [1, 1], pad: 'valid', dilations: [1, 1], dimRoundingMode: undefined },
    );
    if (prep.t !== dy) c.release(prep.t);
    c.release(f);
    if (m > 1) {
      const r5 = c.reshape(r, [g.batch, prep.outH, prep.outW, C, m]);
      c.release(r);
      r = c.run('Sum', { x: r5 }, { axis: [4], keepDims: false });
      c.release(r5);
    }
    if (prep.outH !== g.inH || prep.outW !== g.inW) {
      const cropped = c.slice(r, [0, 0, 0, 0], [g.batch, g.inH, g.inW, C]);
      c.release(r);
      r = cropped;
    }
    return r;
  });
};

export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  backendName: WASM_BACKEND,
  kernelFunc: depthwiseBackpropInput,
};
