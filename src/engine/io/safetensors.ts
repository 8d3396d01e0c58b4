import { bf16ToNumber, f16ToNumber } from './halfFloat';
import { Deadline, DEFAULT_IMPORT_LIMITS } from './limits';
import { ModelFileError } from './modelFile';
import { decodeUtf8, duplicateTopLevelKey, parseGuardedJson } from './safeJson';

/**
 * safetensors, as the lab reads and writes it (https://github.com/huggingface/safetensors):
 *
 *   bytes 0..8        N = header length, unsigned 64-bit little-endian
 *   bytes 8..8+N      UTF-8 JSON object: { "<tensor name>": { "dtype": "F32", "shape": [..],
 *                     "data_offsets": [begin, end] }, ..., "__metadata__"?: { string: string } }
 *                     (the writer pads it with spaces to a multiple of 8 bytes)
 *   bytes 8+N..       the data buffer; a tensor's bytes are buffer[begin, end), little-endian,
 *                     row-major (C order).
 *
 * Layout contract with watermark keys: tensor names are the lab's parameter names
 * (`conv1/kernel`, `head/dense/bias`, BN state `.../moving_mean`), shapes are the lab's TF
 * layouts (conv kernels [kh, kw, in, out], depthwise [kh, kw, in, mult], dense [in, out]),
 * and the row-major flat index of a value is exactly the flat index a key stores. A PyTorch
 * model (conv [out, in, kh, kw], linear [out, in]) must be renamed and transposed to these
 * layouts before a lab key can address it; nothing is transposed on import.
 *
 * Float dtypes F32, F16, BF16 and F64 are read (converted to float32). Integer and bool
 * tensors (I64, I32, I16, I8, U8, U16, U32, U64, BOOL — e.g. PyTorch's `num_batches_tracked`)
 * are validated and skipped, as a watermark never lives there. Any other dtype is an error.
 */

export type SafetensorsFloatDtype = 'F32' | 'F16' | 'BF16' | 'F64';

export interface SafetensorsTensor {
  readonly dtype: SafetensorsFloatDtype;
  readonly shape: number[];
  readonly values: Float32Array;
}

export type SafetensorsInput =
  | { readonly name: string; readonly shape: readonly number[]; readonly dtype: 'F32'; readonly values: Float32Array }
  /** Integer counters (PyTorch's BatchNorm `num_batches_tracked`). */
  | { readonly name: string; readonly shape: readonly number[]; readonly dtype: 'I64'; readonly values: BigInt64Array };

export interface ReadSafetensorsOptions {
  /** File name used in error messages. */
  readonly file: string;
  /** Reject a file larger than this (default 512 MiB). */
  readonly maxBytes?: number;
  /** Reject a header longer than this (default 64 MiB). */
  readonly maxHeaderBytes?: number;
  /** JSON nesting limit for the header (default 64). */
  readonly maxDepth?: number;
  /** Most tensors (default 100 000). */
  readonly maxTensors?: number;
  /** Reject NaN/Inf values (default true). */
  readonly rejectNonFinite?: boolean;
  /** Time budget shared with the caller. */
  readonly deadline?: Deadline;
}

/** The result of reading: float tensors (as float32), the skipped non-float tensors and the metadata. */
export interface SafetensorsContents {
  readonly tensors: Map<string, SafetensorsTensor>;
  readonly skipped: { readonly name: string; readonly dtype: string }[];
  readonly metadata: Record<string, string>;
}

const FLOAT_BYTES: Record<SafetensorsFloatDtype, number> = { F32: 4, F16: 2, BF16: 2, F64: 8 };
const SKIPPED_BYTES: Record<string, number> = { I64: 8, U64: 8, I32: 4, U32: 4, I16: 2, U16: 2, I8: 1, U8: 1, BOOL: 1 };
const MAX_RANK = 8;

/**
 * Serialises float32 (and int64) tensors as a safetensors file (tensors in the given order, contiguous,
 * header padded with spaces to 8 bytes). Names must be unique and non-empty.
 */
