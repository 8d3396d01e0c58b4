import { z } from 'zod';
import { methodInfo } from '../methods/info';
import type { Model, ParamInfo } from '../models/types';
import type { WatermarkMethodId } from '../../protocol/watermark';
import { base64ToBytes } from './payload/base64';
import { COMMITMENT_SCHEME, commitmentDigest, committedPositions, committedSeed, nonceBytes } from './commitment';
import { architectureFingerprint, shapeSize } from './fingerprint';
import { textToBits, bitsToString } from './payload/payloadBits';
import { BALANCE_MODES, REPLICA_BATCH_MODES, REPLICA_BN_MODES, REPLICA_MODES } from './settings';

export const KEY_FORMAT = 'watermas-lab-key';
export const KEY_VERSION = 1;
/** WaterMAS keys with a commitment (commitment.ts): positions and whitening derived from a nonce, a digest. */
export const COMMITTED_KEY_VERSION = 2;

const intNonNeg = z.number().int().nonnegative();

const TensorSchema = z.object({ name: z.string().min(1), shape: z.array(intNonNeg) });

const PayloadSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('bits'), bits: z.string().regex(/^[01]+$/, 'bits must be a non-empty string of 0 and 1') }),
  z.object({
    kind: z.literal('text'),
    text: z.string().min(1),
    bits: z.string().regex(/^[01]+$/, 'bits must be a non-empty string of 0 and 1'),
  }),
  z.object({
    kind: z.literal('image'),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    channels: z.number().int().positive(),
    /** uint8 pixels, HWC row-major, base64. */
    pixels: z.string(),
  }),
]);

const ObjectiveSchema = z.object({
  replicas: intNonNeg,
  sigma: z.number().nonnegative(),
  lambda: z.number().nonnegative(),
  mode: z.enum(REPLICA_MODES),
  rho: z.number().nonnegative(),
  /** Hinge margin m; null stands for m = ∞ (the unbounded form), since JSON has no Infinity. */
  margin: z.number().positive().nullable(),
  /** Absent in keys written before it existed (read as false). */
  antithetic: z.boolean().optional(),
  /** Absent in keys written before it existed (read as 'batch'). */
  replicaBn: z.enum(REPLICA_BN_MODES).optional(),
  /** Absent in keys written before it existed (read as 'full'). */
  replicaBatch: z.enum(REPLICA_BATCH_MODES).optional(),
  /** Absent in keys written before it existed (read as 'loss'). */
  balance: z.enum(BALANCE_MODES).optional(),
});

/** Objective settings a live change may set (the same units and null-for-∞ margin as `objective`). */
const ObjectiveChangeSchema = z.object({
  /** Steps completed when the change took effect: step `step + 1` (1-based) was the first with the new values. */
  step: intNonNeg,
  changes: ObjectiveSchema.pick({ replicas: true, sigma: true, lambda: true, mode: true, rho: true, margin: true }).partial(),
});

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits');

const CommitmentSchema = z.object({
  scheme: z.literal(COMMITMENT_SCHEME),
  nonce: hex64,
  tensors: z.array(z.string().min(1)).min(1),
  allocation: z.enum(['proportional', 'equal']),
  digest: hex64,
});

/**
 * The key file, version 1 (uncommitted) or 2 (committed: `commitment` present, positions and
 * whitening derived from it). Bit k of the payload sits at the k-th position of the
 * concatenated groups (for a committed key, XOR the k-th whitening bit).
 */
