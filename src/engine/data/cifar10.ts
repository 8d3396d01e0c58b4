import type { Dataset, ImageSet } from './types';

/** CIFAR-10 image geometry. */
export const CIFAR10_HEIGHT = 32;
export const CIFAR10_WIDTH = 32;
export const CIFAR10_CHANNELS = 3;
/** Pixel bytes per record: 1024 R, 1024 G, 1024 B (each plane 32x32 row-major). */
export const CIFAR10_PIXEL_BYTES = CIFAR10_HEIGHT * CIFAR10_WIDTH * CIFAR10_CHANNELS;
/** One record of the official binary layout: 1 label byte + 3072 pixel bytes. */
export const CIFAR10_RECORD_BYTES = 1 + CIFAR10_PIXEL_BYTES;
/** Records in each official batch file. */
export const CIFAR10_RECORDS_PER_FILE = 10_000;
/** Size of each official batch file: 30,730,000 bytes. */
export const CIFAR10_FILE_BYTES = CIFAR10_RECORDS_PER_FILE * CIFAR10_RECORD_BYTES;

/** Class names in label order (as in batches.meta.txt). */
export const CIFAR10_CLASS_NAMES: readonly string[] = [
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
];

/** The six files of the official `cifar-10-batches-bin/` folder. */
export const CIFAR10_FILES = {
  train: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'],
  test: ['test_batch.bin'],
} as const;

/** All six batch files, train first. */
export const CIFAR10_ALL_FILES: readonly string[] = [...CIFAR10_FILES.train, ...CIFAR10_FILES.test];

/** Optional metadata file (class names, one a line) copied along when present. */
export const CIFAR10_META_FILE = 'batches.meta.txt';

/**
 * Checks a batch file's bytes without converting them. Returns null when valid, otherwise a
 * one-line reason that names the file. `expectedBytes` (e.g. CIFAR10_FILE_BYTES) demands an
 * exact size; without it any positive multiple of 3073 is accepted. Every label is checked.
 */
export function checkCifarBatch(bytes: Uint8Array, fileName: string, expectedBytes?: number): string | null {
  const n = bytes.length;
  if (expectedBytes !== undefined && n !== expectedBytes) {
    const hint = n < expectedBytes ? ' (truncated?)' : '';
    return `${fileName}: ${fmt(n)} bytes, expected ${fmt(expectedBytes)} (${fmt(expectedBytes / CIFAR10_RECORD_BYTES)} records of ${CIFAR10_RECORD_BYTES} bytes)${hint}`;
  }
  if (n === 0 || n % CIFAR10_RECORD_BYTES !== 0) {
    return `${fileName}: ${fmt(n)} bytes is not a positive multiple of the ${CIFAR10_RECORD_BYTES}-byte CIFAR-10 record (official batch files are ${fmt(CIFAR10_FILE_BYTES)} bytes)`;
  }
  const count = n / CIFAR10_RECORD_BYTES;
  for (let i = 0; i < count; i++) {
    const label = bytes[i * CIFAR10_RECORD_BYTES];
    if (label > 9) return `${fileName}: record ${i} has label ${label}, expected 0..9 (not a CIFAR-10 binary batch?)`;
  }
  return null;
}

/**
 * Parses one batch file of the official binary layout into uint8 HWC images.
 * Each record is 1 label byte followed by the R, G and B planes (32x32 row-major each);
 * the planes are interleaved into [32, 32, 3]. Throws a message naming the file when the
 * size is not a positive multiple of 3073 or a label is outside 0..9.
 */
export function parseCifarBatch(bytes: Uint8Array, fileName: string): ImageSet {
  const problem = checkCifarBatch(bytes, fileName);
  if (problem) throw new Error(problem);
  const count = bytes.length / CIFAR10_RECORD_BYTES;
  const images = new Uint8Array(count * CIFAR10_PIXEL_BYTES);
  const labels = new Uint8Array(count);
  decodeRecordsInto(bytes, count, images, labels, 0);
  return { images, labels, count, height: CIFAR10_HEIGHT, width: CIFAR10_WIDTH, channels: CIFAR10_CHANNELS };
}

