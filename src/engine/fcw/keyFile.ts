import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { canonicalJson } from '../watermark/commitment';
import { z } from 'zod';
import type { ImageSet, Normalization } from '../data/types';
import { base64ToBytes, bytesToBase64 } from '../watermark/payload/base64';
import { COMMITTED_KEY_VERSION, KEY_FORMAT, KEY_VERSION, KeyFileError, parseKeyEnvelope, requireKeyMethod, schemaError } from '../watermark/keyFile';
import { sliceImageSet } from '../data/imageset';
import { fuseTriggers, generateTriggers } from './triggers';
import type { FcwMode, FcwTriggers } from './types';

/**
 * The FCW key file: the shared envelope (format "watermas-lab-key", version 1) with
 * method 'fcw'. The triggers are stored either as pixels (base64 uint8 HWC, kind 'pixels')
 * or as the recipe to regenerate them from the training set (kind 'recipe': data set name
 * (+ generator seed and count for the synthetic set) and the source indices). Both kinds carry
 * the sources and a SHA-256 of the trigger pixels, checked on regeneration.
 */
const intNonNeg = z.number().int().nonnegative();

const SourceSchema = z.object({ a: intNonNeg, b: intNonNeg, classA: intNonNeg, classB: intNonNeg });

/**
 * Committed FCW keys (version 2, as WaterMAS and Uchida keys): the trigger generator's seed is
 * derived from a nonce and the recipe's settings (fcwTriggerSeed), so the triggers, the target
 * and the source pairs follow from the nonce and the training set: a forger cannot pick
 * fused images an unmarked model already sends to some class. `commitment.digest` is the SHA-256
 * of the canonical key (fcwDigest), checked on every parse; the derivation is checked where the
 * training set is at hand (verifyFcwKey with trainSet).
 */
export const FCW_COMMIT_SCHEME = 'watermas-lab/fcw-commit/v1';

export const FcwKeySchema = z.object({
  format: z.literal(KEY_FORMAT),
  version: z.union([z.literal(KEY_VERSION), z.literal(COMMITTED_KEY_VERSION)]),
  method: z.literal('fcw'),
  /** Informational: the architecture the mark was embedded in (verification is black-box). */
  arch: z.string().optional(),
  numClasses: z.number().int().min(3),
  target: intNonNeg,
  mode: z.enum(['direct', 'invisible']),
  ratio: z.number().min(0).max(1),
  normalization: z.object({
    mean: z.tuple([z.number(), z.number(), z.number()]),
    std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
  }),
  image: z.object({ height: z.number().int().positive(), width: z.number().int().positive(), channels: z.literal(3) }),
  sources: z.array(SourceSchema).min(1),
  /** SHA-256 (hex) of the concatenated trigger pixels. */
  pixelsSha256: z.string().regex(/^[0-9a-f]{64}$/, 'pixelsSha256 must be 64 lower-case hex digits'),
  triggers: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('pixels'), pixels: z.string() }),
    z.object({
      kind: z.literal('recipe'),
      dataset: z.object({
        name: z.enum(['cifar10', 'synthetic']),
        split: z.literal('train'),
        /** Synthetic set: generator seed and train count. */
        seed: z.number().int().optional(),
        count: z.number().int().positive().optional(),
      }),
      /** The trigger generation seed (for the record; the sources are what regenerates them). */
      seed: z.number().int(),
    }),
  ]),
  /** Training settings, for the record. */
  embedding: z
    .object({ seed: z.number().int(), perBatch: z.number().int().positive(), maskFraction: z.number().min(0).max(1), maskPeriod: z.number().int().positive() })
    .optional(),
  /** Chance rate measured on null models, when known (else verification uses 1 / numClasses). */
  chanceRate: z.number().gt(0).lt(1).optional(),
  commitment: z
    .object({
      scheme: z.literal(FCW_COMMIT_SCHEME),
      nonce: z.string().regex(/^[0-9a-f]{64}$/),
      /** The triggers were drawn from the first `trainCount` images of the training split. */
      trainCount: z.number().int().positive(),
      digest: z.string().regex(/^[0-9a-f]{64}$/),
    })
    .optional(),
  createdAt: z.string().min(1),
});

export type FcwKey = z.infer<typeof FcwKeySchema>;

/** The trigger generator seed of a committed key: a 31-bit integer from HMAC(nonce, the recipe's settings). */
export function fcwTriggerSeed(nonceHex: string, recipe: { readonly numClasses: number; readonly mode: FcwMode; readonly ratio: number; readonly count: number }): number {
  const h = hmac(sha256, hexToBytes(nonceHex), utf8ToBytes(`${FCW_COMMIT_SCHEME}\n${canonicalJson(recipe)}`));
  return ((h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3]) >>> 1;
}

/** The triggers a committed key with this nonce and recipe has on `set`. */
export function committedTriggers(set: ImageSet, o: { readonly nonce: string; readonly numClasses: number; readonly mode: FcwMode; readonly ratio: number; readonly count: number }): FcwTriggers {
  const seed = fcwTriggerSeed(o.nonce, { numClasses: o.numClasses, mode: o.mode, ratio: o.ratio, count: o.count });
  return generateTriggers(set, { seed, mode: o.mode, ratio: o.ratio, count: o.count, numClasses: o.numClasses });
}

