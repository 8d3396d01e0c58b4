import * as tf from '@tensorflow/tfjs-core';
import type { Model } from '../models/types';
import type { FrozenPositions } from '../train/types';
import { bytesToBase64, base64ToBytes } from './payload/base64';
import { DEFAULT_IMAGE_SCALE, DEFAULT_STRENGTH, encodeImageValues, encodeSignValues } from './payload/codec';
import { architectureFingerprint } from './fingerprint';
import { COMMITMENT_SCHEME, commitmentDigest, committedSeed, nonceBytes, nonceFromSeed, toHex, whiteningBits } from './commitment';
import { COMMITTED_KEY_VERSION, KEY_FORMAT, KEY_VERSION, commitmentBinding, validateKey, type WatermasKey, type KeyPayload } from './keyFile';
import { eligibleTensors, selectPositions, toFrozenPositions, type PositionOptions } from './keys';
import { bitsFromString, bitsToString, randomBits, textToBits } from './payload/payloadBits';
import { DEFAULT_WATERMAS_SETTINGS, settingsToKey, validateSettings, type WaterMASSettings } from './settings';

/** What to write into the key positions. */
export type PayloadSpec =
  | { readonly kind: 'random-bits'; readonly count: number }
  | { readonly kind: 'bits'; readonly bits: Uint8Array | string }
  | { readonly kind: 'text'; readonly text: string }
  | {
      readonly kind: 'image';
      readonly width: number;
      readonly height: number;
      readonly channels: number;
      /** uint8, HWC row-major. */
      readonly pixels: Uint8Array;
    };

export interface CreateKeyOptions {
  /** The 256-bit secret seed (randomSeed(), seedFromPassphrase() or seedFromHex()). */
  readonly seed: Uint8Array;
  readonly payload: PayloadSpec;
  /** Mark strength q in [0, 1] (default 0.5). */
  readonly strength?: number;
  /** Image scale s (default DEFAULT_IMAGE_SCALE). */
  readonly imageScale?: number;
  /** Which tensors may carry the mark (default: conv/depthwise/dense kernels). */
  readonly positions?: PositionOptions;
  /** Objective settings recorded in the key. */
  readonly objective?: Partial<WaterMASSettings>;
  readonly seedHint?: WatermasKey['seedHint'];
  /** Store the secret seed in the key file (off by default: the positions are the key). */
  readonly storeSeed?: boolean;
  /** ISO time stamp (default: now). */
  readonly createdAt?: string;
  /**
   * Commit the key (default true; key file version 2, commitment.ts): a nonce derived from the
   * seed, positions and whitening from the nonce and the payload, and a digest to publish. false: the version-1 key (positions straight from the seed, no
   * whitening), kept to reproduce older keys.
   */
  readonly commit?: boolean;
}

function payloadFromSpec(spec: PayloadSpec, seed: Uint8Array): KeyPayload {
  switch (spec.kind) {
    case 'random-bits':
      return { kind: 'bits', bits: bitsToString(randomBits(seed, spec.count)) };
    case 'bits':
      return { kind: 'bits', bits: typeof spec.bits === 'string' ? bitsToString(bitsFromString(spec.bits)) : bitsToString(spec.bits) };
    case 'text':
      if (spec.text.length === 0) throw new Error('The text payload is empty.');
      return { kind: 'text', text: spec.text, bits: bitsToString(textToBits(spec.text)) };
    case 'image':
      if (spec.pixels.length !== spec.width * spec.height * spec.channels) {
        throw new RangeError(`Image payload: ${spec.pixels.length} pixel values for ${spec.width}x${spec.height}x${spec.channels}.`);
      }
      return { kind: 'image', width: spec.width, height: spec.height, channels: spec.channels, pixels: bytesToBase64(spec.pixels) };
  }
}

/**
 * Builds a key for a model (positions from the seed, payload, codec and objective settings)
 * without touching the weights. n = number of payload bits / pixel values.
 */
