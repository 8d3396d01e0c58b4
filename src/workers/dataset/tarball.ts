import { gunzipSync } from 'fflate';
import { CIFAR10_ALL_FILES, CIFAR10_FILE_BYTES, checkCifarBatch } from '../../engine/data/cifar10';

const BLOCK = 512;

/** One regular file of a tar archive (a view into the archive's bytes). */
export interface TarEntry {
  readonly path: string;
  readonly bytes: Uint8Array;
}

function readString(block: Uint8Array, offset: number, length: number): string {
  let end = offset;
  while (end < offset + length && block[end] !== 0) end++;
  return new TextDecoder().decode(block.subarray(offset, end));
}

function readOctal(block: Uint8Array, offset: number, length: number, what: string): number {
  const text = readString(block, offset, length).trim();
  if (!/^[0-7]*$/.test(text)) throw new Error(`tar: bad ${what} field "${text}" (not a tar archive?)`);
  return text === '' ? 0 : parseInt(text, 8);
}

/**
 * Lists the regular files of an uncompressed POSIX (ustar / GNU) tar archive.
 * Directories, links and pax headers are skipped; the archive must not be truncated.
 */
export function readTar(tar: Uint8Array): TarEntry[] {
  const entries: TarEntry[] = [];
  let pos = 0;
  let longName: string | null = null;
  while (pos + BLOCK <= tar.length) {
    const header = tar.subarray(pos, pos + BLOCK);
    if (header.every((b) => b === 0)) break; // end-of-archive marker
    const stored = readOctal(header, 148, 8, 'checksum');
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i];
    if (sum !== stored) throw new Error(`tar: header checksum mismatch at byte ${pos} (not a tar archive, or corrupted)`);
    const size = readOctal(header, 124, 12, 'size');
    const type = String.fromCharCode(header[156] || 48);
    const prefix = readString(header, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${readString(header, 0, 100)}` : readString(header, 0, 100));
    const dataStart = pos + BLOCK;
    if (dataStart + size > tar.length) throw new Error(`tar: ${name} is truncated (${tar.length - dataStart} of ${size} bytes)`);
    const data = tar.subarray(dataStart, dataStart + size);
    longName = null;
    if (type === 'L') longName = readString(data, 0, data.length);
    else if (type === '0' || type === '7') entries.push({ path: name, bytes: data });
    pos = dataStart + Math.ceil(size / BLOCK) * BLOCK;
  }
  return entries;
}

/**
 * Unpacks the official `cifar-10-binary.tar.gz` and returns its six batch files by name
 * (`data_batch_1.bin` ... `test_batch.bin`), each checked for the exact official size and
 * label range. Throws a one-line reason naming what is wrong or missing.
 */
export function extractCifarTarball(gz: Uint8Array): Map<string, Uint8Array> {
  if (gz.length < 2 || gz[0] !== 0x1f || gz[1] !== 0x8b) {
    throw new Error('not a gzip file: expected the official cifar-10-binary.tar.gz');
  }
  let tar: Uint8Array;
  try {
    tar = gunzipSync(gz);
  } catch (e) {
    throw new Error(`could not decompress the tarball (${e instanceof Error ? e.message : String(e)}); is the download complete?`, { cause: e });
  }
  const files = new Map<string, Uint8Array>();
  for (const entry of readTar(tar)) {
    const base = entry.path.split('/').pop() ?? '';
    if (CIFAR10_ALL_FILES.includes(base)) files.set(base, entry.bytes);
  }
  const missing = CIFAR10_ALL_FILES.filter((f) => !files.has(f));
  if (missing.length > 0) {
    throw new Error(`the archive lacks ${missing.join(', ')}: expected the official cifar-10-binary.tar.gz (binary version)`);
  }
  for (const [name, bytes] of files) {
    const problem = checkCifarBatch(bytes, name, CIFAR10_FILE_BYTES);
    if (problem) throw new Error(problem);
  }
  return files;
}
