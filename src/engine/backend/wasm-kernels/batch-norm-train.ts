import { engine, zerosLike } from '@tensorflow/tfjs-core';
import type { GradConfig, KernelConfig, KernelFunc, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { channelAffineJs, channelSumsJs, cpuAccess, wasmAccess, type ArrayAccess, type ChannelAffine, type ChannelSums } from './array-access';
import { WASM_BACKEND } from './composer';

/**
 * Training-mode BatchNorm over all axes but the last (channels) as two kernels of the lab's own,
 * for `models/batchNormTrain.ts`:
 *
 *   LabBatchNormTrain      x, gamma, beta  -> y, mean, variance   (batch statistics)
 *   LabBatchNormTrainGrad  dy, dmean, dvariance, x, mean, variance, gamma -> dx, dgamma, dbeta
 *
 * with the gradient registered for the first (BATCH_NORM_TRAIN_GRADIENT): the statistics are
 * outputs on the tape, and what flows back into them (a replica pass normalised with the clean
 * pass's statistics) reaches x.
 *
 * Two passes over the data forward (the shifted sums, the output) and two backward (the sums, dx),
 * sums in float64: the lab's SIMD kernels on the wasm heap where they bind (channelSums and
 * channelAffine, through array-access.ts), JavaScript loops elsewhere (the cpu backend). The wasm
 * backend's own element-wise kernels (FusedBatchNorm, broadcasting Mul/Sub/Add) index every element
 * through a generic broadcast loop, and the tape of the composed formula runs some 40 of them per
 * layer (docs/wasm-training.md, section 6).
 */
export const BN_TRAIN = 'LabBatchNormTrain';
export const BN_TRAIN_GRAD = 'LabBatchNormTrainGrad';

/**
 * Per-channel mean and biased variance of `x` ([n / C, C] row-major) in one pass: the sums of
 * x − K and its squares in float64, K the first row (a sample of each channel, so the sums stay
 * centred to within a spread: mean = K + s/n, variance = q/n − (s/n)², no cancellation to speak of).
 */
export function channelMoments(x: Float32Array, C: number, mean: Float32Array, variance: Float32Array, sums: ChannelSums = channelSumsJs): void {
  const rows = x.length / C;
  const shift = Float64Array.from(x.subarray(0, C));
  const s = new Float64Array(C);
  const q = new Float64Array(C);
  sums(x, null, shift, s, q);
  for (let c = 0; c < C; c++) {
    const d = s[c] / rows;
    mean[c] = shift[c] + d;
    variance[c] = Math.max(0, q[c] / rows - d * d);
  }
}

/** y = (x − mean)·γ/√(variance + ε) + β, as y = a·x + b per channel. */
export function normalize(
  x: Float32Array,
  mean: Float32Array,
  variance: Float32Array,
  gamma: Float32Array,
  beta: Float32Array,
  epsilon: number,
  y: Float32Array,
  affine: ChannelAffine = channelAffineJs,
): void {
  const C = mean.length;
  const a = new Float32Array(C);
  const b = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    a[c] = gamma[c] / Math.sqrt(variance[c] + epsilon);
    b[c] = beta[c] - mean[c] * a[c];
  }
  affine(x, null, a, null, b, y);
}

/**
 * With r = 1/√(σ² + ε), x̂ = (x − μ)·r, N rows: dβ = Σ dy, dγ = Σ dy·x̂ and
 * dx = γr·dy − γr/N·(dβ + x̂·dγ) + dμ/N + dσ²·2(x − μ)/N (the last two: gradients arriving at the
 * statistics as outputs), written as dx = a·dy + b·x + k per channel.
 */
export function normalizeGrad(
  dy: Float32Array,
  dMean: Float32Array,
  dVariance: Float32Array,
  x: Float32Array,
  mean: Float32Array,
  variance: Float32Array,
  gamma: Float32Array,
  epsilon: number,
  dx: Float32Array,
  dGamma: Float32Array,
  dBeta: Float32Array,
  affine: ChannelAffine = channelAffineJs,
  sums: ChannelSums = channelSumsJs,
): void {
  const C = mean.length;
  const rows = x.length / C;
  const sDy = new Float64Array(C);
  const sDyX = new Float64Array(C);
  sums(dy, x, Float64Array.from(mean), sDy, sDyX);
  const a = new Float32Array(C);
  const b = new Float32Array(C);
  const k = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    const r = 1 / Math.sqrt(variance[c] + epsilon);
    const dg = sDyX[c] * r;
    dGamma[c] = dg;
    dBeta[c] = sDy[c];
    a[c] = gamma[c] * r;
    b[c] = (-a[c] * r * dg + 2 * dVariance[c]) / rows;
    // the constant term, with the mean folded in
    k[c] = (-a[c] * sDy[c] + dMean[c]) / rows - b[c] * mean[c];
  }
  affine(dy, x, a, b, k, dx);
}

