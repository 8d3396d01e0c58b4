import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import type { Model, ParamInfo, ParamOverrides } from '../models/types';
import { binomialPValue } from './stats/binomial';
import { decodeSigns } from './payload/codec';
import { architectureFingerprint, shapeSize } from './fingerprint';
import { canonicalJson, nonceFromSeed } from './commitment';
import { COMMITTED_KEY_VERSION, KEY_FORMAT, KEY_VERSION, KeyFileError, KeyModelMismatchError, parseKeyEnvelope, requireKeyMethod, schemaError } from './keyFile';
import { bitsFromString, bitsToString, bitsToText, randomBits, textToBits } from './payload/payloadBits';
import { SeedStream } from './seed/seedStream';
import { DEFAULT_P_THRESHOLD, type VerifyOptions } from './verify';

/**
 * Baseline: Uchida et al. 2017, the parameter regulariser (methods.md §4).
 *
 * One conv kernel W [kh, kw, in, out]; w = mean of W over the out axis, flattened (length
 * M = kh·kw·in, row-major); secret X ∈ R^{T×M}, X_ij ~ N(0, 1); loss L + λ·Σ_t BCE(sigmoid((Xw)_t), b_t);
 * extraction b̂ = [Xw > 0] (an exact 0 is an erasure). Defaults T = 256, λ = 0.01.
 *
 * X is regenerated from a 256-bit matrix seed stored in the key file (the key file is the
 * secret): matrixSeed = HMAC-SHA256(key seed, "watermas-lab/uchida-matrix-seed/v1"), then
 * SeedStream(matrixSeed, UCHIDA_MATRIX_LABEL) → Box–Muller pairs from two 32-bit words each,
 * u = (word + 0.5) / 2^32, rounded to float32, row-major.
 *
 * Committed keys (version 2, as for WaterMAS, commitment.ts): the matrix seed is instead
 * HMAC-SHA256(nonce, UCHIDA_COMMIT_SCHEME || canonical JSON of {fingerprint, layer, payload,
 * rows, cols}), nonce = HMAC(key seed, …nonce/v1), and `commitment.digest` is the SHA-256 of the
 * canonical key. Without it a forger holding an unmarked model picks any matrix and declares
 * b = sign(X·w) of that model as "the payload" (BER 0); with it, the matrix follows from the
 * payload, so the forger needs b = sign(X(b)·w), a 2^-T chance per try.
 */
export const UCHIDA_COMMIT_SCHEME = 'watermas-lab/uchida-commit/v1';
export const UCHIDA_DEFAULT_BITS = 256;
export const UCHIDA_DEFAULT_LAMBDA = 0.01;
export const UCHIDA_MATRIX_LABEL = 'watermas-lab/uchida-matrix/v1';

export const UchidaKeySchema = z.object({
  format: z.literal(KEY_FORMAT),
  version: z.union([z.literal(KEY_VERSION), z.literal(COMMITTED_KEY_VERSION)]),
  method: z.literal('uchida'),
  architecture: z.object({
    arch: z.string(),
    fingerprint: z.string().regex(/^[0-9a-f]{64}$/),
    tensors: z.array(z.object({ name: z.string().min(1), shape: z.array(z.number().int().nonnegative()) })).min(1),
  }),
  /** The conv kernel that carries the mark. */
  layer: z.string().min(1),
  matrix: z.object({
    kind: z.literal('seeded-normal'),
    seed: z.string().regex(/^[0-9a-f]{64}$/, 'matrix seed must be 64 lower-case hex digits'),
    rows: z.number().int().positive(),
    cols: z.number().int().positive(),
  }),
  payload: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('bits'), bits: z.string().regex(/^[01]+$/) }),
    z.object({ kind: z.literal('text'), text: z.string().min(1), bits: z.string().regex(/^[01]+$/) }),
  ]),
  objective: z.object({ lambda: z.number().nonnegative() }),
  /** Version 2: the nonce the matrix seed is derived from, and the digest of the key. */
  commitment: z
    .object({
      scheme: z.literal(UCHIDA_COMMIT_SCHEME),
      nonce: z.string().regex(/^[0-9a-f]{64}$/),
      digest: z.string().regex(/^[0-9a-f]{64}$/),
    })
    .optional(),
  createdAt: z.string().min(1),
});

