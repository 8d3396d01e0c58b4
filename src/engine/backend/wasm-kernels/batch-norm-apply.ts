import type { GradConfig, KernelConfig, KernelFunc, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { engine } from '@tensorflow/tfjs-core';
import { channelAffineJs, channelSumsJs, cpuAccess, wasmAccess, type ArrayAccess, type ChannelAffine, type ChannelSums } from './array-access';
import { checkChannels, normalize } from './batch-norm-train';
import { WASM_BACKEND } from './composer';

/**
 * BatchNorm with given statistics, over all axes but the last (channels), as two kernels of the
 * lab's own, for `models/batchNormApply.ts`:
 *
 *   LabBatchNormApply      x, mean, variance, gamma, beta -> y = (x − mean)·γ/√(variance + ε) + β
 *   LabBatchNormApplyGrad  dy, x, mean, variance, gamma   -> dx, dmean, dvariance, dgamma, dbeta
 *
 * with the gradient registered for the first (BATCH_NORM_APPLY_GRADIENT). Two uses: inference
 * (the moving statistics: every evaluation, landscape point and attack curve), and a WaterMAS
 * replica normalised with the clean pass's batch statistics, whose gradient flows back into them
 * (then into LabBatchNormTrainGrad's dmean and dvariance). Before, both ran the composed formula:
 * five broadcasting element-wise kernels forward and, on the tape, some 20 backward, per layer.
 *
 * One pass over the data forward, two backward (the per-channel sums in float64, then dx): the
 * lab's SIMD kernels on the wasm heap where they bind (array-access.ts), else JavaScript loops.
 */
export const BN_APPLY = 'LabBatchNormApply';
export const BN_APPLY_GRAD = 'LabBatchNormApplyGrad';

/**
 * With r = 1/√(σ² + ε) and s = γ·r: dx = s·dy, dβ = Σ dy, dγ = r·Σ dy·(x − μ), dμ = −s·Σ dy,
 * dσ² = −½·γ·r³·Σ dy·(x − μ): one pass for the sums, one for dx.
 */
export function normalizeWithGrad(
  dy: Float32Array,
  x: Float32Array,
  mean: Float32Array,
  variance: Float32Array,
  gamma: Float32Array,
  epsilon: number,
  out: { dx: Float32Array; dMean: Float32Array; dVariance: Float32Array; dGamma: Float32Array; dBeta: Float32Array },
  affine: ChannelAffine = channelAffineJs,
  sums: ChannelSums = channelSumsJs,
): void {
  const C = mean.length;
  const sDy = new Float64Array(C);
  const sDyX = new Float64Array(C);
  sums(dy, x, Float64Array.from(mean), sDy, sDyX);
  const s = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    const r = 1 / Math.sqrt(variance[c] + epsilon);
    s[c] = gamma[c] * r;
    out.dBeta[c] = sDy[c];
    out.dGamma[c] = sDyX[c] * r;
    out.dMean[c] = -gamma[c] * r * sDy[c];
    out.dVariance[c] = -0.5 * gamma[c] * r * r * r * sDyX[c];
  }
  affine(dy, null, s, null, new Float32Array(C), out.dx);
}

function forward(access: (backend: unknown) => ArrayAccess): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, mean, variance, gamma, beta } = inputs as Record<'x' | 'mean' | 'variance' | 'gamma' | 'beta', TensorInfo>;
    const epsilon = (attrs as { epsilon: number }).epsilon;
    checkChannels(BN_APPLY, x, mean, variance, gamma, beta);
    const io = access(backend);
    const { infos, arrays } = io.outputs([x.shape]);
    const r = (t: TensorInfo) => io.read(t);
    // the same output as the training kernel's, with the given statistics
    normalize(r(x), r(mean), r(variance), r(gamma), r(beta), epsilon, arrays[0], io.channelAffine);
    return infos[0];
  };
}

function backward(access: (backend: unknown) => ArrayAccess): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, x, mean, variance, gamma } = inputs as Record<'dy' | 'x' | 'mean' | 'variance' | 'gamma', TensorInfo>;
    const epsilon = (attrs as { epsilon: number }).epsilon;
    const C = checkChannels(BN_APPLY_GRAD, x, mean, variance, gamma);
    if (dy.shape.length !== x.shape.length || dy.shape.some((d, i) => d !== x.shape[i])) {
      throw new Error(`${BN_APPLY_GRAD}: dy [${dy.shape}] and x [${x.shape}] differ.`);
    }
    const io = access(backend);
    const { infos, arrays } = io.outputs([x.shape, [C], [C], [C], [C]]);
    const [dx, dMean, dVariance, dGamma, dBeta] = arrays;
    const r = (t: TensorInfo) => io.read(t);
    normalizeWithGrad(r(dy), r(x), r(mean), r(variance), r(gamma), epsilon, { dx, dMean, dVariance, dGamma, dBeta }, io.channelAffine, io.channelSums);
    return infos;
  };
}

/** The gradient of LabBatchNormApply (any backend that has the pair): one LabBatchNormApplyGrad for all five inputs. */
export const BATCH_NORM_APPLY_GRADIENT: GradConfig = {
  kernelName: BN_APPLY,
  inputsToSave: ['x', 'mean', 'variance', 'gamma'],
  gradFunc: (dy, saved, attrs) => {
    const [x, mean, variance, gamma] = saved;
    // computed once, in the backward pass's scope (see BATCH_NORM_TRAIN_GRADIENT)
    const [dx, dMean, dVariance, dGamma, dBeta] = engine().runKernel(
      BN_APPLY_GRAD,
      { dy: dy as Tensor, x, mean, variance, gamma },
      attrs as unknown as NamedAttrMap,
    ) as Tensor[];
    return { x: () => dx, mean: () => dMean, variance: () => dVariance, gamma: () => dGamma, beta: () => dBeta };
  },
};

/** The pair for the wasm backend and for the cpu backend, as BATCH_NORM_TRAIN_CONFIGS. */
export const BATCH_NORM_APPLY_CONFIGS: readonly KernelConfig[] = [
  { kernelName: BN_APPLY, backendName: WASM_BACKEND, kernelFunc: forward(wasmAccess) },
  { kernelName: BN_APPLY_GRAD, backendName: WASM_BACKEND, kernelFunc: backward(wasmAccess) },
  { kernelName: BN_APPLY, backendName: 'cpu', kernelFunc: forward(cpuAccess) },
  { kernelName: BN_APPLY_GRAD, backendName: 'cpu', kernelFunc: backward(cpuAccess) },
];