export const KeyFileSchema = z.object({
  format: z.literal(KEY_FORMAT),
  version: z.union([z.literal(KEY_VERSION), z.literal(COMMITTED_KEY_VERSION)]),
  method: z.enum(['watermas']),
  architecture: z.object({
    arch: z.string(),
    fingerprint: z.string().regex(/^[0-9a-f]{64}$/, 'fingerprint must be 64 lower-case hex digits'),
    /** Every trainable parameter of the model, in order (the fingerprint is computed over this list). */
    tensors: z.array(TensorSchema).min(1),
  }),
  positions: z.array(z.object({ tensor: z.string().min(1), indices: z.array(intNonNeg).min(1) })).min(1),
  payload: PayloadSchema,
  codec: z.object({
    /** Mark strength q (quantile floor of the magnitudes). */
    strength: z.number().min(0).max(1),
    /** Image scale s (image payloads). */
    scale: z.number().positive().optional(),
  }),
  /** The objective the run started with (step 0). */
  objective: ObjectiveSchema,
  /**
   * Live changes of the objective during training, in step order (absent: none, or a key written
   * before they were recorded). `objectiveInForce` folds them over `objective`.
   */
  objectiveChanges: z.array(ObjectiveChangeSchema).optional(),
  /** How the secret seed was made; never the seed itself. */
  seedHint: z
    .object({
      source: z.enum(['random', 'passphrase', 'hex']),
      kdf: z.string().optional(),
      salt: z.string().optional(),
      iterations: z.number().int().positive().optional(),
    })
    .optional(),
  /** The secret seed (hex) — only when the user explicitly asked to store it. The positions are the key. */
  seed: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  /** Version 2: the commitment (commitment.ts); absent in version 1 ("uncommitted: forgeable"). */
  commitment: CommitmentSchema.optional(),
  createdAt: z.string().min(1),
});

export type WatermasKey = z.infer<typeof KeyFileSchema>;
export type KeyPayload = WatermasKey['payload'];
export type KeyObjectiveSettings = WatermasKey['objective'];
export type KeyObjectiveChange = NonNullable<WatermasKey['objectiveChanges']>[number];

/** The objective in force at the end of training: `objective` with every recorded live change applied. */
export function objectiveInForce(key: Pick<WatermasKey, 'objective' | 'objectiveChanges'>): KeyObjectiveSettings {
  let o = key.objective;
  for (const c of key.objectiveChanges ?? []) o = { ...o, ...c.changes };
  return o;
}

export type KeyFileErrorCode =
  | 'not-json'
  | 'wrong-format'
  | 'wrong-method'
  | 'unsupported-version'
  | 'invalid-schema'
  | 'duplicate-tensor'
  | 'fingerprint-mismatch'
  | 'unknown-tensor'
  | 'duplicate-position'
  | 'index-out-of-range'
  | 'payload-length'
  | 'payload-mismatch'
  | 'commitment-mismatch'
  | 'commitment-edited';

/** A key file that cannot be used; `code` says which check failed. */
export class KeyFileError extends Error {
  constructor(
    readonly code: KeyFileErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'KeyFileError';
  }
}

/** The model does not match the key's architecture; `tensor` is the first mismatching tensor. */
export class KeyModelMismatchError extends Error {
  constructor(
    readonly tensor: string,
    message: string,
  ) {
    super(message);
    this.name = 'KeyModelMismatchError';
  }
}

/** Number of payload units (bits or pixel channels) a payload carries. */
export function payloadLength(p: KeyPayload): number {
  return p.kind === 'image' ? p.width * p.height * p.channels : p.bits.length;
}

/**
 * Parses and validates a WaterMAS key file. Errors (KeyFileError, by code): not JSON; wrong `format`;
 * unsupported `version`; an Uchida key ('wrong-method'); schema violations (with the offending path); a tensor declared twice;
 * fingerprint not matching the declared tensors; positions in an undeclared tensor; duplicate
 * positions; an index out of range for the declared shape; payload length ≠ number of positions;
 * text payload bits that are not the UTF-8 of the text.
 */
export function parseKeyFile(jsonText: string): WatermasKey {
  const raw = parseKeyEnvelope(jsonText);
  if (raw.method === 'uchida') {
    throw new KeyFileError('wrong-method', 'This is an Uchida (2017) key, not a WaterMAS key: load it with parseMethodKeyFile or parseUchidaKeyFile.');
  }
  const parsed = KeyFileSchema.safeParse(raw);
  if (!parsed.success) throw schemaError(parsed.error.issues);
  validateKey(parsed.data);
  return parsed.data;
}

/**
 * The checks every key file shares, whatever its method: valid JSON, a JSON object, the
 * `format` marker and a supported `version` (version 2 for a committed key of a method whose
 * keys may be committed: methods/info.ts). Returns the raw object for method-specific parsing.
 */
