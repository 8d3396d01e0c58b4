import { pbkdf2Async } from '@noble/hashes/pbkdf2.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';

/** Secret key seeds are 256 bits. */
export const SEED_BYTES = 32;

/**
 * Passphrase derivation (our choice): PBKDF2-HMAC-SHA256 with this fixed, public salt and
 * PASSPHRASE_ITERATIONS iterations, 32-byte output. The salt is fixed so that the same
 * passphrase gives the same key on every machine; the iteration count follows the OWASP
 * 2023 recommendation for PBKDF2-HMAC-SHA256.
 */
export const PASSPHRASE_SALT = 'watermas-lab/key-seed/pbkdf2-sha256/v1';
export const PASSPHRASE_ITERATIONS = 600_000;

/** A fresh random 256-bit seed from the platform CSPRNG (crypto.getRandomValues). */
export function randomSeed(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(SEED_BYTES));
}

/**
 * Derives a 256-bit seed from a passphrase (PBKDF2-HMAC-SHA256, fixed salt, see above).
 * `iterations` is only for tests; keys made with another count are different keys.
 */
export async function seedFromPassphrase(passphrase: string, iterations = PASSPHRASE_ITERATIONS): Promise<Uint8Array> {
  if (passphrase.length === 0) throw new Error('The passphrase is empty.');
  return pbkdf2Async(sha256, utf8ToBytes(passphrase.normalize('NFC')), utf8ToBytes(PASSPHRASE_SALT), {
    c: iterations,
    dkLen: SEED_BYTES,
  });
}

/** Lower-case hex of a seed (64 characters). */
export function seedToHex(seed: Uint8Array): string {
  return bytesToHex(seed);
}

/** Parses a 64-hex-digit seed (an optional 0x prefix is accepted); throws a clear error otherwise. */
export function seedFromHex(hex: string): Uint8Array {
  const h = hex.trim().replace(/^0x/i, '');
  if (!/^[0-9a-fA-F]{64}$/.test(h)) {
    throw new Error(`A key seed is 64 hexadecimal digits (256 bits); got ${h.length} characters.`);
  }
  return hexToBytes(h.toLowerCase());
}
