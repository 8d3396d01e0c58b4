import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import type { ParamInfo } from '../models/types';
import { selectPositions, type PositionGroup } from './keys';
import { SeedStream } from './seed/seedStream';

/**
 * Committed WaterMAS keys (key file version 2; our design, documented in the README):
 *
 *   seed      = HMAC-SHA256(key = nonce, message = SCHEME || canonical JSON of the binding)
 *   binding   = { architecture fingerprint, payload, mark strength, eligible tensors, allocation }
 *   positions = selectPositions(eligible tensors, n, seed, allocation)   (as for any key)
 *   embedded  = payload bits XOR whitening bits, whitening = SeedStream(seed, WHITENING_LABEL)
 *   digest    = SHA-256 of the canonical JSON of everything that fixes the mark (format,
 *               version, method, fingerprint, positions, payload, codec, the commitment block
 *               without the digest); not the objective settings, live changes or timestamps,
 *               which are only known after training.
 *
 * The nonce is the key's 256-bit secret, derived one-way from the seed the user gave (random,
 * from a passphrase, or as hex; nonceFromSeed).
 * Nothing of the mark can be chosen after looking at a model: the positions and the embedded
 * signs follow from the nonce and the payload through HMAC, so a forger who wants a key that
 * an unmarked model "matches" must try nonces until chance delivers one (about 1/p tries to
 * reach a p-value p), and a verifier re-derives everything and refuses a key whose positions
 * do not follow. Whitening makes the embedded signs balanced whatever the message.
 * Publishing (or timestamping) the digest before releasing the model fixes the key: a key
 * made later cannot have that digest.
 */
export const COMMITMENT_SCHEME = 'watermas-lab/commit/v1';
export const NONCE_LABEL = 'watermas-lab/nonce/v1';

/**
 * The nonce of a key made from a secret seed: HMAC-SHA256(seed, NONCE_LABEL). One-way, so the
 * key file (which stores the nonce) does not give away the seed, e.g. one derived from a
 * passphrase used for other keys.
 */
export function nonceFromSeed(seed: Uint8Array): Uint8Array {
  return hmac(sha256, seed, utf8ToBytes(NONCE_LABEL));
}
export const WHITENING_LABEL = 'watermas-lab/whitening/v1';

export interface KeyCommitment {
  readonly scheme: typeof COMMITMENT_SCHEME;
  /** The key's secret, 64 hex digits. */
  readonly nonce: string;
  /** The tensors the positions were drawn from, in the model's parameter order. */
  readonly tensors: readonly string[];
  readonly allocation: 'proportional' | 'equal';
  /** SHA-256 of the canonical key (see above), 64 hex digits. */
  readonly digest: string;
}

/** What a committed key binds, besides the nonce. */
export interface CommitmentBinding {
  readonly fingerprint: string;
  readonly payload: unknown;
  readonly strength: number;
  readonly tensors: readonly string[];
  readonly allocation: 'proportional' | 'equal';
}

/** JSON with object keys sorted at every level (one text per value, whatever the key order). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
    .join(',')}}`;
}

/** The seed the positions and the whitening come from. */
export function committedSeed(nonce: Uint8Array, binding: CommitmentBinding): Uint8Array {
  return hmac(sha256, nonce, utf8ToBytes(`${COMMITMENT_SCHEME}\n${canonicalJson(binding)}`));
}

/** n whitening bits from the seed. */
export function whiteningBits(seed: Uint8Array, n: number): Uint8Array {
  const s = new SeedStream(seed, WHITENING_LABEL);
  const bits = new Uint8Array(n);
  for (let i = 0; i < n; i++) bits[i] = s.bit();
  return bits;
}

/** The positions a committed key must have: drawn from the seed over its declared tensors. */
export function committedPositions(tensors: readonly { name: string; shape: readonly number[] }[], commitment: Pick<KeyCommitment, 'tensors' | 'allocation'>, n: number, seed: Uint8Array): PositionGroup[] {
  const eligible = new Set(commitment.tensors);
  const info: ParamInfo[] = tensors.filter((t) => eligible.has(t.name)).map((t) => ({ name: t.name, shape: [...t.shape], role: 'dense-kernel' }));
  return selectPositions(info, n, seed, { allocation: commitment.allocation });
}

/** SHA-256 (hex) of the canonical form of what fixes the mark (see the module comment). */
export function commitmentDigest(key: {
  readonly format: string;
  readonly version: number;
  readonly method: string;
  readonly architecture: { readonly fingerprint: string };
  readonly positions: readonly PositionGroup[];
  readonly payload: unknown;
  readonly codec: unknown;
  readonly commitment?: Omit<KeyCommitment, 'digest'> & { readonly digest?: string };
}): string {
  if (!key.commitment) throw new Error('commitmentDigest: the key has no commitment');
  const { digest: _digest, ...commitment } = key.commitment;
  const canonical = canonicalJson({
    format: key.format,
    version: key.version,
    method: key.method,
    fingerprint: key.architecture.fingerprint,
    positions: key.positions,
    payload: key.payload,
    codec: key.codec,
    commitment,
  });
  return bytesToHex(sha256(utf8ToBytes(canonical)));
}

export const nonceBytes = (hex: string): Uint8Array => hexToBytes(hex);
export const toHex = (bytes: Uint8Array): string => bytesToHex(bytes);
