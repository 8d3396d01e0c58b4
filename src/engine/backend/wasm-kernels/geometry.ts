import * as tf from '@tensorflow/tfjs-core';

/** Padding attribute as tfjs kernels receive it. */
export type PadAttr = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

/** The subset of tfjs' Conv2DInfo the training kernels rely on (NHWC only). */
export interface ConvGeometry {
  readonly batch: number;
  readonly inH: number;
  readonly inW: number;
  readonly inC: number;
  readonly outH: number;
  readonly outW: number;
  readonly outC: number;
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly padTop: number;
  readonly padLeft: number;
}

function pairOf(v: number | [number, number] | undefined): [number, number] {
  if (v == null) return [1, 1];
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

/**
 * Computes output size and padding exactly as the forward op does (tfjs' computeConv2DInfo,
 * which follows TensorFlow's 'same' rule: extra padding goes to the bottom/right).
 * Throws for what the composite kernels do not implement (NCHW, dilations > 1).
 */
export function convGeometry(
  kernel: string,
  inShape: readonly number[],
  filterShape: readonly number[],
  strides: number | [number, number],
  pad: PadAttr,
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined,
  depthwise: boolean,
  dilations?: number | [number, number],
  dataFormat?: string,
): ConvGeometry {
  if (dataFormat != null && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(`${kernel} on wasm: only NHWC is supported, got dataFormat '${dataFormat}'.`);
  }
  const [dh, dw] = pairOf(dilations);
  if (dh !== 1 || dw !== 1) {
    throw new Error(`${kernel} on wasm: dilations other than 1 are not supported, got [${dh}, ${dw}].`);
  }
  if (inShape.length !== 4 || filterShape.length !== 4) {
    throw new Error(`${kernel} on wasm: expected rank-4 input and filter, got [${inShape}] and [${filterShape}].`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    depthwise,
    'channelsLast',
  );
  const g: ConvGeometry = {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    kh: info.filterHeight,
    kw: info.filterWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
  if (g.padTop < 0 || g.padLeft < 0 || g.padTop > g.kh - 1 || g.padLeft > g.kw - 1) {
    throw new Error(
      `${kernel} on wasm: padding top/left (${g.padTop}, ${g.padLeft}) outside [0, kernel-1] is not supported.`,
    );
  }
  if (g.outH <= 0 || g.outW <= 0) {
    throw new Error(`${kernel} on wasm: empty output ${g.outH}x${g.outW}.`);
  }
  return g;
}

/** Asserts that dy has the shape the forward op produced. */
export function assertDyShape(kernel: string, g: ConvGeometry, dyShape: readonly number[]): void {
  const want = [g.batch, g.outH, g.outW, g.outC];
  if (dyShape.length !== 4 || want.some((v, i) => v !== dyShape[i])) {
    throw new Error(`${kernel} on wasm: dy has shape [${dyShape}], the forward op produces [${want}].`);
  }
}
