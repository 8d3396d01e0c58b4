import { basename, dirname, join } from 'node:path';
import { checkUpload, parseTfjsModelJson, shardBaseName, type UploadFile } from '../../engine/io';
import { configOf, parseModelJson } from '../../engine/io/modelFile';
import { fcwTriggersFromKey, nullModelRate, parseFcwKeyFile, triggerPValue, verifyFcwKey } from '../../engine/fcw';
import { loadDataset } from '../nodeData';
import { readModelFile } from '../modelFiles';
import { DEFAULT_P_THRESHOLD } from '../../engine/watermark';
import { getMethod, methodOf, parseMethodKeyFile, verifyReportFields } from '../../engine/methods';
import { createModel } from '../../engine/models';
import type { ModelConfig } from '../../engine/models/types';
import { hashSeed } from '../../engine/random/rng';
import { num, parseOptions, required, UsageError } from '../args';
import { setupNodeBackend } from '../nodeBackend';
import { READ_LIMITS, readUntrustedFile } from '../readUntrusted';

export const VERIFY_USAGE = `wmlab verify --model model.json|x.safetensors --key key.json [--threshold P]
  FCW: [--data DIR|synthetic (the training set: re-derives a committed key's triggers from its nonce)]
       [--decoys N --data DIR|synthetic (judge the triggers against N decoys made by the key's recipe on this model: a Fisher exact test)]
       [--null-models N [--null-seed S]] (chance rate from N fresh null models)
  any method: [--null-model-files A.json,B.json,...] (trained unmarked models: the verdict on each, the empirical false-positive rate)
  WaterMAS, Uchida: [--null-models N [--null-seed S]] (the same on N freshly initialised models of the architecture)`;

/** Reads a file the user named, refusing what is not a regular file within the limit (naming why). */
const readNamed = (path: string, what: string): Promise<Uint8Array> =>
  readUntrustedFile(path, what, what === 'key file' ? READ_LIMITS.json : READ_LIMITS.model);

/**
 * The model's files: a safetensors file alone, or a model.json (lab or TensorFlow.js format)
 * with the weight shards its manifest names, read from beside it.
 */
async function modelFiles(path: string): Promise<UploadFile[]> {
  const isJson = /\.json$/i.test(path);
  const bytes = isJson ? await readUntrustedFile(path, 'model.json', READ_LIMITS.json) : await readNamed(path, 'model file');
  if (!isJson) return [{ name: basename(path), bytes, role: 'model' }];
  const { json } = parseTfjsModelJson(new TextDecoder().decode(bytes), path);
  const shards = [...new Set(json.weightsManifest.flatMap((g) => g.paths.map(shardBaseName)))];
  const files: UploadFile[] = [{ name: basename(path), bytes, role: 'model' }];
  for (const shard of shards) files.push({ name: shard, bytes: await readNamed(join(dirname(path), shard), 'weight shard'), role: 'model' });
  return files;
}

