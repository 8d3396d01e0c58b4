import type { ImageSet } from '../data/types';
import { Rng } from '../random/rng';
import { directFusion, invisibleFusion } from './fusion';
import {
  FCW_DEFAULT_RATIO,
  FCW_DEFAULT_TRIGGER_COUNT,
  type FcwMode,
  type FcwTriggerSource,
  type FcwTriggers,
} from './types';

export interface GenerateTriggersOptions {
  /** Seeds the target choice and the source pairs (independent forks of Rng(seed)). */
  readonly seed: number;
  /** Default 'direct'. */
  readonly mode?: FcwMode;
  /** Number of triggers (default 30). */
  readonly count?: number;
  /** Blend ratio r of invisible fusion (default 0.5). */
  readonly ratio?: number;
  /** Number of classes (default: max label + 1 of the set, at least 3). */
  readonly numClasses?: number;
  /** Fixed target class; default a seeded uniform choice among the classes present in the set. */
  readonly target?: number;
}

/**
 * Generates FCW triggers from in-distribution training images (methods.md §3).
 *
 * Our choices, seeded and reproducible: the target t is drawn uniformly from the classes
 * (stream `fcw/target`); for each trigger (stream `fcw/pairs`), image a is drawn uniformly
 * among the images whose class is not t, image b uniformly among those whose class is
 * neither t nor a's class; an (a, b) pair already used is redrawn. So every source pair has
 * two different classes and t is never one of them (one target for all, as in the paper's code).
 */
export function generateTriggers(set: ImageSet, opts: GenerateTriggersOptions): FcwTriggers {
  const mode = opts.mode ?? 'direct';
  const count = opts.count ?? FCW_DEFAULT_TRIGGER_COUNT;
  const ratio = opts.ratio ?? FCW_DEFAULT_RATIO;
  if (!(Number.isInteger(count) && count >= 1)) throw new RangeError(`trigger count must be a positive integer, got ${count}`);
  let maxLabel = 0;
  for (let i = 0; i < set.count; i++) maxLabel = Math.max(maxLabel, set.labels[i]);
  const numClasses = opts.numClasses ?? maxLabel + 1;
  if (numClasses < 3) throw new Error(`FCW needs at least 3 classes (two sources and a different target), got ${numClasses}`);
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < set.count; i++) {
    const l = set.labels[i];
    if (l >= numClasses) throw new RangeError(`image ${i} has label ${l}, outside 0..${numClasses - 1}`);
    byClass[l].push(i);
  }
  const root = new Rng(opts.seed);
  const present = byClass.map((ix, c) => (ix.length > 0 ? c : -1)).filter((c) => c >= 0);
  let target: number;
  if (opts.target !== undefined) {
    if (!(Number.isInteger(opts.target) && opts.target >= 0 && opts.target < numClasses)) {
      throw new RangeError(`target must be a class in 0..${numClasses - 1}, got ${opts.target}`);
    }
    target = opts.target;
  } else {
    target = root.fork('fcw/target').int(numClasses);
  }
  const sourceClasses = present.filter((c) => c !== target);
  if (sourceClasses.length < 2) throw new Error('FCW needs images of at least two classes other than the target');
  const notTarget: number[] = sourceClasses.flatMap((c) => byClass[c]);
  const totalPairs = notTarget.length * (notTarget.length - 1); // an upper bound on distinct ordered pairs
  if (count > totalPairs) throw new Error(`cannot draw ${count} distinct source pairs from ${notTarget.length} images`);

  const rng = root.fork('fcw/pairs');
  const used = new Set<string>();
  const sources: FcwTriggerSource[] = [];
  let attempts = 0;
  while (sources.length < count) {
    if (++attempts > 1000 * count) throw new Error('could not draw enough distinct source pairs');
    const a = notTarget[rng.int(notTarget.length)];
    const classA = set.labels[a];
    // b: uniform among images of neither class t nor classA (rejection on the same stream;
    // at least one other source class exists, so this ends).
    let b = notTarget[rng.int(notTarget.length)];
    while (set.labels[b] === classA) b = notTarget[rng.int(notTarget.length)];
    const id = `${a},${b}`;
    if (used.has(id)) continue;
    used.add(id);
    sources.push({ a, b, classA, classB: set.labels[b] });
  }
  return { images: fuseTriggers(set, sources, mode, ratio, target), target, mode, ratio, sources };
}

/**
 * Builds the trigger images for given source pairs (the deterministic part of the recipe,
 * used again to regenerate a key's triggers from the data set). Every label is `target`.
 */
export function fuseTriggers(
  set: ImageSet,
  sources: readonly FcwTriggerSource[],
  mode: FcwMode,
  ratio: number,
  target: number,
): ImageSet {
  const { height, width, channels } = set;
  const per = height * width * channels;
  const images = new Uint8Array(sources.length * per);
  sources.forEach((s, k) => {
    for (const i of [s.a, s.b]) {
      if (!(Number.isInteger(i) && i >= 0 && i < set.count)) throw new RangeError(`source image ${i} is outside 0..${set.count - 1}`);
    }
    const a = set.images.subarray(s.a * per, (s.a + 1) * per);
    const b = set.images.subarray(s.b * per, (s.b + 1) * per);
    images.set(mode === 'direct' ? directFusion(a, b, height, width, channels) : invisibleFusion(a, b, ratio), k * per);
  });
  return { images, labels: new Uint8Array(sources.length).fill(target), count: sources.length, height, width, channels };
}