export function parseKeyEnvelope(jsonText: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(jsonText);
  } catch (e) {
    throw new KeyFileError('not-json', `The key file is not valid JSON (${(e as Error).message}).`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new KeyFileError('wrong-format', 'The key file must hold a JSON object.');
  }
  const obj = raw as Record<string, unknown>;
  if (obj.format !== KEY_FORMAT) {
    throw new KeyFileError(
      'wrong-format',
      `Not a WaterMAS Lab key file: "format" is ${JSON.stringify(obj.format)}, expected "${KEY_FORMAT}".`,
    );
  }
  if (obj.version !== KEY_VERSION && !(obj.version === COMMITTED_KEY_VERSION && methodInfo(obj.method)?.committedKeys)) {
    throw new KeyFileError(
      'unsupported-version',
      `Unsupported key file version ${JSON.stringify(obj.version)}; this build reads version ${KEY_VERSION} (and ${COMMITTED_KEY_VERSION} for committed keys).`,
    );
  }
  return obj;
}

/**
 * Throws KeyFileError 'wrong-method' when a key file (its envelope) is not of the method `id`:
 * "This is a "uchida" key, not an FCW key." (`name`: the method with its article).
 */
export function requireKeyMethod(raw: Record<string, unknown>, id: WatermarkMethodId, name: string): void {
  if (raw.method !== id) throw new KeyFileError('wrong-method', `This is a ${JSON.stringify(raw.method)} key, not ${name} key.`);
}

/** The first schema issue as a KeyFileError ('invalid-schema', with the offending path). */
export function schemaError(issues: readonly { path: readonly PropertyKey[]; message: string }[]): KeyFileError {
  const issue = issues[0];
  const where = issue.path.length ? issue.path.map(String).join('.') : '(root)';
  return new KeyFileError('invalid-schema', `Invalid key file at ${where}: ${issue.message}.`);
}

/** Semantic checks on a schema-valid key (throws KeyFileError). Also used before writing a key. */
export function validateKey(key: WatermasKey): void {
  const shapes = new Map<string, readonly number[]>();
  for (const t of key.architecture.tensors) {
    if (shapes.has(t.name)) throw new KeyFileError('duplicate-tensor', `Tensor '${t.name}' is declared twice in the architecture.`);
    shapes.set(t.name, t.shape);
  }
  const fp = architectureFingerprint(key.architecture.tensors);
  if (fp !== key.architecture.fingerprint) {
    throw new KeyFileError(
      'fingerprint-mismatch',
      `The architecture fingerprint ${key.architecture.fingerprint.slice(0, 12)}… does not match the declared tensors (${fp.slice(0, 12)}…); the file was altered.`,
    );
  }
  const changes = key.objectiveChanges ?? [];
  for (let i = 1; i < changes.length; i++) {
    if (changes[i].step < changes[i - 1].step) {
      throw new KeyFileError('invalid-schema', `objectiveChanges[${i}] (step ${changes[i].step}) comes before the change at step ${changes[i - 1].step}: changes must be in step order.`);
    }
  }
  let n = 0;
  const seen = new Map<string, Set<number>>();
  for (const g of key.positions) {
    const shape = shapes.get(g.tensor);
    if (!shape) throw new KeyFileError('unknown-tensor', `Positions refer to tensor '${g.tensor}', which the architecture does not declare.`);
    const size = shapeSize(shape);
    let set = seen.get(g.tensor);
    if (!set) seen.set(g.tensor, (set = new Set()));
    for (const i of g.indices) {
      if (i >= size) {
        throw new KeyFileError(
          'index-out-of-range',
          `Position ${i} is out of range for tensor '${g.tensor}' of shape [${shape.join(', ')}] (${size} entries).`,
        );
      }
      if (set.has(i)) throw new KeyFileError('duplicate-position', `Duplicate position: tensor '${g.tensor}', index ${i}.`);
      set.add(i);
      n++;
    }
  }
  const p = key.payload;
  const len = payloadLength(p);
  if (len !== n) {
    const what = p.kind === 'image' ? `${p.width}x${p.height}x${p.channels} = ${len} pixel values` : `${len} bits`;
    throw new KeyFileError('payload-length', `The payload holds ${what} but the key has ${n} positions.`);
  }
  if (p.kind === 'text' && bitsToString(textToBits(p.text)) !== p.bits) {
    throw new KeyFileError('payload-mismatch', 'The text payload bits are not the UTF-8 encoding of its text.');
  }
  if (p.kind === 'image') {
    let px: Uint8Array;
    try {
      px = base64ToBytes(p.pixels);
    } catch {
      throw new KeyFileError('invalid-schema', 'Invalid key file at payload.pixels: not base64.');
    }
    if (px.length !== len) {
      throw new KeyFileError('payload-length', `The image payload declares ${len} pixel values but holds ${px.length}.`);
    }
    if (key.codec.scale === undefined) throw new KeyFileError('invalid-schema', 'Invalid key file at codec.scale: an image payload needs a scale.');
  }
  validateCommitment(key, n);
}

