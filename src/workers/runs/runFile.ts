/**
 * The exported run file (`<name>.wmrun.zip`): one zip (fflate, stored/deflated) holding
 *
 *   run.json     { format: "watermas-lab-run", version: 1, record }   record = RunRecord without
 *                keyJson (settings, method, arch, metrics history, outcome, name, createdAt, id)
 *   model.json   the lab's model file (src/engine/io/modelFile.ts, tfjs weights-manifest layout)
 *   weights.bin  its float32 weight shard, byte for byte as saved
 *   key.json     the watermark key of any method (absent for plain training)
 *
 * so the model and key can also be unzipped and used with the Verify panel or `wmlab`.
 * Import validates everything: zip structure and sizes, run.json against a zod schema (version
 * checked), model.json + weights.bin as a model file, key.json as a key file of any method.
 */
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { z } from 'zod';
import { decodeWeights, parseModelJson } from '../../engine/io/modelFile';
import { parseMethodKeyFile, type MethodKey } from '../../engine/methods';
import type { TrainSettings } from '../../protocol/api';
import type { RunRecord, StoredTrainOutcome } from '../../protocol/runs';
import { StoredTrainOutcomeSchema } from './runOutcomeSchema';

export const RUN_FILE_FORMAT = 'watermas-lab-run';
export const RUN_FILE_VERSION = 1;
export const RUN_FILE_SUFFIX = '.wmrun.zip';
/** Limits on what an imported zip may expand to (a zip bomb is refused before inflating). */
export const RUN_FILE_LIMITS = { totalBytes: 512 * 1024 * 1024, jsonBytes: 64 * 1024 * 1024 } as const;

const ENTRY_NAMES = ['run.json', 'model.json', 'weights.bin', 'key.json'] as const;

/** The model files of a run: model.json text + weights.bin bytes. */
export interface RunModelFiles {
  readonly modelJson: string;
  readonly weights: ArrayBuffer;
}

const nullableNumber = z.number().nullable();
const finiteNumber = z.number().refine(Number.isFinite, 'must be a finite number');

/** TrainSettings as stored: the fields the lab knows are checked; extra (newer) fields are kept. */
const SettingsSchema = z.looseObject({
  arch: z.string().min(1),
  epochs: z.number().int().min(1),
  batchSize: z.number().int().min(1),
  learningRate: finiteNumber,
  optimizer: z.enum(['sgd', 'adam']),
  momentum: finiteNumber,
  weightDecay: finiteNumber,
  schedule: z.enum(['constant', 'step', 'cosine']),
  seed: z.number().int().min(0),
  trainLimit: z.number().int().min(0),
  testLimit: z.number().int().min(0),
  augment: z.boolean(),
  watermark: z.looseObject({ method: z.string() }).optional(),
});

const OutcomeSchema = z.object({
  cancelled: z.boolean(),
  steps: z.number().int().min(0),
  testAccuracy: nullableNumber,
  testImages: z.number().int().min(0),
  seconds: z.number().min(0),
  imagesPerSecond: nullableNumber,
  secondsPerEpoch: nullableNumber,
  ber: nullableNumber,
  triggerAccuracy: nullableNumber,
  pValue: nullableNumber,
  log10PValue: nullableNumber,
  detected: z.boolean().nullable(),
  backend: z.string(),
});

const RecordSchema = z.object({
  id: z.string().min(1).max(200),
  name: z.string().min(1).max(500),
  createdAt: z.string().min(1),
  settings: SettingsSchema,
  method: z.string().min(1),
  arch: z.string().min(1),
  history: z.array(z.object({ step: z.number().int().min(0), loss: nullableNumber, accuracy: nullableNumber })).max(1_000_000),
  outcome: OutcomeSchema,
  weightBytes: z.number().int().min(0),
  lane: z.enum(['A', 'B']).optional().catch(undefined),
  inProgress: z.object({ step: z.number().int().min(0), totalSteps: z.number().int().min(0), savedAt: z.string().min(1) }).optional().catch(undefined),
  // The view's outcome (restores the panels after a reload): a malformed one is dropped, not the run.
  trainOutcome: StoredTrainOutcomeSchema.optional().catch(undefined),
});

const RunJsonSchema = z.object({
  format: z.literal(RUN_FILE_FORMAT),
  version: z.number().int(),
  record: RecordSchema,
});

/** A clear, specific error for anything wrong with an imported run file. */
export class RunFileError extends Error {
  constructor(message: string) {
    super(`Not a valid run file: ${message}`);
    this.name = 'RunFileError';
  }
}

