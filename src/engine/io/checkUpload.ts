import { methodOf, type MethodKey, type UploadVerification } from '../methods/registry';
import { parseMethodKeyFile } from '../methods/keys';
import { looksLikePytorch } from './pytorchLayout';
import { KeyFileError } from '../watermark/keyFile';
import { importWeights, type ImportFormat, type UploadedFile } from './importWeights';
import { resolveLimits, type ImportLimits } from './limits';
import type { FileDigest } from './modelSha256';
import { decodeUtf8, jsonDepth } from './safeJson';

/** An uploaded file; `role` overrides the name-based guess (a `.json` whose name contains "key" is the key). */
export interface UploadFile extends UploadedFile {
  readonly role?: 'model' | 'key';
}

export interface CheckUploadOptions {
  readonly limits?: Partial<ImportLimits>;
  /** Decision threshold on the p-value (default 1e-6). */
  readonly threshold?: number;
}

export interface CheckUploadResult {
  readonly format: ImportFormat;
  /** Model fingerprint (see modelFingerprint) and per-file digests. */
  readonly sha256: string;
  readonly files: readonly FileDigest[];
  /** Float tensors found (name and shape), in file order. */
  readonly tensors: readonly { readonly name: string; readonly shape: readonly number[] }[];
  readonly skipped: readonly { readonly name: string; readonly dtype: string }[];
  /** True when the upload is the lab's format (a model can be rebuilt, e.g. for the attack sweep). */
  readonly runnable: boolean;
  /** Tensor naming read: the lab's ('conv1/kernel') or a PyTorch state_dict's ('conv1.weight', docs/pytorch.md). */
  readonly layout: 'lab' | 'pytorch';
  /** safetensors `__metadata__` (a lab export records its ModelConfig as `config`). */
  readonly metadata?: Record<string, string>;
  /** Present when a key was uploaded. */
  readonly verification?: UploadVerification;
}

export interface CheckUploadError {
  /** One line naming the file and the problem. */
  readonly error: string;
  /** Error class or KeyFileError code (e.g. 'ModelFileError', 'index-out-of-range'). */
  readonly code: string;
}

const isKeyName = (name: string): boolean => /\.json$/i.test(name) && /key/i.test(name.split(/[\\/]/).pop() ?? name);

/**
 * The worker's single entry point for the Verify panel: imports the model files, parses the key
 * (if any), verifies, and returns a result or `{ error, code }` — it never throws, and every
 * failure names the file. Everything runs locally on the given bytes.
 */
export async function checkUpload(files: readonly UploadFile[], opts: CheckUploadOptions = {}): Promise<CheckUploadResult | CheckUploadError> {
  try {
    return await checkUploadOrThrow(files, opts);
  } catch (e) {
    const err = e as Error;
    const code = err instanceof KeyFileError || err instanceof KeyUploadError ? err.code : (err?.name ?? 'Error');
    return { error: err?.message ?? String(e), code };
  }
}

async function checkUploadOrThrow(files: readonly UploadFile[], opts: CheckUploadOptions): Promise<CheckUploadResult> {
  const limits = resolveLimits(opts.limits);
  const keys = files.filter((f) => f.role === 'key' || (f.role === undefined && isKeyName(f.name)));
  const modelFiles = files.filter((f) => !keys.includes(f));
  if (keys.length > 1) throw new KeyFileError('wrong-format', `Give one key file, not ${keys.length} (${keys.map((k) => k.name).join(', ')}).`);
  const keyFile = keys[0];
  // Parse the key first: it is cheap, and a bad key should not cost a large import.
  const key = keyFile ? parseKeyGuarded(keyFile, limits) : undefined;
  // Uchida and FCW (trigger accuracy) keys are judged on a runnable model; WaterMAS on the tensors.
  const imported = await importWeights(modelFiles, { limits, buildModel: key ? methodOf(key).needsRunnableModel : false });
  const base = {
    format: imported.format,
    sha256: imported.sha256,
    files: imported.files,
    tensors: [...imported.tensors].map(([name, t]) => ({ name, shape: t.shape })),
    skipped: imported.skipped,
    runnable: imported.format === 'watermas-lab',
    layout: looksLikePytorch(imported.tensors.keys()) ? ('pytorch' as const) : ('lab' as const),
    ...(imported.metadata ? { metadata: imported.metadata } : {}),
  };
  if (!key || !keyFile) {
    imported.runnable?.dispose();
    return base;
  }
  const file = imported.files.map((f) => f.name).join(' + ');
  const upload = { tensors: imported.tensors, model: imported.runnable, format: imported.format, keyFile: keyFile.name, file, ...(opts.threshold !== undefined ? { threshold: opts.threshold } : {}) };
  const verification = (await methodOf(key).verifyUpload(upload, key.key)) as UploadVerification;
  return { ...base, verification };
}

/** A key file rejected before schema parsing: too large, not UTF-8 or nested too deeply. */
export class KeyUploadError extends Error {
  constructor(
    readonly code: 'key-too-large' | 'key-not-utf8' | 'key-too-deep',
    message: string,
  ) {
    super(message);
    this.name = 'KeyUploadError';
  }
}

/** Size, encoding and depth guards, then the watermark module's parser; messages are prefixed with the file name. */
function parseKeyGuarded(f: UploadFile, limits: ImportLimits): MethodKey {
  if (f.bytes.length > limits.maxJsonBytes) {
    throw new KeyUploadError('key-too-large', `${f.name}: the key file is too large (${f.bytes.length} bytes, limit ${limits.maxJsonBytes}).`);
  }
  const text = decodeUtf8(f.bytes, 'the key file', (m) => {
    throw new KeyUploadError('key-not-utf8', `${f.name}: ${m}.`);
  });
  if (jsonDepth(text, limits.maxJsonDepth) > limits.maxJsonDepth) {
    throw new KeyUploadError('key-too-deep', `${f.name}: the key file is nested too deeply (more than ${limits.maxJsonDepth} levels).`);
  }
  try {
    return parseMethodKeyFile(text);
  } catch (e) {
    if (e instanceof KeyFileError) throw new KeyFileError(e.code, `${f.name}: ${e.message}`);
    throw e;
  }
}
