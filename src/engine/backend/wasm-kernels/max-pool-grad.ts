import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { compose, WASM_BACKEND } from './composer';
import type { PadAttr } from './geometry';
import { depthwiseConv2dNativeBackpropInputConfig } from './depthwise-backprop-input';

interface Attrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: PadAttr;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Padding value: loses every max against real data; finite so that 0 * pad == 0 in im2col. */
const PAD_VALUE = -3.4028234663852886e38;

const selectors = new Map<string, Float32Array>();

/** [kh, kw, C, T] one-hot filter: output channel c*T + t of a depthwise conv = window tap t. */
function tapSelector(kh: number, kw: number, C: number): Float32Array {
  const key = `${kh}x${kw}x${C}`;
  let e = selectors.get(key);
  if (e == null) {
    const T = kh * kw;
    e = new Float32Array(kh * kw * C * T);
    for (let t = 0; t < T; t++) for (let ch = 0; ch < C; ch++) e[(t * C + ch) * T + t] = 1;
    selectors.set(key, e);
  }
  return e;
}

/**
 * Gradient of max pooling with TensorFlow's / the cpu backend's tie rule: each window routes
 * its gradient to the FIRST maximal element in row-major window order; padding never wins.
 * Replaces the MaxPoolGrad shipped with tfjs-backend-wasm 4.22, which drops gradient entries
 * when there is more than one channel (found by this project's tests).
 *
 * All on fast wasm kernels: im2col of the padded input by a depthwise conv with a one-hot
 * tap selector (exact: x*1 plus zeros), ArgMax over the taps (first maximum), OneHot * dy,
 * and col2im as the depthwise-conv input gradient of the same selector.
 * Limitation: an input containing +-Infinity yields NaN gradients (Inf * 0 in the im2col).
 */
const maxPoolGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const a = attrs as unknown as Attrs;
  const name = 'MaxPoolGrad';
  if (input.shape.length !== 4) throw new Error(`${name} on wasm: rank-4 input expected, got [${input.shape}].`);
  if (input.dtype !== 'float32' || dy.dtype !== 'float32') throw new Error(`${name} on wasm: float32 only.`);
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    a.filterSize,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
  const N = info.batchSize;
  const H = info.inHeight;
  const W = info.inWidth;
  const C = info.inChannels;
  const Ho = info.outHeight;
  const Wo = info.outWidth;
  const kh = info.filterHeight;
  const kw = info.filterWidth;
  const sh = info.strideHeight;
  const sw = info.strideWidth;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const T = kh * kw;
  if (pt < 0 || pl < 0 || pt > kh - 1 || pl > kw - 1) {
    throw new Error(`${name} on wasm: padding (${pt}, ${pl}) outside [0, window-1] is not supported.`);
  }
  const want = [N, Ho, Wo, C];
  if (dy.shape.length !== 4 || want.some((v, i) => v !== dy.shape[i])) {
    throw new Error(`${name} on wasm: dy has shape [${dy.shape}], the forward op produces [${want}].`);
  }
  const pb = info.padInfo.bottom;
  const pr = info.padInfo.right;
  return compose(backend, (c) => {
    let xp = input;
    if (pt + pb + pl + pr > 0) {
      xp = c.run('PadV2', { x: input }, { paddings: [[0, 0], [pt, pb], [pl, pr], [0, 0]], constantValue: PAD_VALUE });
    }
    const selector = c.constant(tapSelector(kh, kw, C), [kh, kw, C, T]);
    const cols = c.run(
      'DepthwiseConv2dNative',
      { x: xp, filter: selector },
      { strides: [sh, sw], pad: 'valid', dilations: [1, 1], dimRoundingMode: undefined },
    );
    if (xp !== input) c.release(xp);
    if (cols.shape[1] !== Ho || cols.shape[2] !== Wo) {
      throw new Error(`${name} on wasm: internal shape error, windows [${cols.shape}] vs output ${Ho}x${Wo}.`);
    }
    const cols5 = c.reshape(cols, [N, Ho, Wo, C, T]);
    c.release(cols);
    const arg = c.run('ArgMax', { x: cols5 }, { axis: 4 }); // index of the first maximum
    c.release(cols5);
    const hot = c.run('OneHot', { indices: arg }, { depth: T, onValue: 1, offValue: 0, dtype: 'int32' });
    c.release(arg);
    const hotF = c.run('Cast', { x: hot }, { dtype: 'float32' });
    c.release(hot);
    const dy5 = c.reshape(dy, [N, Ho, Wo, C, 1]);
    const contrib5 = c.run('Multiply', { a: hotF, b: dy5 });
    c.release(hotF);
    c.release(dy5);
    const contrib = c.reshape(contrib5, [N, Ho, Wo, C * T]);
    c.release(contrib5);
    // col2im: the transpose of the im2col above, i.e. its input gradient, straight to [N,H,W,C].
    const dx = c.own(
      depthwiseConv2dNativeBackpropInputConfig.kernelFunc({
        inputs: { dy: contrib, filter: selector },
        backend,
        attrs: {
          strides: [sh, sw],
          pad: [[0, 0], [pt, pb], [pl, pr], [0, 0]],
          dilations: [1, 1],
          dimRoundingMode: undefined,
          inputShape: [N, H, W, C],
        } as never,
      }) as TensorInfo,
    );
    return dx;
  });
};

export const maxPoolGradConfig: KernelConfig = {
  kernelName: 'MaxPoolGrad',
  backendName: WASM_BACKEND,
  kernelFunc: maxPoolGrad,
};
