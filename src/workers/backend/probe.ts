/**
 * The probe behind the badge's ms/step and the backend choice (our choice): one SGD training
 * step of the small CNN on a fixed batch of 16, after one untimed warm-up step (kernel
 * compilation). Kept this small because software WebGPU (SwiftShader) takes seconds per step.
 */
export const PROBE = { arch: 'cnn', batch: 16, warmup: 1, reps: 1 } as const;

/** Time limit for one backend's initialisation. */
export const BACKEND_TIMEOUT_MS = 20_000;