export type UchidaKey = z.infer<typeof UchidaKeySchema>;

/** M = kh·kw·in of a conv kernel [kh, kw, in, out]. */
function projectedLength(shape: readonly number[]): number {
  return shape.slice(0, -1).reduce((a, b) => a * b, 1);
}

/**
 * Default layer (our choice): the first 4-D conv kernel with M ≥ T (so that T sign constraints
 * on M unknowns are satisfiable), else the conv kernel with the largest M.
 */
export function defaultUchidaLayer(paramInfo: readonly ParamInfo[], bits: number): string {
  const convs = paramInfo.filter((p) => p.role === 'conv-kernel' && p.shape.length === 4);
  if (convs.length === 0) throw new Error('Uchida watermarking needs a conv kernel; this model has none.');
  const fit = convs.find((p) => projectedLength(p.shape) >= bits);
  return (fit ?? convs.reduce((a, b) => (projectedLength(b.shape) > projectedLength(a.shape) ? b : a))).name;
}

export interface CreateUchidaKeyOptions {
  readonly seed: Uint8Array;
  readonly payload: { readonly kind: 'random-bits'; readonly count?: number } | { readonly kind: 'text'; readonly text: string };
  readonly layer?: string;
  readonly lambda?: number;
  readonly createdAt?: string;
  /** Commit the key (default true, version 2): the matrix follows from the nonce and the payload. */
  readonly commit?: boolean;
}

/** The matrix seed of a committed key: bound to the payload, the layer and the architecture. */
function committedMatrixSeed(nonce: Uint8Array, key: Pick<UchidaKey, 'architecture' | 'layer' | 'payload'> & { matrix: { rows: number; cols: number } }): string {
  const binding = { fingerprint: key.architecture.fingerprint, layer: key.layer, payload: key.payload, rows: key.matrix.rows, cols: key.matrix.cols };
  return bytesToHex(hmac(sha256, nonce, utf8ToBytes(`${UCHIDA_COMMIT_SCHEME}\n${canonicalJson(binding)}`)));
}

/** SHA-256 (hex) of everything that fixes an Uchida mark (not the objective or the timestamp). */
export function uchidaDigest(key: UchidaKey): string {
  const { digest: _digest, ...commitment } = key.commitment ?? { digest: '' };
  const canonical = canonicalJson({ format: key.format, version: key.version, method: key.method, fingerprint: key.architecture.fingerprint, layer: key.layer, matrix: key.matrix, payload: key.payload, commitment });
  return bytesToHex(sha256(utf8ToBytes(canonical)));
}

/** Builds an Uchida key (layer, seeded projection matrix, payload bits). */
export function createUchidaKey(model: Pick<Model, 'paramInfo' | 'config'>, opts: CreateUchidaKeyOptions): UchidaKey {
  const payload =
    opts.payload.kind === 'text'
      ? { kind: 'text' as const, text: opts.payload.text, bits: bitsToString(textToBits(opts.payload.text)) }
      : { kind: 'bits' as const, bits: bitsToString(randomBits(opts.seed, opts.payload.count ?? UCHIDA_DEFAULT_BITS)) };
  const T = payload.bits.length;
  const layer = opts.layer ?? defaultUchidaLayer(model.paramInfo, T);
  const info = model.paramInfo.find((p) => p.name === layer);
  if (!info || info.shape.length !== 4) throw new Error(`Uchida layer '${layer}' is not a 4-D conv kernel of this model.`);
  const tensors = model.paramInfo.map((p) => ({ name: p.name, shape: [...p.shape] }));
  const commit = opts.commit ?? true;
  const architecture = { arch: model.config.arch, fingerprint: architectureFingerprint(tensors), tensors };
  const nonce = nonceFromSeed(opts.seed);
  const shape = { rows: T, cols: projectedLength(info.shape) };
  const key: UchidaKey = {
    format: KEY_FORMAT,
    version: commit ? COMMITTED_KEY_VERSION : KEY_VERSION,
    method: 'uchida',
    architecture,
    layer,
    matrix: {
      kind: 'seeded-normal',
      seed: commit
        ? committedMatrixSeed(nonce, { architecture, layer, payload, matrix: shape })
        : bytesToHex(hmac(sha256, opts.seed, utf8ToBytes('watermas-lab/uchida-matrix-seed/v1'))),
      ...shape,
    },
    payload,
    objective: { lambda: opts.lambda ?? UCHIDA_DEFAULT_LAMBDA },
    createdAt: opts.createdAt ?? new Date().toISOString(),
  };
  if (commit) key.commitment = { scheme: UCHIDA_COMMIT_SCHEME, nonce: bytesToHex(nonce), digest: '' };
  if (key.commitment) key.commitment.digest = uchidaDigest(key);
  validateUchidaKey(key);
  return key;
}

