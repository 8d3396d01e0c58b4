import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { checkUpload, parseTfjsModelJson, shardBaseName, type UploadFile } from '../../engine/io';
import { DEFAULT_P_THRESHOLD } from '../../engine/watermark';
import { num, parseOptions, required } from '../args';
import { setupNodeBackend } from '../nodeBackend';

export const VERIFY_USAGE = 'wmlab verify --model model.json|x.safetensors --key key.json [--threshold P]';

/** Reads a file or fails with a message naming it. */
async function readNamed(path: string, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch {
    throw new Error(`${path}: no such ${what}`);
  }
}

/**
 * The model's files: a safetensors file alone, or a model.json (lab or TensorFlow.js format)
 * with the weight shards its manifest names, read from beside it.
 */
async function modelFiles(path: string): Promise<UploadFile[]> {
  const bytes = await readNamed(path, 'model file');
  if (!/\.json$/i.test(path)) return [{ name: basename(path), bytes, role: 'model' }];
  const { json } = parseTfjsModelJson(new TextDecoder().decode(bytes), path);
  const shards = [...new Set(json.weightsManifest.flatMap((g) => g.paths.map(shardBaseName)))];
  const files: UploadFile[] = [{ name: basename(path), bytes, role: 'model' }];
  for (const shard of shards) files.push({ name: shard, bytes: await readNamed(join(dirname(path), shard), 'weight shard'), role: 'model' });
  return files;
}

/** `wmlab verify`: extracts the mark of a key from a model (any supported format) and judges it. */
export async function verifyCommand(argv: string[]): Promise<Record<string, unknown>> {
  const o = parseOptions(argv, { model: { type: 'string' }, key: { type: 'string' }, threshold: { type: 'string' } });
  const modelPath = required(o.model, 'model');
  const keyPath = required(o.key, 'key');
  const threshold = num(o.threshold, 'threshold', { min: 0, max: 1, default: DEFAULT_P_THRESHOLD });
  const key: UploadFile = { name: basename(keyPath), bytes: await readNamed(keyPath, 'key file'), role: 'key' };
  await setupNodeBackend('cpu', 'eval');
  const checked = await checkUpload([...(await modelFiles(modelPath)), key], { threshold });
  if ('error' in checked) throw new Error(checked.error);
  const v = checked.verification;
  if (!v) throw new Error(`${keyPath}: not read as a key`);
  const common = { format: checked.format, sha256: checked.sha256, method: v.method };
  if (v.method === 'uchida') return { ...common, ...v.result };
  if (v.method === 'fcw') return { ...common, ...v.result, predictions: Array.from(v.result.predictions) };
  const r = v.result;
  return {
    ...common,
    bits: r.n,
    errors: r.errors,
    erasures: r.erasures,
    ber: r.ber,
    pValue: r.pValue,
    log10PValue: r.log10PValue,
    threshold: r.threshold,
    detected: r.detected,
    payload: r.payloadKind,
    ...(r.message !== undefined ? { message: r.message } : {}),
    ...(r.image ? { imageCorrelation: r.image.correlation } : {}),
    perTensor: r.perTensor,
  };
}
