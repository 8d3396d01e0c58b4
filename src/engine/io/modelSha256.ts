import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

export interface FileDigest {
  readonly name: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** SHA-256 (lower-case hex) of one file's bytes: the same as `sha256sum FILE`. */
export function sha256Hex(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}

/**
 * The model fingerprint of the uploaded files. One file (e.g. a .safetensors): its plain
 * SHA-256, so it can be compared with `sha256sum`. Several files (model.json + shards): our
 * choice, the SHA-256 of the `sha256sum`-style listing — lines `<hex>  <name>\n` sorted by
 * file name — so the fingerprint does not depend on upload order.
 */
export function modelFingerprint(files: readonly { name: string; bytes: Uint8Array }[]): { sha256: string; files: FileDigest[] } {
  const digests = files.map((f) => ({ name: f.name, bytes: f.bytes.length, sha256: sha256Hex(f.bytes) }));
  if (digests.length === 1) return { sha256: digests[0].sha256, files: digests };
  const listing = [...digests]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((d) => `${d.sha256}  ${d.name}\n`)
    .join('');
  return { sha256: sha256Hex(utf8ToBytes(listing)), files: digests };
}
