/**
 * Worker-boundary types of the live landscape (the Landscape panel's view while a WaterMAS run
 * trains). Plain, structured-cloneable data; re-exported by api.ts, EngineApi extends
 * LiveLandscapeApi.
 *
 * Flow: the panel calls `setLiveLandscape(settings)` (whenever they change) and
 * `watchLandscape(proxy(onEvent))` once; every watermarked training run then sends `start`, a
 * `point` every `every` steps (before step 0, N, 2N, … and for the trained model after the last
 * step) and, if a measurement fails, one `error` (the run goes on without the live view).
 */

/** Snapshots per run of `every: 'auto'` (before the trained model's). */
export const AUTO_LIVE_SNAPSHOTS = 8;

export interface LiveLandscapeSettings {
  /**
   * Refresh every N training steps; 0 = off; 'auto' (the default): sized to each run, every
   * max(1, floor(steps / 8)) steps, so at least 8 snapshots and the trained model's. Applies from
   * the next step, also to a running run. A run shorter than N steps gets no live view.
   */
  readonly every: number | 'auto';
  /** Points per slice (odd, 3..31). The geometry (grid, radius, evalSize, seed) is fixed per run: changes apply from the next run. */
  readonly grid: number;
  /** Slice radius r in direction units (d_K: × mark magnitude; d_¬K: × filter norm); also the sharpness radius. */
  readonly radius: number;
  /** The fixed evaluation batch: the first N test images (1..1024). */
  readonly evalSize: number;
  /** Seed of the two fixed directions. */
  readonly seed: number;
}

/** One live measurement (the engine's LiveLandscapePoint plus the run it belongs to). */
export interface LiveLandscapePointData {
  /** Training steps completed (0 = the freshly marked model). */
  readonly step: number;
  readonly alphas: readonly number[];
  readonly lossKey: readonly number[];
  readonly lossComplement: readonly number[];
  readonly baseLoss: number;
  readonly baseAccuracy: number;
  /** Two-sided loss rise at ±radius along the fixed directions, and key / complement. */
  readonly sharpness: { readonly key: number; readonly complement: number; readonly ratio: number; readonly radius: number };
  /** Milliseconds spent evaluating it, over all its pauses. */
  readonly ms: number;
  /** Pauses between training steps it was spread over (each under a step's time), and the longest (ms). */
  readonly pauses: number;
  readonly maxPauseMs: number;
}

export type LiveLandscapeEvent =
  /** A watermarked run started: a new history begins (`settings` = the geometry it uses). */
  | { readonly kind: 'start'; readonly run: number; readonly totalSteps: number; readonly evalSize: number; readonly settings: LiveLandscapeSettings }
  | { readonly kind: 'point'; readonly run: number; readonly totalSteps: number; readonly point: LiveLandscapePointData }
  | { readonly kind: 'error'; readonly run: number; readonly message: string };

/** The live landscape half of the engine API. */
export interface LiveLandscapeApi {
  /** Validates and stores the live settings (rejects with a one-line reason). */
  setLiveLandscape(settings: LiveLandscapeSettings): Promise<void>;
  /**
   * Registers the page's receiver of live events (comlink-proxied), replacing (and releasing) the
   * previous one; null unregisters. Without a receiver nothing is measured.
   */
  watchLandscape(onEvent: ((e: LiveLandscapeEvent) => void) | null): Promise<void>;
}
