/** Compute backends the lab knows, fastest first in a typical browser. */
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

export const ALL_BACKENDS: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/** Default ladder order (browser and Node alike; unreachable rungs are skipped with a reason). */
export const DEFAULT_LADDER: readonly BackendName[] = ALL_BACKENDS;

/** What the backend will be used for: training needs gradient kernels (wasm: ours). */
export type BackendPurpose = 'train' | 'eval';

/** One rung of the ladder that was tried. */
export interface BackendAttempt {
  /** Backend name (a BackendName, or any name registered with tf.registerBackend). */
  readonly name: string;
  readonly ok: boolean;
  /** Why it was skipped or failed. */
  readonly error?: string;
  /** Wall time spent on this rung (initialisation + smoke test). */
  readonly ms: number;
}

export interface BackendReport {
  /** The backend now active in tfjs. */
  readonly name: string;
  readonly tried: readonly BackendAttempt[];
  /** True for webgpu / webgl. */
  readonly isGpu: boolean;
  readonly purpose: BackendPurpose;
  /** 'browser' | 'node' | 'unknown', from tfjs' environment flags. */
  readonly platform: 'browser' | 'node' | 'unknown';
  /**
   * wasm only: XNNPACK threads actually in use, whether the SIMD binary was loaded, and whether the
   * lab's own SIMD kernels run (wasm-kernels/simd: off on the threaded build's shared heap).
   */
  readonly wasm?: { readonly threads: number; readonly simd: boolean; readonly labKernels: boolean };
  /** Filled in by callers that measure a step (see measureStepMs). */
  msPerStep?: number;
}

export interface InitBackendOptions {
  /** Rungs to try, in order (default DEFAULT_LADDER). A single name means "this one or fail". */
  readonly preference?: readonly string[] | string;
  /** Per-rung limit for initialisation and the smoke test, default 15000 ms. */
  readonly timeoutMs?: number;
  /** Where the wasm binaries live: a folder URL/path ending in '/', or a per-file map. */
  readonly wasmPaths?: string | Readonly<Record<string, string>>;
  /** XNNPACK thread count for wasm (only where multi-threaded wasm is available). */
  readonly wasmThreads?: number;
  /** 'train' skips wasm unless the wasm training kernels are registered. Default 'train'. */
  readonly purpose?: BackendPurpose;
  /** Progress/diagnostic lines. */
  readonly log?: (line: string) => void;
}