/** The secret matrix X [rows × cols] (row-major float32), regenerated from the key's matrix seed. */
export function uchidaMatrix(key: Pick<UchidaKey, 'matrix'>): Float32Array {
  const { rows, cols, seed } = key.matrix;
  const s = new SeedStream(hexToBytes(seed), UCHIDA_MATRIX_LABEL);
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < out.length; i += 2) {
    const u1 = (s.uint32() + 0.5) / 4294967296;
    const u2 = (s.uint32() + 0.5) / 4294967296;
    const r = Math.sqrt(-2 * Math.log(u1));
    out[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

/** Semantic checks (throws KeyFileError). */
export function validateUchidaKey(key: UchidaKey): void {
  const fp = architectureFingerprint(key.architecture.tensors);
  if (fp !== key.architecture.fingerprint) {
    throw new KeyFileError('fingerprint-mismatch', 'The architecture fingerprint does not match the declared tensors; the file was altered.');
  }
  const t = key.architecture.tensors.find((x) => x.name === key.layer);
  if (!t) throw new KeyFileError('unknown-tensor', `The Uchida layer '${key.layer}' is not declared in the architecture.`);
  if (t.shape.length !== 4 || projectedLength(t.shape) !== key.matrix.cols) {
    throw new KeyFileError('payload-length', `The matrix has ${key.matrix.cols} columns but layer '${key.layer}' of shape [${t.shape.join(', ')}] projects to ${projectedLength(t.shape)}.`);
  }
  if (key.payload.bits.length !== key.matrix.rows) {
    throw new KeyFileError('payload-length', `The payload holds ${key.payload.bits.length} bits but the matrix has ${key.matrix.rows} rows.`);
  }
  if (key.payload.kind === 'text' && bitsToString(textToBits(key.payload.text)) !== key.payload.bits) {
    throw new KeyFileError('payload-mismatch', 'The text payload bits are not the UTF-8 encoding of its text.');
  }
  const c = key.commitment;
  if ((key.version === COMMITTED_KEY_VERSION) !== Boolean(c)) {
    throw new KeyFileError('invalid-schema', c ? 'A key with a commitment must be version 2.' : 'A version 2 key must have a commitment.');
  }
  if (c) {
    if (committedMatrixSeed(hexToBytes(c.nonce), key) !== key.matrix.seed) {
      throw new KeyFileError('commitment-mismatch', 'The key\'s matrix does not follow from its commitment (nonce, payload, layer): the key was edited or forged, and it proves nothing.');
    }
    const digest = uchidaDigest(key);
    if (digest !== c.digest) throw new KeyFileError('commitment-edited', `The key was edited after it was made: its content hashes to ${digest.slice(0, 16)}…, not to the committed digest ${c.digest.slice(0, 16)}….`);
  }
}

/** Parses and validates an Uchida key file (same envelope errors as parseKeyFile). */
export function parseUchidaKeyFile(jsonText: string): UchidaKey {
  const raw = parseKeyEnvelope(jsonText);
  requireKeyMethod(raw, 'uchida', 'an Uchida');
  const parsed = UchidaKeySchema.safeParse(raw);
  if (!parsed.success) throw schemaError(parsed.error.issues);
  validateUchidaKey(parsed.data);
  return parsed.data;
}

/** Serialises an Uchida key as JSON. */
export function serializeUchidaKey(key: UchidaKey): string {
  validateUchidaKey(key);
  return JSON.stringify(key, null, 2) + '\n';
}

/** Throws KeyModelMismatchError naming the marked layer when the model does not carry it with the key's shape. */
export function checkUchidaKeyAgainstModel(key: UchidaKey, model: Pick<Model, 'paramInfo' | 'config'>): void {
  const want = key.architecture.tensors.find((t) => t.name === key.layer)!;
  const got = model.paramInfo.find((p) => p.name === key.layer);
  if (!got || got.shape.length !== want.shape.length || got.shape.some((d, i) => d !== want.shape[i])) {
    throw new KeyModelMismatchError(
      key.layer,
      `This Uchida key marks tensor '${key.layer}' [${want.shape.join(', ')}], which this '${model.config.arch}' model ${got ? `has with shape [${got.shape.join(', ')}]` : 'does not have'}.`,
    );
  }
}

export interface UchidaVerifyResult {
  readonly n: number;
  readonly errors: number;
  readonly erasures: number;
  readonly ber: number;
  readonly pValue: number;
  readonly log10PValue: number;
  readonly threshold: number;
  readonly detected: boolean;
  readonly decodedBits: string;
  readonly message?: string;
  /** As for WaterMAS keys: a committed key's digest and the forger's work (about 1/p tries), or uncommitted. */
  readonly commitment: { readonly committed: true; readonly digest: string; readonly forgeryLog10Tries: number } | { readonly committed: false };
}

export interface UchidaVerifyOptions extends VerifyOptions {
  /** Attacked weights to read the marked kernel from instead of the model's own (same shape). */
  readonly overrides?: ParamOverrides;
}

/** Extraction b̂ = [X·mean_out(W) > 0], BER, binomial p-value and verdict. */
export async function verifyUchida(model: Pick<Model, 'params' | 'paramInfo' | 'config'>, key: UchidaKey, opts: UchidaVerifyOptions = {}): Promise<UchidaVerifyResult> {
  checkUchidaKeyAgainstModel(key, model);
  const own = model.params.get(key.layer)!;
  const v = opts.overrides?.get(key.layer) ?? own;
  if (v.shape.length !== own.shape.length || v.shape.some((d, i) => d !== own.shape[i])) {
    throw new Error(`verifyUchida: the override of '${key.layer}' has shape [${v.shape.join(', ')}], the model's is [${own.shape.join(', ')}].`);
  }
  const W = await v.data();
  const out = Number(v.shape[3]);
  const M = shapeSize(v.shape) / out;
  const w = new Float64Array(M);
  for (let j = 0; j < M; j++) {
    let s = 0;
    for (let o = 0; o < out; o++) s += W[j * out + o];
    w[j] = s / out;
  }
  const X = uchidaMatrix(key);
  const T = key.matrix.rows;
  const z = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    let s = 0;
    for (let j = 0; j < M; j++) s += X[t * M + j] * w[j];
    z[t] = s;
  }
  const { bits, erased } = decodeSigns(z);
  const expected = bitsFromString(key.payload.bits);
  let errors = 0, erasures = 0;
  for (let t = 0; t < T; t++) {
    if (erased[t]) erasures++;
    if (erased[t] || bits[t] !== expected[t]) errors++;
  }
  const threshold = opts.threshold ?? DEFAULT_P_THRESHOLD;
  const p = binomialPValue(errors, T);
  return {
    n: T,
    errors,
    erasures,
    ber: errors / T,
    pValue: p.p,
    log10PValue: p.log10,
    threshold,
    detected: p.p < threshold,
    decodedBits: bitsToString(bits),
    ...(key.payload.kind === 'text' ? { message: bitsToText(bits) } : {}),
    commitment: key.commitment ? { committed: true, digest: key.commitment.digest, forgeryLog10Tries: Math.max(0, -p.log10) } : { committed: false },
  };
}
