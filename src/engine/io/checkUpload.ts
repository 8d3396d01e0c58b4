import { parseAnyKeyFile } from '../watermark/anyKey';
import { looksLikePytorch } from './pytorchLayout';
import { KeyFileError, KeyModelMismatchError } from '../watermark/keyFile';
import { checkUchidaKeyAgainstModel, verifyUchida, type UchidaVerifyResult } from '../watermark/uchida';
import { verifyFcwKey } from '../fcw/verifyKey';
import type { FcwVerifyResult } from '../fcw/verify';
import type { VerifyResult } from '../watermark/verify';
import { importWeights, type ImportFormat, type UploadedFile } from './importWeights';
import { resolveLimits, type ImportLimits } from './limits';
import type { FileDigest } from './modelSha256';
import { decodeUtf8, jsonDepth } from './safeJson';
import { verifyTensors } from './verifyTensors';

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
  readonly verification?:
    | { readonly method: 'watermas'; readonly keyFile: string; readonly result: VerifyResult }
    | { readonly method: 'uchida'; readonly keyFile: string; readonly result: UchidaVerifyResult }
    | { readonly method: 'fcw'; readonly keyFile: string; readonly result: FcwVerifyResult };
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
  // Uchida and FCW (trigger accuracy) keys are judged on a runnable model, not on tensors.
  const needModel = key?.method === 'uchida' || key?.method === 'fcw';
  const imported = await importWeights(modelFiles, { limits, buildModel: needModel });
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
  if (key.method === 'watermas') {
    let result: VerifyResult;
    try {
      result = verifyTensors(imported.tensors, key.key, { file, ...(opts.threshold !== undefined ? { threshold: opts.threshold } : {}) });
    } catch (e) {
      if (e instanceof KeyModelMismatchError) throw new KeyModelMismatchError(e.tensor, `${keyFile.name}: ${e.message}`);
      throw e;
    }
    return { ...base, verification: { method: 'watermas', keyFile: keyFile.name, result } };
  }
  const model = imported.runnable;
  if (key.method === 'fcw') {
    if (!model) throw new KeyFileError('wrong-method', `${keyFile.name}: a function-coupled (trigger-set) key needs a runnable model (the lab's model.json + weights.bin), not a ${imported.format} file.`);
    try {
      const result = await verifyFcwKey(model, key.key, opts.threshold !== undefined ? { threshold: opts.threshold } : {});
      return { ...base, verification: { method: 'fcw', keyFile: keyFile.name, result } };
    } finally {
      model.dispose();
    }
  }
  if (!model) throw new KeyFileError('wrong-method', `${keyFile.name}: an Uchida key needs a runnable model (the lab's model.json + weights.bin), not a ${imported.format} file.`);
  try {
    checkUchidaKeyAgainstModel(key.key, model);
  } catch (e) {
    model.dispose();
    if (e instanceof KeyModelMismatchError) throw new KeyModelMismatchError(e.tensor, `${keyFile.name}: ${e.message}`);
    throw e;
  }
  try {
    const result = await verifyUchida(model, key.key, opts.threshold !== undefined ? { threshold: opts.threshold } : {});
    return { ...base, verification: { method: 'uchida', keyFile: keyFile.name, result } };
  } finally {
    model.dispose();
  }
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
function parseKeyGuarded(f: UploadFile, limits: ImportLimits): ReturnType<typeof parseAnyKeyFile> {
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
    return parseAnyKeyFile(text);
  } catch (e) {
    if (e instanceof KeyFileError) throw new KeyFileError(e.code, `${f.name}: ${e.message}`);
    throw e;
  }
}
