import * as tf from '@tensorflow/tfjs-core';
// The wasm package registers its native kernels on import; it must come first so that the
// replacements below are not overwritten by a later import.
import '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { conv2DConfig, keepNativeConv2D } from './conv2d';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter';
import { conv2DBackpropInputConfig, keepNativeConv2DBackpropInput } from './conv2d-backprop-input';
import { depthwiseConv2dNativeBackpropFilterConfig } from './depthwise-backprop-filter';
import { depthwiseConv2dNativeBackpropInputConfig } from './depthwise-backprop-input';
import { maxPoolGradConfig } from './max-pool-grad';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum';
import { keepNativeTile, tileConfig } from './tile';
import { keepNativeMean, keepNativeSum, meanConfig, sumConfig } from './reduce-leading';
import { WASM_BACKEND } from './composer';
import { BATCH_NORM_TRAIN_CONFIGS, BATCH_NORM_TRAIN_GRADIENT } from './batch-norm-train';
import { BATCH_NORM_APPLY_CONFIGS, BATCH_NORM_APPLY_GRADIENT } from './batch-norm-apply';
import { RELU_GRAD_CONFIGS } from './relu-grad';
import { identityConfig } from './identity';

/**
 * Gradient kernels that tfjs-backend-wasm 4.22 lacks, found by running training steps of
 * conv/BN/depthwise/pooling/activation/softmax-CE/layer-norm/matmul/gather stacks on wasm.
 * (AvgPoolGrad ships with the wasm backend and is verified by the tests; its MaxPoolGrad is
 * wrong for more than one channel and its Conv2DBackpropInput slow: both are replaced.)
 * Plus the lab's own fused training kernels, for wasm and for cpu, used by models/ where they
 * are registered: BatchNorm with batch statistics (LabBatchNormTrain/-Grad), BatchNorm with given
 * statistics (LabBatchNormApply/-Grad) and the ReLU gradient (LabReluGrad).
 */
const CONFIGS: readonly KernelConfig[] = [
  conv2DBackpropFilterConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  unsortedSegmentSumConfig,
  maxPoolGradConfig,
  conv2DBackpropInputConfig,
  conv2DConfig,
  tileConfig,
  sumConfig,
  meanConfig,
  identityConfig,
  ...BATCH_NORM_TRAIN_CONFIGS,
  ...BATCH_NORM_APPLY_CONFIGS,
  ...RELU_GRAD_CONFIGS,
];

/**
 * Kernels that tfjs-backend-wasm 4.22 ships but gets wrong or runs slowly; ours replace them.
 * MaxPoolGrad: the native one drops gradient entries when channels > 1.
 * Conv2DBackpropInput: the native one is a scalar loop; ours (XNNPACK conv) is faster for
 * the zoo's 3x3 and 1x1 convolutions and delegates to the native one where it is not.
 * Tile: the native one is an index loop; broadcast tiles (BatchNorm gradient) go to XNNPACK.
 * Sum, Mean: the native ones transpose the whole input first; reductions over leading axes
 * (BatchNorm) become blocked ones-vector products on XNNPACK, faster and more accurate.
 * Identity: the native one copies the buffer; ours shares it (identity.ts).
 * Conv2D: 3x3 stride-1 'same' convolutions run as Winograd F(2x2, 3x3) on the lab's SIMD kernels
 * (winograd.ts); every other shape goes to the native (XNNPACK) kernel.
 */
const REPLACES_NATIVE: ReadonlySet<string> = new Set(['MaxPoolGrad', 'Conv2DBackpropInput', 'Conv2D', 'Tile', 'Sum', 'Mean', 'Identity']);

/** Replacements that delegate some cases to the native kernel they replace. */
const KEEP_NATIVE = new Map<KernelConfig, (native: KernelConfig) => void>([
  [conv2DBackpropInputConfig, keepNativeConv2DBackpropInput],
  [conv2DConfig, keepNativeConv2D],
  [tileConfig, keepNativeTile],
  [sumConfig, keepNativeSum],
  [meanConfig, keepNativeMean],
]);

/** Names of the kernels that `registerWasmTrainingKernels` adds to (or replaces in) the 'wasm' backend. */
export const WASM_TRAINING_KERNELS: readonly string[] = CONFIGS.filter((k) => k.backendName === WASM_BACKEND).map((k) => k.kernelName);

/**
 * Registers the composite training kernels for the 'wasm' backend. Idempotent; safe to call
 * before or after the wasm backend is initialised (kernels are looked up per call).
 * Native kernels listed in REPLACES_NATIVE are replaced; any other kernel already registered
 * for wasm (e.g. by a future tfjs release) is left alone.
 */
export function registerWasmTrainingKernels(): void {
  for (const config of CONFIGS) {
    const current = tf.getKernel(config.kernelName, config.backendName);
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current != null) {
      if (!REPLACES_NATIVE.has(config.kernelName)) continue;
      KEEP_NATIVE.get(config)?.(current);
      tf.unregisterKernel(config.kernelName, config.backendName);
    }
    tf.registerKernel(config);
  }
  // gradients are per kernel name, for every backend (the pairs have kernels on wasm and cpu only)
  for (const g of [BATCH_NORM_TRAIN_GRADIENT, BATCH_NORM_APPLY_GRADIENT]) if (tf.getGradient(g.kernelName) == null) tf.registerGradient(g);
}

/** True when every training kernel is registered for 'wasm' (the ladder's gate for training). */
export function wasmTrainingKernelsRegistered(): boolean {
  return CONFIGS.every((k) => {
    const current = tf.getKernel(k.kernelName, k.backendName);
    return current != null && (current.kernelFunc === k.kernelFunc || !REPLACES_NATIVE.has(k.kernelName));
  });
}
