import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { CIFAR10_ARCHIVE_MD5, cifar10FromArchive, md5Hex, unpackCifar10Archive } from '../../../src/engine/data/archive';
import { CIFAR10_ALL_FILES, CIFAR10_FILE_BYTES, CIFAR10_RECORD_BYTES } from '../../../src/engine/data/cifar10';
import { readTar, tarFiles } from '../../../src/engine/data/tar';
import { buildTar, fakeBatch } from './helpers';

const enc = new TextEncoder();

function hasSystemTar(): boolean {
  try { execFileSync('tar', ['--version'], { stdio: 'ignore' }); return true; } catch { return false; }
}

describe('tar reader', () => {
  it('reads files, directories, sizes that are not block multiples, and ustar prefixes', () => {
    const long = `${'d'.repeat(60)}/${'e'.repeat(60)}/file.bin`;
    const data = Uint8Array.from({ length: 1300 }, (_, i) => (i * 31) & 255);
    const tar = buildTar([
      { name: 'top/', dir: true },
      { name: 'top/a.txt', data: enc.encode('hello') },
      { name: 'top/empty', data: new Uint8Array(0) },
      { name: long, data },
    ]);
    const entries = readTar(tar);
    expect(entries.map((e) => [e.name, e.type, e.size])).toEqual([
      ['top/', '5', 0], ['top/a.txt', '0', 5], ['top/empty', '0', 0], [long, '0', 1300],
    ]);
    expect(new TextDecoder().decode(entries[1].data)).toBe('hello');
    expect(entries[3].data).toEqual(data);
    const files = tarFiles(tar);
    expect([...files.keys()]).toEqual(['top/a.txt', 'top/empty', long]);
  });

  it('rejects a corrupt header and a truncated archive', () => {
    const tar = buildTar([{ name: 'x.bin', data: new Uint8Array(2000) }]);
    const bad = tar.slice(); bad[10] ^= 1;
    expect(() => readTar(bad)).toThrow(/checksum mismatch at offset 0/);
    expect(() => readTar(tar.subarray(0, 1024))).toThrow(/needs 2000 bytes .*truncated/);
  });

  it.skipIf(!hasSystemTar())('reads an archive written by the system tar (GNU format, long names)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wmlab-tar-'));
    try {
      const deep = join(dir, 'src', 'x'.repeat(120));
      mkdirSync(deep, { recursive: true });
      writeFileSync(join(deep, 'f.bin'), Uint8Array.from({ length: 777 }, (_, i) => i & 255));
      writeFileSync(join(dir, 'src', 'b.txt'), 'bee');
      execFileSync('tar', ['-cf', join(dir, 'a.tar'), '--format=gnu', '-C', dir, 'src']);
      const files = tarFiles(new Uint8Array(readFileSync(join(dir, 'a.tar'))));
      expect(new TextDecoder().decode(files.get('src/b.txt'))).toBe('bee');
      expect(files.get(`src/${'x'.repeat(120)}/f.bin`)).toEqual(Uint8Array.from({ length: 777 }, (_, i) => i & 255));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CIFAR-10 archive unpacking', () => {
  const names = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];
  const small = 2 * 3073;
  const archive = (overrides: Record<string, Uint8Array> = {}) => gzipSync(buildTar([
    { name: 'cifar-10-batches-bin/', dir: true },
    ...names.map((n, i) => ({ name: `cifar-10-batches-bin/${n}`, data: overrides[n] ?? fakeBatch(2, i) })),
    { name: 'cifar-10-batches-bin/batches.meta.txt', data: enc.encode('airplane\n') },
    { name: 'cifar-10-batches-bin/readme.html', data: enc.encode('<html>') },
  ]));

  it('md5Hex is MD5', () => {
    expect(md5Hex(enc.encode('abc'))).toBe('900150983cd24fb0d6963f7d28e17f72');
    expect(md5Hex(new Uint8Array(0))).toBe('d41d8cd98f00b204e9800998ecf8427e');
  });

  it('unpacks the six batch files and the meta file by base name, verifying the MD5', () => {
    const gz = archive();
    const files = unpackCifar10Archive(gz, { md5: md5Hex(gz), expectedFileBytes: small });
    expect([...files.keys()].sort()).toEqual([...names, 'batches.meta.txt'].sort());
    expect(files.get('data_batch_3.bin')).toEqual(fakeBatch(2, 2));
    const ds = cifar10FromArchive(gz, { trainLimit: 5 }, { expectedFileBytes: small });
    expect(ds.label).toBe('CIFAR-10');
    expect([ds.train.count, ds.test.count]).toEqual([5, 2]);
    expect(Array.from(ds.test.labels)).toEqual([5, 6]);
  });

  it('rejects a wrong MD5, a non-gzip file, and wrong-size or missing members, naming them', () => {
    const gz = archive();
    expect(() => unpackCifar10Archive(gz, { md5: CIFAR10_ARCHIVE_MD5, expectedFileBytes: small })).toThrow(/MD5 [0-9a-f]{32} does not match the expected c32a1d4ab5d03f1284b67883e8d87530/);
    expect(() => unpackCifar10Archive(enc.encode('not gzip'))).toThrow(/not a gzip file: expected the official cifar-10-binary\.tar\.gz/);
    expect(() => unpackCifar10Archive(new Uint8Array([1, 2, 3, 4]))).toThrow(/not a gzip file/);
    const cut = gz.slice(0, 40); // gzip magic, then a body that ends early
    expect(() => unpackCifar10Archive(cut)).toThrow(/not a valid gzip file .*is the download complete/);
    const trunc = archive({ 'data_batch_4.bin': fakeBatch(2, 3).subarray(0, 5000) });
    expect(() => unpackCifar10Archive(trunc, { expectedFileBytes: small })).toThrow(/data_batch_4\.bin: 5,000 bytes, expected 6,146/);
    expect(() => unpackCifar10Archive(archive(), {})).toThrow(/data_batch_1\.bin: .*expected 30,730,000/);
    const missing = gzipSync(buildTar([{ name: 'cifar-10-batches-bin/test_batch.bin', data: fakeBatch(2) }]));
    expect(() => unpackCifar10Archive(missing, { expectedFileBytes: small })).toThrow(/the archive lacks data_batch_1\.bin, .*data_batch_5\.bin \(/);
    const none = gzipSync(buildTar([{ name: 'cifar-10-batches-bin/readme.html', data: new Uint8Array(10) }]), { level: 1 });
    expect(() => unpackCifar10Archive(none)).toThrow(/lacks data_batch_1\.bin, .*test_batch\.bin/);
  });

  it('unpacks a full-size archive with the default (official) file size', () => {
    const full = new Uint8Array(CIFAR10_FILE_BYTES);
    for (let i = 0; i < CIFAR10_FILE_BYTES / CIFAR10_RECORD_BYTES; i++) full[i * CIFAR10_RECORD_BYTES] = i % 10;
    const gz = gzipSync(buildTar([
      { name: 'cifar-10-batches-bin/batches.meta.txt', data: enc.encode('airplane\n') },
      ...CIFAR10_ALL_FILES.map((n) => ({ name: `cifar-10-batches-bin/${n}`, data: full })),
    ]), { level: 1 });
    const files = unpackCifar10Archive(gz);
    expect([...files.keys()].sort()).toEqual([...CIFAR10_ALL_FILES, 'batches.meta.txt'].sort());
    for (const name of CIFAR10_ALL_FILES) {
      expect(files.get(name)!.length).toBe(CIFAR10_FILE_BYTES);
      expect(files.get(name)![CIFAR10_RECORD_BYTES * 3]).toBe(3);
    }
  });
});
