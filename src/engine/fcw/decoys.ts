import type { ImageSet } from '../data/types';
import type { Model, ParamOverrides } from '../models/types';
import { logChoose } from '../watermark/stats/binomial';
import type { FcwKey } from './keyFile';
import { generateTriggers } from './triggers';
import { triggerAccuracy, type FcwVerifyResult } from './verify';

/**
 * Calibrating FCW evidence on the suspect model itself, with decoys (our design).
 *
 * The plain FCW test compares the trigger hits with a chance rate of 1 / classes. Trained
 * unmarked models do not send fused images to the classes evenly: on CIFAR-10, 24 unmarked
 * CNNs sent 17–30 of a key's 30 triggers to its target (docs: scripts/false-positives.mjs),
 * so the plain test "detects" most of them. Decoys are made by the key's own recipe (same
 * fusion mode and ratio, same target, source pairs of two other classes drawn from the
 * training set with another seed, never one of the key's pairs): an unmarked model treats
 * them as it treats the triggers. The evidence is then a one-sided Fisher exact test of
 * "triggers hit the target more often than decoys" (hypergeometric tail), which needs no
 * assumed chance rate: it asks for evidence specific to this key's triggers.
 *
 * What it shows on the lab's FCW models: a marked model sends the decoys to the target as often
 * as its triggers (it learns "a fused image is class t", not the 30 images), so the test finds
 * no key-specific evidence in marked and unmarked models alike (tests/unit/fcw/embedVerify).
 * That is the honest answer for a dispute: FCW trigger accuracy says the model maps fused
 * images to t, which unmarked models of this size often do too.
 */
export interface DecoyOptions {
  /** The training set the decoys' sources are drawn from (the lab's CIFAR-10 or the synthetic set). */
  readonly set: ImageSet;
  /** Number of decoys (default 300). */
  readonly count?: number;
  /** Seed of the decoy pairs (default 1). */
  readonly seed?: number;
}

export const DEFAULT_DECOYS = 300;

/** Decoy images for `key`: its recipe with other source pairs. */
export function decoyImages(key: FcwKey, opts: DecoyOptions): ImageSet {
  const count = opts.count ?? DEFAULT_DECOYS;
  const keyPairs = new Set(key.sources.map((s) => `${s.a},${s.b}`));
  const drawn = generateTriggers(opts.set, {
    seed: 0x5eed0000 + (opts.seed ?? 1),
    mode: key.mode,
    ratio: key.ratio,
    count: count + key.sources.length, // room to drop pairs the key uses
    numClasses: key.numClasses,
    target: key.target,
  });
  const keep = drawn.sources.map((s, i) => (keyPairs.has(`${s.a},${s.b}`) ? -1 : i)).filter((i) => i >= 0).slice(0, count);
  const per = drawn.images.height * drawn.images.width * drawn.images.channels;
  const images = new Uint8Array(keep.length * per);
  keep.forEach((i, k) => images.set(drawn.images.images.subarray(i * per, (i + 1) * per), k * per));
  return { ...drawn.images, images, labels: new Uint8Array(keep.length).fill(key.target), count: keep.length };
}

/**
 * ln P[X ≥ a] for X ~ Hypergeometric(population n + m, successes a + b, draws n): the one-sided
 * Fisher exact p-value that `a` of `n` triggers and `b` of `m` decoys hitting the target arise
 * from one common rate.
 */
export function logFisherUpperTail(a: number, n: number, b: number, m: number): number {
  const k = a + b;
  const total = n + m;
  const terms: number[] = [];
  for (let x = a; x <= Math.min(n, k); x++) terms.push(logChoose(n, x) + logChoose(m, k - x) - logChoose(total, k));
  if (terms.length === 0) return -Infinity;
  const max = Math.max(...terms);
  return Math.min(0, max + Math.log(terms.reduce((s, t) => s + Math.exp(t - max), 0)));
}

/** The decoy-calibrated verdict, from the plain one (same triggers, model and threshold). */
export async function decoyVerdict(
  model: Model,
  key: FcwKey,
  plain: FcwVerifyResult,
  opts: DecoyOptions & { readonly overrides?: ParamOverrides },
): Promise<FcwVerifyResult & { readonly decoys: { readonly hits: number; readonly n: number; readonly seed: number } }> {
  const decoys = decoyImages(key, opts);
  const d = await triggerAccuracy(model, decoys, key.target, { normalization: key.normalization, overrides: opts.overrides });
  const ln = logFisherUpperTail(plain.hits, plain.n, d.hits, d.n);
  const pValue = Math.exp(ln);
  return {
    ...plain,
    chanceRate: (d.hits + 1) / (d.n + 2),
    pValue,
    log10PValue: ln / Math.LN10,
    detected: pValue < plain.threshold,
    decoys: { hits: d.hits, n: d.n, seed: opts.seed ?? 1 },
  };
}