/** `wmlab verify`: extracts the mark of a key from a model (any supported format) and judges it. */
export async function verifyCommand(argv: string[]): Promise<Record<string, unknown>> {
  const o = parseOptions(argv, {
    model: { type: 'string' }, key: { type: 'string' }, threshold: { type: 'string' }, 'null-models': { type: 'string' }, 'null-seed': { type: 'string' },
    'null-model-files': { type: 'string' },
    decoys: { type: 'string' }, data: { type: 'string' },
  });
  const decoys = o.decoys === undefined ? undefined : num(o.decoys, 'decoys', { int: true, min: 10, max: 100_000, default: 300 });
  if (decoys !== undefined && o.data === undefined) throw new UsageError('--decoys needs --data (the decoys are fused from the training set)');
  if (decoys !== undefined && o['null-models'] !== undefined) throw new UsageError('give --decoys or --null-models, not both');
  const modelPath = required(o.model, 'model');
  const keyPath = required(o.key, 'key');
  const threshold = num(o.threshold, 'threshold', { min: 0, max: 1, default: DEFAULT_P_THRESHOLD });
  const nullModels = o['null-models'] === undefined ? undefined : num(o['null-models'], 'null-models', { int: true, min: 1, max: 1000, default: 0 });
  const nullSeed = num(o['null-seed'], 'null-seed', { int: true, min: 0, default: 0 });
  if (o['null-seed'] !== undefined && nullModels === undefined) throw new UsageError('--null-seed needs --null-models');
  const key: UploadFile = { name: basename(keyPath), bytes: await readNamed(keyPath, 'key file'), role: 'key' };
  await setupNodeBackend('cpu', 'eval');
  const checked = await checkUpload([...(await modelFiles(modelPath)), key], { threshold });
  if ('error' in checked) throw new Error(checked.error);
  const v = checked.verification;
  if (!v) throw new Error(`${keyPath}: not read as a key`);
  const common = { format: checked.format, layout: checked.layout, sha256: checked.sha256, method: v.method };
  const method = getMethod(v.method);
  if (decoys !== undefined && !method.triggerSet) throw new UsageError(`--decoys calibrates FCW triggers; this is a ${v.method} key`);
  const nullFiles = o['null-model-files']?.split(',').filter((f) => f.length > 0);
  const falsePositives =
    nullFiles !== undefined
      ? { nullModels: await nullFilesReport(nullFiles, key, threshold) }
      : nullModels !== undefined && !method.triggerSet
        ? { nullModels: await freshNullReport(modelPath, checked.metadata, key, threshold, nullModels, nullSeed) }
        : {};
  const fields = verifyReportFields(v);
  if (!method.triggerSet) return { ...common, ...fields, ...falsePositives };
  // A trigger-set key (FCW): its chance rate from the key, 1 / classes, null models or decoys.
  if (o.data !== undefined) return { ...common, ...fields, ...(await fcwWithData(modelPath, key.bytes, o.data, decoys, threshold)), ...falsePositives };
  if (nullFiles !== undefined) return { ...common, ...fields, ...falsePositives };
  if (nullModels === undefined) {
    const k = parseFcwKeyFile(new TextDecoder().decode(key.bytes));
    return { ...common, ...fields, chanceRateSource: k.chanceRate !== undefined ? 'key' : '1/classes' };
  }
  const { hits, n } = v.result as { readonly hits: number; readonly n: number };
  return { ...common, ...fields, ...(await nullModelVerdict(modelPath, key.bytes, hits, n, threshold, nullModels, nullSeed)) };
}

interface NullVerdict {
  readonly model: string;
  readonly detected: boolean;
  readonly log10PValue: number;
}

/** The verdicts on null models: how often the key is "detected" where it was never embedded, next to the nominal rate. */
function nullSummary(source: 'files' | 'fresh', verdicts: readonly NullVerdict[], threshold: number) {
  const falsePositives = verdicts.filter((v) => v.detected).length;
  return {
    source,
    count: verdicts.length,
    falsePositives,
    falsePositiveRate: falsePositives / verdicts.length,
    nominalRate: threshold,
    smallestLog10PValue: Math.min(...verdicts.map((v) => v.log10PValue)),
    verdicts,
  };
}

/** `--null-model-files`: the key checked on each given (trained, unmarked) model, through the same pipeline. */
async function nullFilesReport(paths: readonly string[], key: UploadFile, threshold: number) {
  const verdicts: NullVerdict[] = [];
  for (const path of paths) {
    const c = await checkUpload([...(await modelFiles(path)), key], { threshold });
    if ('error' in c) throw new Error(`null model ${path}: ${c.error}`);
    if (!c.verification) throw new Error(`null model ${path}: the key was not read`);
    verdicts.push({ model: path, detected: c.verification.result.detected, log10PValue: c.verification.result.log10PValue });
  }
  return nullSummary('files', verdicts, threshold);
}

