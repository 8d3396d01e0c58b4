import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';

/**
 * Deterministic random stream from a 256-bit secret seed (our choice, documented):
 * counter-mode HMAC-SHA256,
 *
 *   block_i = HMAC-SHA256(key = seed, message = UTF-8(label) || 0x00 || uint32_be(i)),  i = 0, 1, 2, ...
 *
 * read as big-endian 32-bit words, 8 words per block. The label separates independent
 * streams drawn from one seed ("positions", "payload bits"...). Pure integer arithmetic in
 * JavaScript: identical in Node and every browser, no float non-determinism.
 * (pure-rand generators only take 32-bit seeds, which would throw away most of the key.)
 */
export class SeedStream {
  private readonly prefix: Uint8Array;
  private counter = 0;
  private words = new Uint32Array(0);
  private pos = 0;

  constructor(
    private readonly seed: Uint8Array,
    label: string,
  ) {
    if (seed.length < 16) throw new RangeError(`SeedStream: seed must have at least 16 bytes, got ${seed.length}`);
    const l = utf8ToBytes(label);
    this.prefix = new Uint8Array(l.length + 5);
    this.prefix.set(l, 0);
    this.prefix[l.length] = 0;
  }

  private refill(): void {
    if (this.counter > 0xffffffff) throw new RangeError('SeedStream: stream exhausted');
    const n = this.prefix.length;
    const c = this.counter++;
    this.prefix[n - 4] = (c >>> 24) & 0xff;
    this.prefix[n - 3] = (c >>> 16) & 0xff;
    this.prefix[n - 2] = (c >>> 8) & 0xff;
    this.prefix[n - 1] = c & 0xff;
    const block = hmac(sha256, this.seed, this.prefix);
    const w = new Uint32Array(8);
    for (let i = 0; i < 8; i++) {
      w[i] = ((block[4 * i] << 24) | (block[4 * i + 1] << 16) | (block[4 * i + 2] << 8) | block[4 * i + 3]) >>> 0;
    }
    this.words = w;
    this.pos = 0;
  }

  /** Next uniform 32-bit unsigned integer. */
  uint32(): number {
    if (this.pos >= this.words.length) this.refill();
    return this.words[this.pos++];
  }

  /**
   * Uniform integer in [0, n), 1 <= n <= 2^32, without modulo bias (rejection sampling:
   * words at or above the largest multiple of n below 2^32 are redrawn).
   */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 0x100000000) throw new RangeError(`SeedStream.int: bad range ${n}`);
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const u = this.uint32();
      if (u < limit) return u % n;
    }
  }

  /** One uniform bit. */
  bit(): 0 | 1 {
    return (this.uint32() & 1) as 0 | 1;
  }
}