/** Checks float32 x of rank ≥ 2 and per-channel inputs of shape [C]; returns C. */
export function checkChannels(name: string, x: TensorInfo, ...perChannel: TensorInfo[]): number {
  if (x.dtype !== 'float32' || perChannel.some((t) => t.dtype !== 'float32')) throw new Error(`${name}: float32 only.`);
  if (x.shape.length < 2) throw new Error(`${name}: rank ≥ 2 expected, got [${x.shape}].`);
  const C = x.shape[x.shape.length - 1];
  for (const t of perChannel) {
    if (t.shape.length !== 1 || t.shape[0] !== C) throw new Error(`${name}: per-channel input of shape [${t.shape}], expected [${C}].`);
  }
  return C;
}

function forward(access: (backend: unknown) => ArrayAccess): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, gamma, beta } = inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
    const epsilon = (attrs as { epsilon: number }).epsilon;
    const C = checkChannels(BN_TRAIN, x, gamma, beta);
    const io = access(backend);
    const { infos, arrays } = io.outputs([x.shape, [C], [C]]);
    const [y, mean, variance] = arrays;
    const xs = io.read(x);
    channelMoments(xs, C, mean, variance, io.channelSums);
    normalize(xs, mean, variance, io.read(gamma), io.read(beta), epsilon, y, io.channelAffine);
    return infos;
  };
}

function backward(access: (backend: unknown) => ArrayAccess): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, dmean, dvariance, x, mean, variance, gamma } = inputs as Record<'dy' | 'dmean' | 'dvariance' | 'x' | 'mean' | 'variance' | 'gamma', TensorInfo>;
    const epsilon = (attrs as { epsilon: number }).epsilon;
    const C = checkChannels(BN_TRAIN_GRAD, x, dmean, dvariance, mean, variance, gamma);
    if (dy.shape.length !== x.shape.length || dy.shape.some((d, i) => d !== x.shape[i])) {
      throw new Error(`${BN_TRAIN_GRAD}: dy [${dy.shape}] and x [${x.shape}] differ.`);
    }
    const io = access(backend);
    const { infos, arrays } = io.outputs([x.shape, [C], [C]]);
    const [dx, dGamma, dBeta] = arrays;
    const r = (t: TensorInfo) => io.read(t);
    normalizeGrad(r(dy), r(dmean), r(dvariance), r(x), r(mean), r(variance), r(gamma), epsilon, dx, dGamma, dBeta, io.channelAffine, io.channelSums);
    return infos;
  };
}

/**
 * The gradient of LabBatchNormTrain (any backend that has the pair): one LabBatchNormTrainGrad,
 * with zeros for the statistics' gradients where nothing flows into them.
 */
export const BATCH_NORM_TRAIN_GRADIENT: GradConfig = {
  kernelName: BN_TRAIN,
  inputsToSave: ['x', 'gamma'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved, attrs) => {
    const [dy, dMean, dVariance] = dys as Array<Tensor | null>;
    const [x, gamma, mean, variance] = saved;
    // computed here, once, in the backward pass's scope (each input's thunk below runs in a tidy of
    // its own, which would dispose the other two results if they were made inside one of them)
    const inputs = {
      dy: dy ?? zerosLike(x),
      dmean: dMean ?? zerosLike(mean),
      dvariance: dVariance ?? zerosLike(variance),
      x,
      mean,
      variance,
      gamma,
    };
    const [dx, dGamma, dBeta] = engine().runKernel(BN_TRAIN_GRAD, inputs, attrs as unknown as NamedAttrMap) as Tensor[];
    return { x: () => dx, gamma: () => dGamma, beta: () => dBeta };
  },
};

/** The pair for the wasm backend (the lab's trainer on CPUs) and for the cpu backend (tests, last resort). */
export const BATCH_NORM_TRAIN_CONFIGS: readonly KernelConfig[] = [
  { kernelName: BN_TRAIN, backendName: WASM_BACKEND, kernelFunc: forward(wasmAccess) },
  { kernelName: BN_TRAIN_GRAD, backendName: WASM_BACKEND, kernelFunc: backward(wasmAccess) },
  { kernelName: BN_TRAIN, backendName: 'cpu', kernelFunc: forward(cpuAccess) },
  { kernelName: BN_TRAIN_GRAD, backendName: 'cpu', kernelFunc: backward(cpuAccess) },
];
