/**
 * The live landscape in the worker: settings and the page's receiver, and one
 * LiveLandscapeDriver per watermarked training run (the flow: protocol/liveLandscape.ts).
 */
import * as Comlink from 'comlink';
import { evalBatches } from '../../engine/data/batches';
import { sliceImageSet } from '../../engine/data/imageset';
import { LiveLandscape, LiveLandscapeDriver } from '../../engine/landscape';
export type { LiveLandscapeDriver };
import type { LiveRunInput } from '../../engine/run/types';
import { AUTO_LIVE_SNAPSHOTS, type LiveLandscapeEvent, type LiveLandscapeSettings } from '../../protocol/liveLandscape';

/**
 * Our defaults: 8 snapshots per run ('auto'), 7 points per slice, radius 1, 64 images: 14
 * inference passes of 64 images per refresh (896 image forwards; ~1.8 s on wasm in Node on the
 * 2-core development machine), so a 62-step preset run's 10 refreshes cost about what the former
 * default's 5 did (every 20 steps, 9 points, 128 images: 2,304 forwards per refresh). Each
 * refresh is spread over pauses shorter than a step (LiveLandscapeDriver, PAUSE_SHARE).
 */
export const DEFAULT_LIVE_LANDSCAPE: LiveLandscapeSettings = { every: 'auto', grid: 7, radius: 1, evalSize: 64, seed: 0 };

/** The refresh interval in steps for a run of `totalSteps` (0 = off). */
export function liveEveryFor(every: LiveLandscapeSettings['every'], totalSteps: number): number {
  return every === 'auto' ? Math.max(1, Math.floor(totalSteps / AUTO_LIVE_SNAPSHOTS)) : every;
}

/** Checks live settings that came over the worker boundary; throws a one-line reason. */
export function validateLiveLandscapeSettings(s: LiveLandscapeSettings): void {
  if (typeof s !== 'object' || s === null) throw new Error('live landscape settings missing');
  if (s.every !== 'auto' && !(Number.isInteger(s.every) && s.every >= 0 && s.every <= 100_000)) throw new Error(`refresh interval must be 'auto' or a whole number of steps in 0..100000 (0 = off), got ${String(s.every)}`);
  if (!(Number.isInteger(s.grid) && s.grid >= 3 && s.grid <= 31 && s.grid % 2 === 1)) throw new Error(`live points must be an odd whole number in 3..31, got ${s.grid}`);
  if (!(s.radius > 0 && s.radius <= 100)) throw new Error(`live radius must be in (0, 100], got ${s.radius}`);
  if (!(Number.isInteger(s.evalSize) && s.evalSize >= 1 && s.evalSize <= 1024)) throw new Error(`live evaluation images must be a whole number in 1..1024, got ${s.evalSize}`);
  if (!(Number.isInteger(s.seed) && s.seed >= 0)) throw new Error(`live seed must be a whole number >= 0, got ${s.seed}`);
}

/**
 * Holds the live settings and the page's receiver across runs; `startRun` makes the driver of
 * one run. Nothing is measured while no receiver is registered. Events are sent without waiting
 * for the page (training never waits on the UI) and a failing receiver is ignored.
 */
export class LiveLandscapeHub {
  private settings: LiveLandscapeSettings = DEFAULT_LIVE_LANDSCAPE;
  private receiver: ((e: LiveLandscapeEvent) => void) | null = null;
  private runs = 0;

  set(settings: LiveLandscapeSettings): void {
    validateLiveLandscapeSettings(settings);
    const { every, grid, radius, evalSize, seed } = settings;
    this.settings = { every, grid, radius, evalSize, seed };
  }

  watch(onEvent: ((e: LiveLandscapeEvent) => void) | null): void {
    if (onEvent !== null && typeof onEvent !== 'function') throw new Error('watchLandscape: onEvent must be a (comlink-proxied) function or null');
    const old = this.receiver;
    this.receiver = onEvent;
    if (old && old !== onEvent) (old as Partial<Record<typeof Comlink.releaseProxy, () => void>>)[Comlink.releaseProxy]?.();
  }

  private send(e: LiveLandscapeEvent): void {
    const r = this.receiver;
    if (!r) return;
    try {
      void Promise.resolve(r(e)).catch(() => undefined);
    } catch {
      /* the page is gone: keep training */
    }
  }

  /** The driver of one watermarked run: chain its `beforeStep`, call `finish(steps)` after training, then `dispose`. */
  startRun(input: LiveRunInput): LiveLandscapeDriver {
    const run = ++this.runs;
    const geometry = this.settings;
    const { totalSteps, dataset, normalization, model, key, control } = input;
    const evalSize = Math.min(geometry.evalSize, dataset.test.count);
    this.send({ kind: 'start', run, totalSteps, evalSize, settings: geometry });
    return new LiveLandscapeDriver(model, {
      every: () => (this.receiver ? liveEveryFor(this.settings.every, totalSteps) : 0),
      create: async (current) => {
        const test = sliceImageSet(dataset.test, 0, evalSize);
        const first = evalBatches(test, test.count, normalization).next();
        if (first.done) throw new Error('no evaluation images');
        const positions = key.positions.map((g) => ({ tensor: g.tensor, indices: g.indices }));
        return LiveLandscape.create(current, first.value.batch, { positions, seed: geometry.seed, radius: geometry.radius, points: geometry.grid });
      },
      onPoint: (point) => this.send({ kind: 'point', run, totalSteps, point }),
      signal: { get aborted() { return control?.cancelled ?? false; } },
      totalSteps,
      onError: (e) => this.send({ kind: 'error', run, message: `live landscape stopped: ${e.message}` }),
    });
  }
}
