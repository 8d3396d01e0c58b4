import { gunzipSync } from 'fflate';
import { md5 } from '@noble/hashes/legacy.js';
import { CIFAR10_ALL_FILES, CIFAR10_FILE_BYTES, CIFAR10_META_FILE, assembleCifar10, checkCifarBatch, type CifarLimits } from './cifar10';
import type { Dataset } from './types';
import { tarFiles } from './tar';

/** The official CIFAR-10 binary archive and its published MD5. */
export const CIFAR10_ARCHIVE_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';
export const CIFAR10_ARCHIVE_MD5 = 'c32a1d4ab5d03f1284b67883e8d87530';

/** Lower-case hex MD5 of some bytes (@noble/hashes legacy md5). */
export function md5Hex(bytes: Uint8Array): string {
  const d = md5(bytes);
  let s = '';
  for (let i = 0; i < d.length; i++) s += d[i].toString(16).padStart(2, '0');
  return s;
}

export interface UnpackOptions {
  /** When given, the archive's MD5 must match (the download path passes CIFAR10_ARCHIVE_MD5). */
  readonly md5?: string;
  /** Exact size each batch file must have. Default 30,730,000. */
  readonly expectedFileBytes?: number;
}

/**
 * Unpacks `cifar-10-binary.tar.gz` (gunzip with fflate + our tar reader) and returns the six
 * batch files, plus batches.meta.txt when present, keyed by base name. Every batch file is
 * validated (size and labels); throws one message listing every problem. Used by the
 * download step of setupCifar10 and by the worker for a tarball dropped into the page.
 */
export function unpackCifar10Archive(gz: Uint8Array, opts: UnpackOptions = {}): Map<string, Uint8Array> {
  if (gz.length < 2 || gz[0] !== 0x1f || gz[1] !== 0x8b) {
    throw new Error('not a gzip file: expected the official cifar-10-binary.tar.gz');
  }
  if (opts.md5 !== undefined) {
    const got = md5Hex(gz);
    if (got !== opts.md5.toLowerCase()) {
      throw new Error(`cifar-10-binary.tar.gz: MD5 ${got} does not match the expected ${opts.md5} (${gz.length.toLocaleString('en-US')} bytes; corrupt or incomplete download?)`);
    }
  }
  let tar: Uint8Array;
  try {
    tar = gunzipSync(gz);
  } catch (e) {
    throw new Error(`cifar-10-binary.tar.gz: not a valid gzip file (${(e as Error).message}); is the download complete?`, { cause: e });
  }
  const byBase = new Map<string, Uint8Array>();
  for (const [path, data] of tarFiles(tar)) byBase.set(path.slice(path.lastIndexOf('/') + 1), data);
  const missing = CIFAR10_ALL_FILES.filter((name) => !byBase.has(name));
  const problems: string[] = missing.length ? [`the archive lacks ${missing.join(', ')} (expected the official binary version)`] : [];
  const out = new Map<string, Uint8Array>();
  for (const name of CIFAR10_ALL_FILES) {
    const data = byBase.get(name);
    if (!data) continue;
    const problem = checkCifarBatch(data, name, opts.expectedFileBytes ?? CIFAR10_FILE_BYTES);
    if (problem) problems.push(problem); else out.set(name, data);
  }
  if (problems.length) throw new Error(`cifar-10-binary.tar.gz: ${problems.join('; ')}`);
  const meta = byBase.get(CIFAR10_META_FILE);
  if (meta) out.set(CIFAR10_META_FILE, meta);
  return out;
}

/**
 * The CIFAR-10 Dataset straight from a `cifar-10-binary.tar.gz` (e.g. one dropped into the page;
 * the worker can then keep the returned files in IndexedDB/OPFS). No MD5 is demanded unless given.
 */
export function cifar10FromArchive(gz: Uint8Array, limits: CifarLimits = {}, opts: UnpackOptions = {}): Dataset {
  return assembleCifar10(unpackCifar10Archive(gz, opts), limits);
}
