/**
 * Side-effect module: registers every compute backend the lab can use, the gradient
 * functions (tfjs-core does not register them on its own) and the wasm training kernels.
 * Safe to import in Node: the webgl/webgpu packages only register their factories when
 * the environment has WebGL / navigator.gpu (checked at import time, nothing thrown), so in
 * Node only cpu and wasm appear (webgpu in Node: see webgpu-node.ts).
 * Import it once, before initBackend(), from the worker / CLI entry point.
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from './wasm-kernels/register-training-kernels';

registerWasmTrainingKernels();