export function writeSafetensors(tensors: readonly SafetensorsInput[], metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length) header.__metadata__ = { ...metadata };
  let offset = 0;
  for (const t of tensors) {
    if (!t.name || t.name === '__metadata__') throw new Error(`Invalid tensor name '${t.name}'.`);
    if (t.name in header) throw new Error(`Tensor '${t.name}' appears twice.`);
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (size !== t.values.length) throw new Error(`Tensor '${t.name}' has ${t.values.length} values for shape [${t.shape.join(', ')}].`);
    const width = t.dtype === 'F32' ? 4 : 8;
    header[t.name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + width * size] };
    offset += width * size;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let o = 8 + json.length;
  for (const t of tensors) {
    if (t.dtype === 'F32') for (let i = 0; i < t.values.length; i++, o += 4) view.setFloat32(o, t.values[i], true);
    else for (let i = 0; i < t.values.length; i++, o += 8) view.setBigInt64(o, t.values[i], true);
  }
  return out;
}

interface Entry {
  readonly name: string;
  readonly dtype: string;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

/** Reads and validates a safetensors file; every problem is a ModelFileError naming the file. */
export function readSafetensorsFile(bytes: Uint8Array, opts: ReadSafetensorsOptions): SafetensorsContents {
  const file = opts.file;
  const fail = (message: string): never => {
    throw new ModelFileError(file, message);
  };
  const maxBytes = opts.maxBytes ?? DEFAULT_IMPORT_LIMITS.maxTotalBytes;
  const maxHeader = opts.maxHeaderBytes ?? DEFAULT_IMPORT_LIMITS.maxJsonBytes;
  const maxTensors = opts.maxTensors ?? DEFAULT_IMPORT_LIMITS.maxTensors;
  if (bytes.length > maxBytes) fail(`file is too large (${bytes.length} bytes, limit ${maxBytes})`);
  if (bytes.length < 8) fail(`truncated safetensors file: ${bytes.length} bytes, but the file must start with an 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(maxHeader)) fail(`safetensors header length ${headerLength} is absurdly large (limit ${maxHeader} bytes)`);
  const n = Number(headerLength);
  if (8 + n > bytes.length) fail(`safetensors header length ${n} runs beyond the end of the file (${bytes.length} bytes)`);
  if (n < 2) fail(`safetensors header length ${n} is too small to hold a JSON object`);
  const text = decodeUtf8(bytes.subarray(8, 8 + n), 'the safetensors header', fail);
  const raw = parseGuardedJson(text, { maxBytes: maxHeader, maxDepth: opts.maxDepth ?? DEFAULT_IMPORT_LIMITS.maxJsonDepth }, 'the safetensors header', fail);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('the safetensors header must be a JSON object');
  const duplicate = duplicateTopLevelKey(text);
  if (duplicate !== null) fail(`tensor '${duplicate}' appears twice in the safetensors header (readers would disagree on which one is meant)`);
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, spec] of Object.entries(raw as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) fail('__metadata__ must be an object of strings');
      for (const [k, v] of Object.entries(spec as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`__metadata__.${k} must be a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    if (entries.length >= maxTensors) fail(`more than ${maxTensors} tensors`);
    entries.push(parseEntry(name, spec, dataLength, fail));
  }
  // As the reference reader: the tensors tile the data buffer exactly, no overlaps, holes or trailing bytes.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (let i = 0; i < sorted.length; i++) {
    const prev = sorted[i - 1], cur = sorted[i];
    if (prev && cur.begin < prev.end) fail(`tensor '${cur.name}' (bytes ${cur.begin}..${cur.end}) overlaps tensor '${prev.name}' (bytes ${prev.begin}..${prev.end})`);
    if (cur.begin > covered) {
      fail(`bytes ${covered}..${cur.begin} of the data buffer belong to no tensor (a hole before '${cur.name}'; the reference safetensors reader refuses it)`);
    }
    covered = cur.end;
  }
  if (covered < dataLength) fail(`${dataLength - covered} trailing bytes after the last tensor's data (the reference safetensors reader refuses them)`);
  const tensors = new Map<string, SafetensorsTensor>();
  const skipped: { name: string; dtype: string }[] = [];
  const rejectNonFinite = opts.rejectNonFinite ?? true;
  for (const e of entries) {
    opts.deadline?.check(file);
    if (!(e.dtype in FLOAT_BYTES)) {
      skipped.push({ name: e.name, dtype: e.dtype });
      continue;
    }
    const dtype = e.dtype as SafetensorsFloatDtype;
    const values = decodeFloats(view, dataStart + e.begin, (e.end - e.begin) / FLOAT_BYTES[dtype], dtype);
    if (rejectNonFinite) assertFinite(values, file, e.name);
    tensors.set(e.name, { dtype, shape: e.shape, values });
  }
  return { tensors, skipped, metadata };
}