/** Packs a run into the exported zip (weights bytes copied unchanged). */
export function encodeRunFile(record: RunRecord, files: RunModelFiles): Uint8Array {
  const { keyJson, ...rest } = record;
  const runJson = { format: RUN_FILE_FORMAT, version: RUN_FILE_VERSION, record: rest };
  return zipSync({
    'run.json': strToU8(JSON.stringify(runJson, null, 2)),
    'model.json': strToU8(files.modelJson),
    // Float32 shards barely compress: stored (level 0) keeps export fast.
    'weights.bin': [new Uint8Array(files.weights.slice(0)), { level: 0 }],
    ...(keyJson !== null ? { 'key.json': strToU8(keyJson) } : {}),
  });
}

/** A decoded, validated run file. */
export interface DecodedRunFile {
  readonly record: RunRecord;
  readonly files: RunModelFiles;
  readonly key: MethodKey | null;
}

function unzip(bytes: Uint8Array): Record<string, Uint8Array> {
  if (bytes.length < 4 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) {
    throw new RunFileError(`expected a ${RUN_FILE_SUFFIX} file exported from the Runs drawer (a zip archive); this file is not a zip`);
  }
  let total = 0;
  try {
    return unzipSync(bytes, {
      filter: (f) => {
        if (!(ENTRY_NAMES as readonly string[]).includes(f.name)) throw new RunFileError(`unexpected entry "${f.name}" in the archive`);
        total += f.originalSize;
        if (total > RUN_FILE_LIMITS.totalBytes) throw new RunFileError(`the archive expands to more than ${RUN_FILE_LIMITS.totalBytes / 2 ** 20} MiB`);
        if (f.name !== 'weights.bin' && f.originalSize > RUN_FILE_LIMITS.jsonBytes) throw new RunFileError(`${f.name} is larger than ${RUN_FILE_LIMITS.jsonBytes / 2 ** 20} MiB`);
        return true;
      },
    });
  } catch (e) {
    if (e instanceof RunFileError) throw e;
    throw new RunFileError(`the zip archive is damaged (${e instanceof Error ? e.message : String(e)})`);
  }
}

function text(entries: Record<string, Uint8Array>, name: string): string {
  const bytes = entries[name];
  if (!bytes) throw new RunFileError(`${name} is missing from the archive`);
  try {
    return strFromU8(bytes);
  } catch {
    throw new RunFileError(`${name} is not UTF-8 text`);
  }
}

/**
 * Unpacks and validates an exported run: zip, run.json (format, version, schema), model.json +
 * weights.bin (schema, exact byte length, finite values), key.json (any method). Throws
 * RunFileError (or the model / key file's own specific error) with a one-line reason.
 */
export function decodeRunFile(bytes: Uint8Array): DecodedRunFile {
  const entries = unzip(bytes);
  let raw: unknown;
  try {
    raw = JSON.parse(text(entries, 'run.json'));
  } catch (e) {
    if (e instanceof RunFileError) throw e;
    throw new RunFileError(`run.json is not valid JSON (${(e as Error).message})`);
  }
  const format = (raw as { format?: unknown } | null)?.format;
  if (format !== RUN_FILE_FORMAT) throw new RunFileError(`run.json has format ${JSON.stringify(format ?? null)}, expected "${RUN_FILE_FORMAT}"`);
  const version = (raw as { version?: unknown }).version;
  if (version !== RUN_FILE_VERSION) throw new RunFileError(`run file version ${JSON.stringify(version ?? null)} is not supported (this lab reads version ${RUN_FILE_VERSION})`);
  const parsed = RunJsonSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RunFileError(`run.json at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const modelJson = text(entries, 'model.json');
  const json = parseModelJson(modelJson);
  const weightsBytes = entries['weights.bin'];
  if (!weightsBytes) throw new RunFileError('weights.bin is missing from the archive');
  const weights = weightsBytes.slice().buffer;
  decodeWeights(json, weights);
  const rec = parsed.data.record;
  if (rec.arch !== json.modelTopology.arch) throw new RunFileError(`run.json says arch "${rec.arch}" but model.json holds a ${json.modelTopology.arch}`);
  const keyJson = entries['key.json'] ? text(entries, 'key.json') : null;
  const key = keyJson === null ? null : parseMethodKeyFile(keyJson);
  const { trainOutcome, ...recRest } = rec;
  const record: RunRecord = {
    ...recRest, settings: rec.settings as unknown as TrainSettings, keyJson, weightBytes: weights.byteLength,
    ...(trainOutcome ? { trainOutcome: trainOutcome as unknown as StoredTrainOutcome } : {}),
  };
  return { record, files: { modelJson, weights }, key };
}