/** `--null-models N` for WaterMAS and Uchida: the key checked on N freshly initialised models of the architecture. */
async function freshNullReport(modelPath: string, metadata: Record<string, string> | undefined, key: UploadFile, threshold: number, count: number, seed: number) {
  const config = /\.json$/i.test(modelPath)
    ? configOf(parseModelJson(new TextDecoder().decode(await readNamed(modelPath, 'model file')), modelPath))
    : metadata?.config
      ? (JSON.parse(metadata.config) as ModelConfig)
      : null;
  if (!config) throw new UsageError('--null-models needs the architecture and its options: give the lab\'s model.json or a lab safetensors export (or use --null-model-files)');
  const anyKey = parseMethodKeyFile(new TextDecoder().decode(key.bytes));
  const method = methodOf(anyKey);
  if (method.triggerSet) throw new UsageError('fresh null models judge WaterMAS and Uchida keys; an FCW key uses --null-models for its chance rate');
  const verdicts: NullVerdict[] = [];
  for (let i = 0; i < count; i++) {
    const s = hashSeed(seed, `verify/null/${i}`);
    const m = createModel(config.arch, { seed: s, numClasses: config.numClasses, inputShape: config.inputShape, ...(config.options ? { options: config.options } : {}) });
    try {
      method.checkKeyAgainstModel(anyKey.key, m);
      const r = await method.evidence(m, anyKey.key, m.params, { threshold });
      verdicts.push({ model: `fresh seed ${s}`, detected: r.detected, log10PValue: r.log10PValue });
    } finally {
      m.dispose();
    }
  }
  return nullSummary('fresh', verdicts, threshold);
}

/**
 * `--data D` for an FCW key: a committed key's triggers re-derived from its nonce on the training
 * set (refused if they do not follow), and with `--decoys N` the verdict against decoys fused by
 * the key's recipe from the training set, on this model.
 */
async function fcwWithData(modelPath: string, keyBytes: Uint8Array, data: string, count: number | undefined, threshold: number) {
  const key = parseFcwKeyFile(new TextDecoder().decode(keyBytes));
  const dataset = await loadDataset({ data });
  const model = await readModelFile(modelPath);
  try {
    const r = await verifyFcwKey(model, key, { threshold, trainSet: dataset.train, ...(count !== undefined ? { decoys: { set: dataset.train, count } } : {}) });
    return {
      ...(count !== undefined ? { chanceRate: r.chanceRate, chanceRateSource: 'decoys', pValue: r.pValue, log10PValue: r.log10PValue, detected: r.detected, decoys: r.decoys } : {}),
      commitment: r.commitment,
    };
  } finally {
    model.dispose();
  }
}

/**
 * `--null-models N`: the chance rate of the key's triggers measured on N freshly initialised
 * null models of the model's architecture (engine nullModelRate: untrained, seeds derived from
 * --null-seed, pooled with the rule of succession), and the p-value and verdict recomputed
 * against it instead of the key's rate or 1 / classes.
 */
async function nullModelVerdict(modelPath: string, keyBytes: Uint8Array, hits: number, n: number, threshold: number, count: number, seed: number) {
  const key = parseFcwKeyFile(new TextDecoder().decode(keyBytes));
  const config = configOf(parseModelJson(new TextDecoder().decode(await readNamed(modelPath, 'model file')), modelPath));
  const { images, target } = fcwTriggersFromKey(key);
  const rate = await nullModelRate(config, images, target, { count, seed, normalization: key.normalization });
  const p = triggerPValue(hits, n, rate.rate);
  return {
    chanceRate: rate.rate,
    chanceRateSource: 'null-models',
    pValue: p.p,
    log10PValue: p.log10,
    detected: p.p < threshold,
    nullModels: { count, seed, arch: config.arch, rate: rate.rate, rawRate: rate.rawRate, hits: rate.hits, trials: rate.trials, perModel: rate.perModel },
  };
}
