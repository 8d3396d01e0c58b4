import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { md5Hex } from '../../../src/engine/data/archive';
import { CIFAR10_ALL_FILES, CIFAR10_FILE_BYTES } from '../../../src/engine/data/cifar10';
import { loadCifar10, setupCifar10, type SetupCifar10Options } from '../../../src/engine/data/sources';
import { MemFs, buildTar, fakeBatch, nodeFs } from './helpers';

const SMALL = 2 * 3073; // tests with small fake files pass expectedFileBytes: SMALL

function fill(fs: MemFs, dir: string, seed = 0, bytes?: (name: string, i: number) => Uint8Array): void {
  dir = dir.replace(/\/+$/, '');
  fs.dirs.add(dir);
  CIFAR10_ALL_FILES.forEach((name, i) => fs.files.set(`${dir}/${name}`, bytes ? bytes(name, i) : fakeBatch(2, seed + i)));
}

function tarball(seed = 0): Uint8Array {
  return gzipSync(buildTar(CIFAR10_ALL_FILES.map((n, i) => ({ name: `cifar-10-batches-bin/${n}`, data: fakeBatch(2, seed + i) }))));
}

async function run(fs: MemFs, extra: Partial<SetupCifar10Options> = {}) {
  const log: string[] = [];
  const result = await setupCifar10({ targetDir: 'public/datasets/cifar10', fs, log: (m) => log.push(m), expectedFileBytes: SMALL, ...extra });
  return { ...result, log };
}