/**
 * Reads a safetensors file into its float tensors (converted to float32), keyed by name.
 * A thin wrapper over readSafetensorsFile for callers that need only the tensors.
 */
export function readSafetensors(bytes: Uint8Array, opts: ReadSafetensorsOptions): Map<string, SafetensorsTensor> {
  return readSafetensorsFile(bytes, opts).tensors;
}

function parseEntry(name: string, spec: unknown, dataLength: number, fail: (m: string) => never): Entry {
  if (!name) fail('a tensor has an empty name');
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) fail(`tensor '${name}': entry must be an object with dtype, shape and data_offsets`);
  const s = spec as Record<string, unknown>;
  const dtype = s.dtype;
  if (typeof dtype !== 'string') fail(`tensor '${name}': dtype must be a string`);
  if (!(dtype as string in FLOAT_BYTES) && !(dtype as string in SKIPPED_BYTES)) {
    fail(`tensor '${name}' has unsupported dtype ${JSON.stringify(dtype)} (supported: F32, F16, BF16, F64; integer tensors are skipped)`);
  }
  const shape = s.shape;
  if (!Array.isArray(shape) || shape.length > MAX_RANK || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    fail(`tensor '${name}': shape must be an array of at most ${MAX_RANK} non-negative integers`);
  }
  const offsets = s.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    fail(`tensor '${name}': data_offsets must be two non-negative integers`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) fail(`tensor '${name}': data_offsets [${begin}, ${end}] are reversed`);
  if (end > dataLength) fail(`tensor '${name}': data_offsets [${begin}, ${end}] run beyond the data buffer (${dataLength} bytes)`);
  const size = (shape as number[]).reduce((a, b) => a * b, 1);
  const width = FLOAT_BYTES[dtype as SafetensorsFloatDtype] ?? SKIPPED_BYTES[dtype as string];
  if (end - begin !== size * width) {
    fail(`tensor '${name}': data_offsets span ${end - begin} bytes but shape [${(shape as number[]).join(', ')}] of ${dtype} needs ${size * width}`);
  }
  return { name, dtype: dtype as string, shape: [...(shape as number[])], begin, end };
}

function decodeFloats(view: DataView, at: number, count: number, dtype: SafetensorsFloatDtype): Float32Array {
  const out = new Float32Array(count);
  switch (dtype) {
    case 'F32':
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(at + 4 * i, true);
      break;
    case 'F64':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(at + 8 * i, true);
      break;
    case 'F16':
      for (let i = 0; i < count; i++) out[i] = f16ToNumber(view.getUint16(at + 2 * i, true));
      break;
    case 'BF16':
      for (let i = 0; i < count; i++) out[i] = bf16ToNumber(view.getUint16(at + 2 * i, true));
      break;
  }
  return out;
}

/** Throws a ModelFileError naming file, tensor and flat index of the first NaN or ±Inf. */
export function assertFinite(values: Float32Array, file: string, tensor: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      const what = Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
      throw new ModelFileError(file, `tensor '${tensor}' holds ${what} at flat index ${i}`);
    }
  }
}
