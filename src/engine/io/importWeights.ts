import type { Model } from '../models/types';
import { checkModelJsonPlan, loadModel } from './loadModel';
import { Deadline, formatBytes, resolveLimits, type ImportLimits } from './limits';
import { MODEL_FORMAT, ModelFileError, parseModelJson } from './modelFile';
import { modelFingerprint, type FileDigest } from './modelSha256';
import { readSafetensorsFile } from './safetensors';
import { decodeUtf8 } from './safeJson';
import { PYTORCH_CHECKPOINT_ADVICE, sniffFile } from './sniff';
import { decodeTfjsWeights, parseTfjsModelJson, shardBaseName, type NamedTensor } from './tfjsWeights';

export type ImportFormat = 'safetensors' | 'watermas-lab' | 'tfjs-layers' | 'tfjs-graph';

export interface UploadedFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export interface ImportOptions {
  /** Size, depth and time limits (defaults: DEFAULT_IMPORT_LIMITS). */
  readonly limits?: Partial<ImportLimits>;
  /**
   * For the lab's own format, also rebuild a runnable Model (tfjs variables; the caller
   * disposes it). Default true. Needs a registered tfjs backend.
   */
  readonly buildModel?: boolean;
}

export interface ImportedWeights {
  readonly format: ImportFormat;
  /** Every float tensor, by name, as float32 (row-major). */
  readonly tensors: Map<string, NamedTensor>;
  /** Non-float tensors that were validated but not kept (e.g. int64 counters). */
  readonly skipped: readonly { readonly name: string; readonly dtype: string }[];
  /** safetensors `__metadata__`. */
  readonly metadata?: Record<string, string>;
  /** Model fingerprint (see modelFingerprint) and the per-file digests. */
  readonly sha256: string;
  readonly files: readonly FileDigest[];
  /** A real Model when the files are the lab's format and buildModel is on. The caller disposes it. */
  readonly runnable?: Model;
}

const isSafetensorsName = (n: string): boolean => /\.safetensors$/i.test(n);
const isJsonName = (n: string): boolean => /\.json$/i.test(n);

/**
 * Imports model weights for verification from any supported upload:
 *  - one `*.safetensors` file (F32/F16/BF16/F64);
 *  - a TensorFlow.js `model.json` (LayersModel or graph model) with its weight shard(s),
 *    shards matched by the base names in `weightsManifest[].paths`;
 *  - the lab's own model.json + weights.bin (a tfjs manifest whose modelTopology.format is
 *    'watermas-lab'), which additionally yields a runnable Model.
 * Every problem throws a ModelFileError naming the file; the limits bound size, JSON depth and time.
 */
export async function importWeights(files: readonly UploadedFile[], opts: ImportOptions = {}): Promise<ImportedWeights> {
  const limits = resolveLimits(opts.limits);
  const deadline = new Deadline(limits.timeoutMs);
  if (files.length === 0) throw new ModelFileError('(upload)', 'no model file was given');
  const total = files.reduce((s, f) => s + f.bytes.length, 0);
  if (total > limits.maxTotalBytes) throw new ModelFileError(files.map((f) => f.name).join(', '), `${formatBytes(total)} is over the ${formatBytes(limits.maxTotalBytes)} limit for a model upload`);
  const digest = modelFingerprint(files);

  // The content decides, not the name: a PyTorch pickle named model.safetensors is still a pickle.
  const kinds = new Map(files.map((f) => [f, sniffFile(f.bytes)]));
  for (const [f, kind] of kinds) {
    if (kind === 'pytorch-zip' || kind === 'pickle') throw new ModelFileError(f.name, PYTORCH_CHECKPOINT_ADVICE);
  }
  const st = files.filter((f) => isSafetensorsName(f.name) || (kinds.get(f) === 'safetensors' && !isJsonName(f.name) && files.length === 1));
  const js = files.filter((f) => isJsonName(f.name));
  let stFile: UploadedFile | undefined;
  if (st.length > 1) throw new ModelFileError(st.map((f) => f.name).join(', '), 'give one .safetensors file (sharded safetensors are not supported)');
  if (st.length === 1) stFile = st[0];
  else if (js.length === 0 && files.length === 1 && kinds.get(files[0]) !== 'json') stFile = files[0]; // no known extension: read as safetensors (its reader says what is wrong)
  if (stFile) {
    const c = readSafetensorsFile(stFile.bytes, {
      file: stFile.name,
      maxBytes: limits.maxTotalBytes,
      maxHeaderBytes: limits.maxJsonBytes,
      maxDepth: limits.maxJsonDepth,
      maxTensors: limits.maxTensors,
      deadline,
    });
    const tensors = new Map<string, NamedTensor>();
    for (const [name, t] of c.tensors) tensors.set(name, { shape: t.shape, values: t.values });
    return { format: 'safetensors', tensors, skipped: c.skipped, metadata: c.metadata, ...digest };
  }

  if (js.length === 0) throw new ModelFileError(files.map((f) => f.name).join(', '), 'no model file recognised: expected a .safetensors file or a model.json with its weight shards');
  const jsonFile = js.length === 1 ? js[0] : js.find((f) => shardBaseName(f.name) === 'model.json');
  if (!jsonFile) throw new ModelFileError(js.map((f) => f.name).join(', '), 'several JSON files: give one model.json with its weight shards');
  const fail = (m: string): never => {
    throw new ModelFileError(jsonFile.name, m);
  };
  if (jsonFile.bytes.length > limits.maxJsonBytes) fail(`model.json is too large (${jsonFile.bytes.length} bytes, limit ${limits.maxJsonBytes})`);
  const text = decodeUtf8(jsonFile.bytes, 'model.json', fail);
  const { json, raw } = parseTfjsModelJson(text, jsonFile.name, limits);
  const shards = new Map<string, Uint8Array>();
  for (const f of files) if (f !== jsonFile) shards.set(shardBaseName(f.name), f.bytes);
  const tensors = decodeTfjsWeights(json, shards, jsonFile.name, deadline);
  const format = detectTfjsFormat(raw);
  const skipped = json.weightsManifest.flatMap((g) => g.weights.filter((w) => w.dtype !== 'float32').map((w) => ({ name: w.name, dtype: w.dtype })));
  let runnable: Model | undefined;
  if (format === 'watermas-lab') {
    // The lab's own files are held to the stricter lab schema (architecture, one float32 shard).
    const labJson = parseModelJson(text, jsonFile.name, limits.maxJsonBytes);
    checkModelJsonPlan(labJson, jsonFile.name);
    if (!(opts.buildModel ?? true)) return { format, tensors, skipped, ...digest };
    const shard = shards.get(shardBaseName(labJson.weightsManifest[0].paths[0]))!;
    runnable = loadModel(labJson, shard.slice().buffer, jsonFile.name);
  }
  return { format, tensors, skipped, ...digest, ...(runnable ? { runnable } : {}) };
}

function detectTfjsFormat(raw: Record<string, unknown>): ImportFormat {
  const topo = raw.modelTopology as Record<string, unknown> | undefined;
  if (topo && typeof topo === 'object' && topo.format === MODEL_FORMAT) return 'watermas-lab';
  if (raw.format === 'graph-model' || (topo && typeof topo === 'object' && 'node' in topo)) return 'tfjs-graph';
  return 'tfjs-layers';
}
