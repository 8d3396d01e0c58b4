import { existsSync, promises as fsp, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DataFs } from '../../../src/engine/data/sources';

/**
 * Real CIFAR-10 (official binary layout) when this machine has it: $CIFAR10_DIR (CI sets it), else
 * the shared copy beside the checkout (../shared/datasets/cifar10).
 */
export const REAL_CIFAR_DIR =
  process.env.CIFAR10_DIR ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/datasets/cifar10');
export const REAL_TEST_BATCH = `${REAL_CIFAR_DIR}/test_batch.bin`;
export const hasRealCifar = existsSync(REAL_TEST_BATCH);
if (!hasRealCifar) console.warn(`[data tests] ${REAL_TEST_BATCH} is absent: tests on real CIFAR-10 records are skipped`);

export function readRealTestBatch(): Uint8Array {
  return new Uint8Array(readFileSync(REAL_TEST_BATCH));
}

/** In-memory DataFs; records every write. Stored arrays are shared, not copied. */
export class MemFs implements DataFs {
  readonly files = new Map<string, Uint8Array>();
  readonly dirs = new Set<string>();
  readonly writes: string[] = [];
  async exists(p: string) { return this.files.has(p) || this.dirs.has(p); }
  async size(p: string) { const f = this.files.get(p); if (!f) throw new Error(`ENOENT ${p}`); return f.length; }
  async read(p: string) { const f = this.files.get(p); if (!f) throw new Error(`ENOENT ${p}`); return f; }
  async write(p: string, b: Uint8Array) { this.files.set(p, b); this.writes.push(p); }
  async mkdirp(p: string) { this.dirs.add(p); }
}

/** DataFs over node:fs (what the CLI will provide). */
export const nodeFs: DataFs = {
  exists: async (p) => existsSync(p),
  size: async (p) => (await fsp.stat(p)).size,
  read: async (p) => new Uint8Array(await fsp.readFile(p)),
  write: async (p, b) => { await fsp.mkdir(dirname(p), { recursive: true }); await fsp.writeFile(p, b); },
  mkdirp: async (p) => { await fsp.mkdir(p, { recursive: true }); },
};

/** A minimal ustar writer (regular files and directories) for building test archives. */
export function buildTar(entries: { name: string; data?: Uint8Array; dir?: boolean }[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  const enc = new TextEncoder();
  for (const e of entries) {
    const data = e.data ?? new Uint8Array(0);
    const h = new Uint8Array(512);
    const put = (s: string, off: number, len: number) => h.set(enc.encode(s).subarray(0, len), off);
    let name = e.name, prefix = '';
    if (name.length > 100) { const cut = name.lastIndexOf('/', 155); prefix = name.slice(0, cut); name = name.slice(cut + 1); }
    put(name, 0, 100);
    put('0000644\0', 100, 8); put('0000000\0', 108, 8); put('0000000\0', 116, 8);
    put(`${data.length.toString(8).padStart(11, '0')}\0`, 124, 12);
    put('00000000000\0', 136, 12);
    h[156] = (e.dir ? '5' : '0').charCodeAt(0);
    put('ustar\0', 257, 6); put('00', 263, 2);
    put(prefix, 345, 155);
    for (let i = 148; i < 156; i++) h[i] = 32;
    const sum = h.reduce((s, v) => s + v, 0);
    put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
    blocks.push(h);
    const padded = new Uint8Array(Math.ceil(data.length / 512) * 512);
    padded.set(data);
    blocks.push(padded);
  }
  blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((s, b) => s + b.length, 0));
  let at = 0;
  for (const b of blocks) { out.set(b, at); at += b.length; }
  return out;
}

/** A small valid batch file: `records` records with labels r % 10 and pixel bytes derived from (seed, r, p). */
export function fakeBatch(records: number, seed = 0): Uint8Array {
  const out = new Uint8Array(records * 3073);
  for (let r = 0; r < records; r++) {
    out[r * 3073] = (r + seed) % 10;
    for (let p = 1; p < 3073; p++) out[r * 3073 + p] = (p * 7 + r * 13 + seed * 31) & 255;
  }
  return out;
}