/** Decodes the first `count` records (CHW planes) into HWC `images` / `labels` starting at image `at`. */
function decodeRecordsInto(bytes: Uint8Array, count: number, images: Uint8Array, labels: Uint8Array, at: number): void {
  const plane = CIFAR10_HEIGHT * CIFAR10_WIDTH;
  for (let i = 0; i < count; i++) {
    const rec = i * CIFAR10_RECORD_BYTES;
    labels[at + i] = bytes[rec];
    const r = rec + 1, g = r + plane, b = g + plane;
    for (let p = 0, o = (at + i) * CIFAR10_PIXEL_BYTES; p < plane; p++, o += 3) {
      images[o] = bytes[r + p];
      images[o + 1] = bytes[g + p];
      images[o + 2] = bytes[b + p];
    }
  }
}

/** Inverse of parseCifarBatch: writes a 32x32x3 ImageSet in the official binary layout. */
export function encodeCifarBatch(set: ImageSet): Uint8Array {
  if (set.height !== CIFAR10_HEIGHT || set.width !== CIFAR10_WIDTH || set.channels !== CIFAR10_CHANNELS) {
    throw new Error(`encodeCifarBatch: images must be 32x32x3, got ${set.height}x${set.width}x${set.channels}`);
  }
  const plane = CIFAR10_HEIGHT * CIFAR10_WIDTH;
  const out = new Uint8Array(set.count * CIFAR10_RECORD_BYTES);
  for (let i = 0; i < set.count; i++) {
    const rec = i * CIFAR10_RECORD_BYTES;
    const label = set.labels[i];
    if (label > 9) throw new Error(`encodeCifarBatch: image ${i} has label ${label}, expected 0..9`);
    out[rec] = label;
    const r = rec + 1, g = r + plane, b = g + plane;
    const src = i * CIFAR10_PIXEL_BYTES;
    for (let p = 0, s = src; p < plane; p++, s += 3) {
      out[r + p] = set.images[s];
      out[g + p] = set.images[s + 1];
      out[b + p] = set.images[s + 2];
    }
  }
  return out;
}

/** Options for assembleCifar10 / loaders: keep only the first N train / test images. */
export interface CifarLimits {
  readonly trainLimit?: number;
  readonly testLimit?: number;
}

/**
 * Builds the CIFAR-10 Dataset from the six batch files (by file name, e.g. from
 * `data_batch_1.bin`). Train = data_batch_1..5 concatenated in order, test = test_batch.
 * With limits, only the files needed to reach them are required and parsed
 * (trainLimit 5000 needs only data_batch_1.bin). A needed file that is missing or invalid throws.
 */
export function assembleCifar10(files: ReadonlyMap<string, Uint8Array>, opts: CifarLimits = {}): Dataset {
  const train = parseSplit(files, CIFAR10_FILES.train, opts.trainLimit);
  const test = parseSplit(files, CIFAR10_FILES.test, opts.testLimit);
  return { name: 'cifar10', label: 'CIFAR-10', classNames: CIFAR10_CLASS_NAMES, train, test };
}

/** Names of the files needed to provide `limit` images of a split (all when no limit). */
export function cifarFilesNeeded(split: 'train' | 'test', limit?: number): string[] {
  const names = CIFAR10_FILES[split];
  if (limit === undefined || !Number.isFinite(limit)) return [...names];
  const n = Math.max(1, Math.ceil(limit / CIFAR10_RECORDS_PER_FILE));
  return names.slice(0, Math.min(n, names.length));
}

function parseSplit(files: ReadonlyMap<string, Uint8Array>, names: readonly string[], limit?: number): ImageSet {
  if (limit !== undefined && !(limit >= 1 && Number.isInteger(limit))) {
    throw new RangeError(`CIFAR-10 limit must be a positive integer, got ${limit}`);
  }
  // Validate every needed file first, then decode straight into one buffer (no 2x peak memory).
  const parts: { bytes: Uint8Array; take: number }[] = [];
  let total = 0;
  for (const name of names) {
    if (limit !== undefined && total >= limit) break;
    const bytes = files.get(name);
    if (!bytes) throw new Error(`CIFAR-10: missing file ${name}`);
    const problem = checkCifarBatch(bytes, name);
    if (problem) throw new Error(problem);
    const count = bytes.length / CIFAR10_RECORD_BYTES;
    const take = limit === undefined ? count : Math.min(count, limit - total);
    parts.push({ bytes, take });
    total += take;
  }
  const images = new Uint8Array(total * CIFAR10_PIXEL_BYTES);
  const labels = new Uint8Array(total);
  let at = 0;
  for (const { bytes, take } of parts) {
    decodeRecordsInto(bytes, take, images, labels, at);
    at += take;
  }
  return { images, labels, count: total, height: CIFAR10_HEIGHT, width: CIFAR10_WIDTH, channels: CIFAR10_CHANNELS };
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