/** The nonce of an FCW key made by a run of seed `seed` (one-way; the run seed stays in the report only). */
export function fcwNonce(seed: number): string {
  return bytesToHex(hmac(sha256, utf8ToBytes(`seed:${seed}`), utf8ToBytes('watermas-lab/fcw-nonce/v1')));
}

/** SHA-256 (hex) of what fixes an FCW mark: recipe, target, sources, pixel digest, the commitment without its digest. */
export function fcwDigest(key: FcwKey): string {
  const { digest: _digest, ...commitment } = key.commitment ?? { digest: '' };
  const { format, version, method, numClasses, target, mode, ratio, image, sources, pixelsSha256 } = key;
  return bytesToHex(sha256(utf8ToBytes(canonicalJson({ format, version, method, numClasses, target, mode, ratio, image, sources, pixelsSha256, commitment }))));
}

/** SHA-256 hex of trigger pixels. */
export function triggerDigest(pixels: Uint8Array): string {
  return bytesToHex(sha256(pixels));
}

export interface CreateFcwKeyOptions {
  readonly numClasses: number;
  readonly normalization: Normalization;
  /** 'pixels' (default) or a recipe naming the data set. */
  readonly store?: { readonly kind: 'pixels' } | { readonly kind: 'recipe'; readonly dataset: { name: 'cifar10' | 'synthetic'; seed?: number; count?: number }; readonly seed: number };
  readonly arch?: string;
  readonly embedding?: FcwKey['embedding'];
  readonly chanceRate?: number;
  readonly createdAt?: string;
  /**
   * Commit the key (version 2) with this nonce; the triggers must be committedTriggers(nonce, …)
   * of the first `trainCount` training images (the set the run drew them from).
   */
  readonly commit?: { readonly nonce: string; readonly trainCount: number };
}

/** Builds (and validates) the key of a trigger set. */
export function createFcwKey(triggers: FcwTriggers, opts: CreateFcwKeyOptions): FcwKey {
  const store = opts.store ?? { kind: 'pixels' as const };
  const { images } = triggers;
  const key: FcwKey = {
    format: KEY_FORMAT,
    version: KEY_VERSION,
    method: 'fcw',
    ...(opts.arch === undefined ? {} : { arch: opts.arch }),
    numClasses: opts.numClasses,
    target: triggers.target,
    mode: triggers.mode,
    ratio: triggers.ratio,
    normalization: { mean: [...opts.normalization.mean], std: [...opts.normalization.std] },
    image: { height: images.height, width: images.width, channels: 3 },
    sources: triggers.sources.map((s) => ({ ...s })),
    pixelsSha256: triggerDigest(images.images),
    triggers:
      store.kind === 'pixels'
        ? { kind: 'pixels', pixels: bytesToBase64(images.images) }
        : { kind: 'recipe', dataset: { ...store.dataset, split: 'train' }, seed: store.seed },
    ...(opts.embedding === undefined ? {} : { embedding: opts.embedding }),
    ...(opts.chanceRate === undefined ? {} : { chanceRate: opts.chanceRate }),
    createdAt: opts.createdAt ?? new Date().toISOString(),
  };
  if (opts.commit !== undefined) {
    key.version = COMMITTED_KEY_VERSION;
    key.commitment = { scheme: FCW_COMMIT_SCHEME, nonce: opts.commit.nonce, trainCount: opts.commit.trainCount, digest: '' };
    key.commitment.digest = fcwDigest(key);
  }
  const parsed = FcwKeySchema.safeParse(key);
  if (!parsed.success) throw schemaError(parsed.error.issues);
  validateFcwKey(parsed.data);
  return parsed.data;
}

/** Semantic checks (KeyFileError): target and source classes in range, t ∉ {classA, classB}, classA ≠ classB, pixel length and digest. */
export function validateFcwKey(key: FcwKey): void {
  if (key.target >= key.numClasses) throw new KeyFileError('invalid-schema', `Invalid key file at target: ${key.target} is not a class of 0..${key.numClasses - 1}.`);
  key.sources.forEach((s, i) => {
    for (const c of [s.classA, s.classB]) {
      if (c >= key.numClasses) throw new KeyFileError('invalid-schema', `Invalid key file at sources.${i}: class ${c} is not a class of 0..${key.numClasses - 1}.`);
    }
    if (s.classA === s.classB) throw new KeyFileError('invalid-schema', `Invalid key file at sources.${i}: both source images are of class ${s.classA}.`);
    if (s.classA === key.target || s.classB === key.target) {
      throw new KeyFileError('invalid-schema', `Invalid key file at sources.${i}: a source class equals the target ${key.target}.`);
    }
  });
  if (key.triggers.kind === 'pixels') {
    let px: Uint8Array;
    try {
      px = base64ToBytes(key.triggers.pixels);
    } catch {
      throw new KeyFileError('invalid-schema', 'Invalid key file at triggers.pixels: not base64.');
    }
    const want = key.sources.length * key.image.height * key.image.width * key.image.channels;
    if (px.length !== want) {
      throw new KeyFileError('payload-length', `The key declares ${key.sources.length} triggers of ${key.image.height}x${key.image.width}x3 (${want} bytes) but holds ${px.length}.`);
    }
    if (triggerDigest(px) !== key.pixelsSha256) throw new KeyFileError('payload-mismatch', 'The trigger pixels do not match their SHA-256; the file was altered.');
  }
  if ((key.version === COMMITTED_KEY_VERSION) !== Boolean(key.commitment)) {
    throw new KeyFileError('invalid-schema', key.commitment ? 'A key with a commitment must be version 2.' : 'A version 2 key must have a commitment.');
  }
  if (key.commitment) {
    const digest = fcwDigest(key);
    if (digest !== key.commitment.digest) throw new KeyFileError('commitment-edited', `The key was edited after it was made: its content hashes to ${digest.slice(0, 16)}…, not to the committed digest ${key.commitment.digest.slice(0, 16)}….`);
  }
}