export function createKey(model: Pick<Model, 'paramInfo' | 'config'>, opts: CreateKeyOptions): WatermasKey {
  const payload = payloadFromSpec(opts.payload, opts.seed);
  const n = payload.kind === 'image' ? payload.width * payload.height * payload.channels : payload.bits.length;
  const settings = { ...DEFAULT_WATERMAS_SETTINGS, ...opts.objective };
  validateSettings(settings);
  const tensors = model.paramInfo.map((p) => ({ name: p.name, shape: [...p.shape] }));
  const commit = opts.commit ?? true;
  const codec = {
    strength: opts.strength ?? DEFAULT_STRENGTH,
    ...(payload.kind === 'image' ? { scale: opts.imageScale ?? DEFAULT_IMAGE_SCALE } : {}),
  };
  const fingerprint = architectureFingerprint(tensors);
  let positionSeed = opts.seed;
  let commitment: Omit<NonNullable<WatermasKey['commitment']>, 'digest'> | undefined;
  if (commit) {
    const nonce = nonceFromSeed(opts.seed);
    commitment = {
      scheme: COMMITMENT_SCHEME,
      nonce: toHex(nonce),
      tensors: eligibleTensors(model.paramInfo, opts.positions).map((p) => p.name),
      allocation: opts.positions?.allocation ?? 'proportional',
    };
    positionSeed = committedSeed(nonce, { fingerprint, payload, strength: codec.strength, tensors: commitment.tensors, allocation: commitment.allocation });
  }
  const body: Pick<WatermasKey, 'format' | 'version' | 'method' | 'architecture' | 'positions' | 'payload' | 'codec'> = {
    format: KEY_FORMAT,
    version: commit ? COMMITTED_KEY_VERSION : KEY_VERSION,
    method: 'watermas',
    architecture: { arch: model.config.arch, fingerprint, tensors },
    positions: selectPositions(model.paramInfo, n, positionSeed, opts.positions).map((g) => ({ tensor: g.tensor, indices: [...g.indices] })),
    payload,
    codec,
  };
  const key: WatermasKey = {
    ...body,
    objective: settingsToKey(settings),
    ...(opts.seedHint ? { seedHint: opts.seedHint } : {}),
    ...(opts.storeSeed ? { seed: toHex(opts.seed) } : {}),
    ...(commitment ? { commitment: { ...commitment, digest: commitmentDigest({ ...body, commitment }) } } : {}),
    createdAt: opts.createdAt ?? new Date().toISOString(),
  };
  validateKey(key);
  return key;
}

const whiteningCache = new WeakMap<WatermasKey, Uint8Array>();

/** A committed key's whitening bits (empty for an uncommitted key or an image payload). */
export function keyWhitening(key: WatermasKey): Uint8Array {
  if (!key.commitment || key.payload.kind === 'image') return new Uint8Array(0);
  let w = whiteningCache.get(key);
  if (!w) {
    const n = key.payload.bits.length;
    w = whiteningBits(committedSeed(nonceBytes(key.commitment.nonce), commitmentBinding(key)), n);
    whiteningCache.set(key, w);
  }
  return w;
}

/** Payload bits from sign bits (undoes a committed key's whitening; the identity otherwise). */
export function payloadBitsFromSigns(key: WatermasKey, signs: Uint8Array): Uint8Array {
  const w = keyWhitening(key);
  if (w.length === 0) return signs;
  return Uint8Array.from(signs, (b, i) => b ^ w[i]);
}

/**
 * The sign bits the key writes, in key order: the payload bits, XOR the whitening bits for a
 * committed key (for an image: the sign bits [p ≥ 128]).
 */
export function keyBits(key: WatermasKey): Uint8Array {
  const p = key.payload;
  if (p.kind === 'image') {
    const px = base64ToBytes(p.pixels);
    return Uint8Array.from(px, (v) => (v >= 128 ? 1 : 0));
  }
  return payloadBitsFromSigns(key, bitsFromString(p.bits));
}

/**
 * Substitution θ_K := v (methods.md §1.3): reads the current weights, computes the mark values
 * (sign codec with strength q at the current weights, or the image map) and writes them once
 * into the variables. Returns the positions to freeze for the trainer.
 */
export async function applyKey(model: Model, key: WatermasKey): Promise<FrozenPositions> {
  const p = key.payload;
  const image = p.kind === 'image' ? encodeImageValues(base64ToBytes(p.pixels), key.codec.scale) : null;
  const bits = image ? null : keyBits(key);
  let offset = 0;
  for (const g of key.positions) {
    const v = model.params.get(g.tensor);
    if (!v) throw new Error(`The model has no parameter '${g.tensor}' (check the key against the model first).`);
    const w = new Float32Array(await v.data());
    const k = g.indices.length;
    const values = image ? image.subarray(offset, offset + k) : encodeSignValues(w, g.indices, bits!.subarray(offset, offset + k), key.codec.strength);
    for (let j = 0; j < k; j++) w[g.indices[j]] = values[j];
    const t = tf.tensor(w, v.shape, 'float32');
    v.assign(t);
    t.dispose();
    offset += k;
  }
  return toFrozenPositions(key.positions);
}

/** createKey + applyKey: the one call to watermark a model before (or during) training. */
export async function embedWatermark(model: Model, opts: CreateKeyOptions): Promise<{ key: WatermasKey; frozen: FrozenPositions }> {
  const key = createKey(model, opts);
  const frozen = await applyKey(model, key);
  return { key, frozen };
}