describe('setupCifar10 source order', () => {
  it("1. uses valid files already in the target folder ('existing') and writes nothing", async () => {
    const fs = new MemFs();
    fill(fs, 'public/datasets/cifar10');
    fill(fs, '/env', 50);
    let fetched = 0;
    const r = await run(fs, { envDir: '/env', fetchBytes: async () => { fetched++; return tarball(); } });
    expect(r.source).toBe('existing');
    expect(r.detail).toMatch(/already in public\/datasets\/cifar10/);
    expect(fs.writes).toEqual([]);
    expect(fetched).toBe(0);
  });

  it("2. otherwise copies from CIFAR10_DIR ('env'), with batches.meta.txt", async () => {
    const fs = new MemFs();
    fill(fs, '/data/cifar/', 20);
    fs.files.set('/data/cifar/batches.meta.txt', new TextEncoder().encode('airplane\n'));
    let fetched = 0;
    const r = await run(fs, { envDir: '/data/cifar/', fetchBytes: async () => { fetched++; return tarball(); } });
    expect(r.source).toBe('env');
    expect(r.detail).toMatch(/CIFAR10_DIR=\/data\/cifar\//);
    expect(fetched).toBe(0);
    expect(fs.writes.sort()).toEqual([...CIFAR10_ALL_FILES, 'batches.meta.txt'].map((n) => `public/datasets/cifar10/${n}`).sort());
    expect(fs.files.get('public/datasets/cifar10/test_batch.bin')).toEqual(fakeBatch(2, 25));
    expect(fs.dirs.has('public/datasets/cifar10')).toBe(true);
    // A second run finds them in place.
    expect((await run(fs, { envDir: '/data/cifar/' })).source).toBe('existing');
  });

  it("3. otherwise downloads the archive, checks its MD5 and unpacks it ('download')", async () => {
    const fs = new MemFs();
    const gz = tarball(70);
    const urls: string[] = [];
    const r = await run(fs, { fetchBytes: async (u) => { urls.push(u); return gz; }, md5: md5Hex(gz) });
    expect(urls).toEqual(['https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz']);
    expect(r.source).toBe('download');
    expect(r.detail).toMatch(/MD5 verified/);
    expect(fs.files.get('public/datasets/cifar10/data_batch_5.bin')).toEqual(fakeBatch(2, 74));
  });

  it("4. otherwise falls back to the embedded synthetic set, saying why", async () => {
    const fs = new MemFs();
    const r = await run(fs, { envDir: '/nowhere', fetchBytes: async () => { throw new Error('getaddrinfo ENOTFOUND www.cs.toronto.edu'); } });
    expect(r.source).toBe('synthetic');
    expect(r.detail).toMatch(/synthetic/);
    expect(r.problems.some((p) => p.includes('CIFAR10_DIR: /nowhere/data_batch_1.bin: missing'))).toBe(true);
    expect(r.problems.some((p) => p.includes('ENOTFOUND'))).toBe(true);
    expect(fs.writes).toEqual([]);
    const bare = await run(new MemFs());
    expect(bare.source).toBe('synthetic');
    expect(bare.detail).toMatch(/CIFAR10_DIR not set, no download attempted/);
  });

  it('a download with the wrong MD5 is not used', async () => {
    const fs = new MemFs();
    const r = await run(fs, { fetchBytes: async () => tarball() }); // default MD5 = the official one
    expect(r.source).toBe('synthetic');
    expect(r.problems.join('\n')).toMatch(/MD5 [0-9a-f]{32} does not match the expected c32a1d4ab5d03f1284b67883e8d87530/);
    expect(fs.writes).toEqual([]);
  });
});

describe('setupCifar10 rejects truncated, wrong-size and corrupt files', () => {
  it('a truncated real-size file in the target is reported with its name and expected size, and not used', async () => {
    const fs = new MemFs();
    const good = new Uint8Array(CIFAR10_FILE_BYTES); // all labels 0: valid
    fill(fs, 'public/datasets/cifar10', 0, (name) => (name === 'data_batch_3.bin' ? good.subarray(0, CIFAR10_FILE_BYTES - 1000) : good));
    const r = await run(fs, { expectedFileBytes: undefined });
    expect(r.source).toBe('synthetic');
    expect(r.problems).toContain('public/datasets/cifar10/data_batch_3.bin: 30,729,000 bytes, expected 30,730,000 (truncated?); not used');
    expect(r.log).toContain('public/datasets/cifar10/data_batch_3.bin: 30,729,000 bytes, expected 30,730,000 (truncated?); not used');
  });

  it('a wrong-size file in CIFAR10_DIR makes it unusable; the download is tried next', async () => {
    const fs = new MemFs();
    fill(fs, '/env', 0, (name, i) => (name === 'test_batch.bin' ? new Uint8Array(SMALL + 3073) : fakeBatch(2, i)));
    const gz = tarball(3);
    const r = await run(fs, { envDir: '/env', fetchBytes: async () => gz, md5: md5Hex(gz) });
    expect(r.source).toBe('download');
    expect(r.problems).toContain('CIFAR10_DIR: /env/test_batch.bin: 9,219 bytes, expected 6,146; not used');
  });

  it('a right-size file with a label outside 0..9 is rejected, naming the file and record', async () => {
    const fs = new MemFs();
    fill(fs, '/env', 0, (_name, i) => { const b = fakeBatch(2, i); if (i === 1) b[3073] = 200; return b; });
    const r = await run(fs, { envDir: '/env' });
    expect(r.source).toBe('synthetic');
    expect(r.problems).toContain('CIFAR10_DIR: /env/data_batch_2.bin: record 1 has label 200, expected 0..9 (not a CIFAR-10 binary batch?); not used');
  });

  it('a partly filled target is replaced by a valid CIFAR10_DIR copy', async () => {
    const fs = new MemFs();
    fs.files.set('public/datasets/cifar10/data_batch_1.bin', new Uint8Array(100));
    fill(fs, '/env', 40);
    const r = await run(fs, { envDir: '/env' });
    expect(r.source).toBe('env');
    expect(r.problems).toContain('public/datasets/cifar10/data_batch_1.bin: 100 bytes, expected 6,146 (truncated?); not used');
    expect(fs.files.get('public/datasets/cifar10/data_batch_1.bin')).toEqual(fakeBatch(2, 40));
  });
});

describe('setupCifar10 + loadCifar10 over a real temp folder', () => {
  it('copies from a CIFAR10_DIR folder, then finds it in place, then loads it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'wmlab-data-'));
    try {
      const env = join(root, 'env'), target = join(root, 'public', 'datasets', 'cifar10');
      mkdirSync(env);
      CIFAR10_ALL_FILES.forEach((n, i) => writeFileSync(join(env, n), fakeBatch(2, i)));
      const opts = { targetDir: target, envDir: env, fs: nodeFs, expectedFileBytes: SMALL };
      expect((await setupCifar10(opts)).source).toBe('env');
      expect(existsSync(join(target, 'batches.meta.txt'))).toBe(false);
      expect(new Uint8Array(readFileSync(join(target, 'test_batch.bin')))).toEqual(fakeBatch(2, 5));
      expect((await setupCifar10(opts)).source).toBe('existing');
      const ds = await loadCifar10(nodeFs, target, { trainLimit: 3 });
      expect(ds.label).toBe('CIFAR-10');
      expect(ds.train.count).toBe(3);
      expect(ds.test.count).toBe(2);
      await expect(loadCifar10(nodeFs, env.replace('env', 'nope'))).rejects.toThrow(/missing file .*nope\/data_batch_1\.bin/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