/** The binding a committed key's seed is derived from (commitment.ts). */
export function commitmentBinding(key: WatermasKey) {
  const c = key.commitment!;
  return { fingerprint: key.architecture.fingerprint, payload: key.payload, strength: key.codec.strength, tensors: c.tensors, allocation: c.allocation };
}

/**
 * A version-2 key must carry a commitment (and only it may): its positions must be the ones
 * its nonce and payload give, and its digest the one of its content, else the key was forged
 * or edited after it was made.
 */
function validateCommitment(key: WatermasKey, n: number): void {
  const c = key.commitment;
  if ((key.version === COMMITTED_KEY_VERSION) !== Boolean(c)) {
    throw new KeyFileError('invalid-schema', c ? 'A key with a commitment must be version 2.' : 'A version 2 key must have a commitment.');
  }
  if (!c) return;
  const unknown = c.tensors.find((t) => !key.architecture.tensors.some((a) => a.name === t));
  if (unknown) throw new KeyFileError('unknown-tensor', `The commitment names tensor '${unknown}', which the architecture does not declare.`);
  const expected = committedPositions(key.architecture.tensors, c, n, committedSeed(nonceBytes(c.nonce), commitmentBinding(key)));
  const same =
    expected.length === key.positions.length &&
    expected.every((g, i) => g.tensor === key.positions[i].tensor && g.indices.length === key.positions[i].indices.length && g.indices.every((x, j) => x === key.positions[i].indices[j]));
  if (!same) {
    throw new KeyFileError(
      'commitment-mismatch',
      'The key\'s positions do not follow from its commitment (nonce, payload, strength and tensors): the key was edited or forged, and it proves nothing.',
    );
  }
  const digest = commitmentDigest(key);
  if (digest !== c.digest) {
    throw new KeyFileError('commitment-edited', `The key was edited after it was made: its content hashes to ${digest.slice(0, 16)}…, not to the committed digest ${c.digest.slice(0, 16)}….`);
  }
}

/** Serialises a key as readable JSON (index and shape arrays kept on one line). */
export function serializeKey(key: WatermasKey): string {
  validateKey(key);
  return JSON.stringify(key, null, 2).replace(/\[\s*(-?\d[\d\s,.eE+-]*?)\s*\]/g, (_m, body: string) => `[${body.replace(/\s+/g, '')}]`) + '\n';
}

/**
 * The first tensor where the key's architecture and a parameter list disagree, or null when
 * every tensor of the key exists with the same shape and the model has no extra tensor.
 * Tensors are compared by name (positions are name-addressed), in the key's order.
 */
export function firstArchitectureMismatch(key: WatermasKey, paramInfo: readonly ParamInfo[]): { tensor: string; reason: string } | null {
  const model = new Map(paramInfo.map((p) => [p.name, p.shape]));
  for (const t of key.architecture.tensors) {
    const shape = model.get(t.name);
    if (!shape) return { tensor: t.name, reason: `tensor '${t.name}' is missing from the model` };
    if (shape.length !== t.shape.length || shape.some((d, i) => d !== t.shape[i])) {
      return { tensor: t.name, reason: `tensor '${t.name}' has shape [${t.shape.join(', ')}] in the key but [${shape.join(', ')}] in the model` };
    }
  }
  const declared = new Set(key.architecture.tensors.map((t) => t.name));
  const extra = paramInfo.find((p) => !declared.has(p.name));
  if (extra) return { tensor: extra.name, reason: `the model has tensor '${extra.name}', which the key does not declare` };
  return null;
}

/** Throws KeyModelMismatchError naming the first mismatching tensor when the key does not fit the model. */
export function checkKeyAgainstModel(key: WatermasKey, model: Pick<Model, 'paramInfo' | 'config'>): void {
  const m = firstArchitectureMismatch(key, model.paramInfo);
  if (m) {
    throw new KeyModelMismatchError(
      m.tensor,
      `This key was made for architecture '${key.architecture.arch}' and does not fit this '${model.config.arch}' model: ${m.reason}.`,
    );
  }
}
