import { describe, expect, it } from 'vitest';
import { gzipSync } from 'fflate';
import { extractCifarTarball, readTar } from '../../../src/workers/dataset/tarball';
import { CIFAR10_ALL_FILES, CIFAR10_FILE_BYTES, CIFAR10_RECORD_BYTES } from '../../../src/engine/data/cifar10';

/** A ustar header + data blocks for one regular file (or `type` entry). */
function tarEntry(name: string, data: Uint8Array, type = '0'): Uint8Array {
  const header = new Uint8Array(512);
  const enc = new TextEncoder();
  const put = (text: string, offset: number) => header.set(enc.encode(text), offset);
  put(name, 0);
  put('0000644\0', 100);
  put('0000000\0', 108);
  put('0000000\0', 116);
  put(data.length.toString(8).padStart(11, '0') + '\0', 124);
  put('00000000000\0', 136);
  put(type, 156);
  put('ustar\0', 257);
  put('00', 263);
  header.fill(32, 148, 156);
  const sum = header.reduce((a, b) => a + b, 0);
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  const padded = new Uint8Array(Math.ceil(data.length / 512) * 512);
  padded.set(data);
  const out = new Uint8Array(512 + padded.length);
  out.set(header);
  out.set(padded, 512);
  return out;
}

function tarOf(entries: Uint8Array[]): Uint8Array {
  const total = entries.reduce((s, e) => s + e.length, 0) + 1024;
  const out = new Uint8Array(total);
  let at = 0;
  for (const e of entries) {
    out.set(e, at);
    at += e.length;
  }
  return out;
}

/** A CIFAR batch of `records` records whose labels cycle 0..9. */
function batch(records: number): Uint8Array {
  const b = new Uint8Array(records * CIFAR10_RECORD_BYTES);
  for (let i = 0; i < records; i++) b[i * CIFAR10_RECORD_BYTES] = i % 10;
  return b;
}

describe('readTar', () => {
  it('lists regular files with their bytes and skips directories', () => {
    const a = new TextEncoder().encode('hello');
    const b = new Uint8Array(700).map((_, i) => i % 251);
    const tar = tarOf([tarEntry('dir/', new Uint8Array(0), '5'), tarEntry('dir/a.txt', a), tarEntry('dir/b.bin', b)]);
    const entries = readTar(tar);
    expect(entries.map((e) => e.path)).toEqual(['dir/a.txt', 'dir/b.bin']);
    expect(new TextDecoder().decode(entries[0].bytes)).toBe('hello');
    expect(Array.from(entries[1].bytes)).toEqual(Array.from(b));
  });

  it('rejects a corrupted header and a truncated archive', () => {
    const tar = tarOf([tarEntry('a.bin', new Uint8Array(1000))]);
    const corrupt = tar.slice();
    corrupt[10] ^= 0xff;
    expect(() => readTar(corrupt)).toThrow(/checksum/);
    expect(() => readTar(tar.subarray(0, 800))).toThrow(/truncated/);
  });
});

describe('extractCifarTarball', () => {
  it('rejects data that is not gzip', () => {
    expect(() => extractCifarTarball(new Uint8Array([1, 2, 3, 4]))).toThrow(/not a gzip file/);
  });

  it('names the missing batch files', () => {
    const gz = gzipSync(tarOf([tarEntry('cifar-10-batches-bin/readme.html', new Uint8Array(10))]), { level: 1 });
    expect(() => extractCifarTarball(gz)).toThrow(/lacks data_batch_1\.bin, .*test_batch\.bin/);
  });

  it('rejects a batch file of the wrong size, naming it', () => {
    const entries = CIFAR10_ALL_FILES.map((f) => tarEntry(`cifar-10-batches-bin/${f}`, batch(f === 'test_batch.bin' ? 5 : 1)));
    const gz = gzipSync(tarOf(entries), { level: 1 });
    expect(() => extractCifarTarball(gz)).toThrow(/data_batch_1\.bin: .*expected 30,730,000/);
  });

  it('extracts the six official files from a full-size archive', () => {
    const full = batch(CIFAR10_FILE_BYTES / CIFAR10_RECORD_BYTES);
    const entries = CIFAR10_ALL_FILES.map((f) => tarEntry(`cifar-10-batches-bin/${f}`, full));
    const gz = gzipSync(tarOf([tarEntry('cifar-10-batches-bin/batches.meta.txt', new TextEncoder().encode('airplane\n')), ...entries]), { level: 1 });
    const files = extractCifarTarball(gz);
    expect([...files.keys()].sort()).toEqual([...CIFAR10_ALL_FILES].sort());
    for (const bytes of files.values()) {
      expect(bytes.length).toBe(CIFAR10_FILE_BYTES);
      expect(bytes[CIFAR10_RECORD_BYTES * 3]).toBe(3);
    }
  });
});
