import { ModelFileError } from './modelFile';

/** Size, depth and time limits for importing untrusted model and key files. */
export interface ImportLimits {
  /** Total bytes over all uploaded files (default 512 MiB). */
  readonly maxTotalBytes: number;
  /** Largest JSON text: model.json, a safetensors header, a key file (default 64 MiB). */
  readonly maxJsonBytes: number;
  /** Deepest JSON nesting of arrays/objects (default 64). */
  readonly maxJsonDepth: number;
  /** Most tensors in one file (default 100 000). */
  readonly maxTensors: number;
  /** Wall-clock budget for one import, milliseconds (default 60 000). */
  readonly timeoutMs: number;
}

export const DEFAULT_IMPORT_LIMITS: ImportLimits = {
  maxTotalBytes: 512 * 1024 * 1024,
  maxJsonBytes: 64 * 1024 * 1024,
  maxJsonDepth: 64,
  maxTensors: 100_000,
  timeoutMs: 60_000,
};

/** Fills unspecified limits with the defaults. */
export function resolveLimits(partial?: Partial<ImportLimits>): ImportLimits {
  return { ...DEFAULT_IMPORT_LIMITS, ...(partial ?? {}) };
}

/**
 * A cooperative time budget: long loops call `check(file)` now and then and the import
 * fails with a clear message instead of hanging. (Synchronous code cannot be interrupted
 * from outside, so the checks are placed in every loop over tensors or values.)
 */
export class Deadline {
  private readonly end: number;
  constructor(readonly timeoutMs: number) {
    this.end = performance.now() + timeoutMs;
  }
  check(file: string): void {
    if (performance.now() > this.end) throw new ModelFileError(file, `import timed out after ${(this.timeoutMs / 1000).toFixed(1)} s`);
  }
}

/** 3221225472 → "3.0 GiB"; 536870912 → "512 MiB". */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} bytes` : `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[u]}`;
}