/**
 * A committed key's triggers regenerated from its nonce on the training set: throws
 * 'commitment-mismatch' when the key's target or sources are not the ones the nonce gives.
 */
export function checkFcwCommitment(key: FcwKey, trainSet: ImageSet): void {
  if (!key.commitment) return;
  const n = key.commitment.trainCount;
  if (trainSet.count < n) {
    throw new KeyFileError('commitment-mismatch', `The key's triggers were drawn from the first ${n} training images; this training set has only ${trainSet.count}, so the commitment cannot be checked on it.`);
  }
  const g = committedTriggers(sliceImageSet(trainSet, 0, n), { nonce: key.commitment.nonce, numClasses: key.numClasses, mode: key.mode, ratio: key.ratio, count: key.sources.length });
  const same = g.target === key.target && g.sources.length === key.sources.length && g.sources.every((s, i) => s.a === key.sources[i].a && s.b === key.sources[i].b);
  if (!same) {
    throw new KeyFileError('commitment-mismatch', 'The key\'s triggers do not follow from its commitment on this training set (nonce, recipe): the key was edited or forged, or made from another data set.');
  }
}

/** Parses and validates an FCW key file (shared envelope errors, then 'wrong-method', 'invalid-schema', 'payload-length', 'payload-mismatch'). */
export function parseFcwKeyFile(jsonText: string): FcwKey {
  const raw = parseKeyEnvelope(jsonText);
  requireKeyMethod(raw, 'fcw', 'an FCW');
  const parsed = FcwKeySchema.safeParse(raw);
  if (!parsed.success) throw schemaError(parsed.error.issues);
  validateFcwKey(parsed.data);
  return parsed.data;
}

/** Serialises an FCW key as JSON (validated first). */
export function serializeFcwKey(key: FcwKey): string {
  validateFcwKey(key);
  return JSON.stringify(key, null, 2) + '\n';
}

/**
 * The trigger set of a key. Pixel keys decode directly; recipe keys need the training set
 * they name (`trainSet`): the source indices must exist there with the recorded classes, and
 * the regenerated pixels must match the key's SHA-256 (KeyFileError 'index-out-of-range' /
 * 'payload-mismatch' otherwise).
 */
export function fcwTriggersFromKey(key: FcwKey, trainSet?: ImageSet): FcwTriggers {
  const { height, width } = key.image;
  const mode: FcwMode = key.mode;
  let images: ImageSet;
  if (key.triggers.kind === 'pixels') {
    validateFcwKey(key);
    const pixels = base64ToBytes(key.triggers.pixels);
    images = { images: pixels, labels: new Uint8Array(key.sources.length).fill(key.target), count: key.sources.length, height, width, channels: 3 };
  } else {
    if (!trainSet) throw new Error(`This FCW key stores a recipe: load the ${key.triggers.dataset.name} training set to regenerate its triggers.`);
    if (trainSet.height !== height || trainSet.width !== width || trainSet.channels !== 3) {
      throw new KeyFileError('payload-mismatch', `The key's triggers are ${height}x${width}x3 but the data set's images are ${trainSet.height}x${trainSet.width}x${trainSet.channels}.`);
    }
    key.sources.forEach((s, i) => {
      for (const [idx, cls] of [[s.a, s.classA], [s.b, s.classB]] as const) {
        if (idx >= trainSet.count) throw new KeyFileError('index-out-of-range', `Trigger ${i} uses image ${idx}, but the training set has ${trainSet.count} images.`);
        if (trainSet.labels[idx] !== cls) {
          throw new KeyFileError('payload-mismatch', `Trigger ${i}: image ${idx} is of class ${trainSet.labels[idx]} in this data set, the key says ${cls}; not the data set the key was made from.`);
        }
      }
    });
    images = fuseTriggers(trainSet, key.sources, mode, key.ratio, key.target);
    if (triggerDigest(images.images) !== key.pixelsSha256) {
      throw new KeyFileError('payload-mismatch', 'The regenerated triggers do not match the key (SHA-256); not the data set the key was made from.');
    }
  }
  return { images, target: key.target, mode, ratio: key.ratio, sources: key.sources };
}
