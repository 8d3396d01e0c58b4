/**
 * Compute backends: the ladder (initBackend), step timing, choice by measurement, the wasm
 * training kernels and Node WebGPU wiring. Import './register' once (side effects) before
 * initBackend so that the backend packages, gradients and wasm kernels are registered.
 */
export { initBackend } from './ladder';
export { MeasurementStopped, measureStepMs, type StepResult, type StepTiming } from './measure';
export { chooseFastestBackend, type ChooseFastestOptions, type FastestChoice, type StepProbe } from './choose-fastest';
export { activeGpuAdapter, describeWebGlRenderer, describeWebGpuAdapter, type GpuAdapter } from './adapter';
export { registerWebGpuBackendWith, type GpuLike } from './webgpu-node';
export {
  registerWasmTrainingKernels,
  wasmTrainingKernelsRegistered,
  WASM_TRAINING_KERNELS,
} from './wasm-kernels/register-training-kernels';
export { TimeoutError, withTimeout } from './timeout';
export * from './types';
export { activeSoftwareGpu, raceSoftwareGpuAgainstWasm, type MeasuredChoice, type SoftwareGpuRaceInput } from './software-gpu';
