/**
 * The Verify panel's worker-side run: uploaded files in, a plain VerifyOutcome out.
 * Wraps the engine's checkUpload (which never throws) and also catches anything unexpected,
 * so a bad upload can never reject across the worker boundary or kill the worker.
 */
import { checkUpload } from '../../engine/io/checkUpload';
import { formatBytes, resolveLimits, type ImportLimits } from '../../engine/io/limits';
import { uploadVerdict } from '../../engine/methods';
import type { VerifyBytes, VerifyFile, VerifyOutcome } from '../../protocol/verify';

/**
 * Reads the uploaded files after checking what they are and how large: the page hands over File
 * handles, so nothing is read (into the page or the worker) before the sizes are known to be
 * within the limits. Bytes already read are accepted as they are.
 */
export async function readVerifyFiles(files: unknown, limits?: Partial<ImportLimits>): Promise<VerifyBytes[] | Extract<VerifyOutcome, { ok: false }>> {
  if (!Array.isArray(files) || files.length === 0) return { ok: false, error: 'No files given: drop the model file(s) and the key.', code: 'no-files' };
  const max = resolveLimits(limits).maxTotalBytes;
  const sizeOf = (f: VerifyFile) => ('file' in f ? f.file.size : f.bytes.byteLength);
  for (const f of files as unknown[]) {
    const named = typeof f === 'object' && f !== null && typeof (f as { name?: unknown }).name === 'string';
    const content = named && ((f as { file?: unknown }).file instanceof Blob || (f as { bytes?: unknown }).bytes instanceof ArrayBuffer);
    if (!content) return { ok: false, error: 'Each file must have a name and its contents.', code: 'bad-request' };
  }
  const list = files as VerifyFile[];
  for (const f of list) {
    if (sizeOf(f) > max) return { ok: false, error: `${f.name}: ${formatBytes(sizeOf(f))} is over the ${formatBytes(max)} limit for a model upload`, code: 'too-large' };
  }
  const total = list.reduce((s, f) => s + sizeOf(f), 0);
  if (total > max) return { ok: false, error: `${list.map((f) => f.name).join(', ')}: ${formatBytes(total)} together is over the ${formatBytes(max)} limit for a model upload`, code: 'too-large' };
  try {
    return await Promise.all(list.map(async (f) => ({ name: f.name, bytes: 'file' in f ? await f.file.arrayBuffer() : f.bytes })));
  } catch (e) {
    return { ok: false, error: `The files could not be read: ${e instanceof Error ? e.message : String(e)}`, code: 'unreadable' };
  }
}

/**
 * Checks uploaded model files (+ an optional key file) locally: format detection, limits,
 * SHA-256 fingerprint and, with a key, the watermark verdict. Never rejects: every problem
 * comes back as `{ ok: false, error }` naming the file. `limits` overrides the import limits.
 */
export async function runVerify(files: readonly VerifyBytes[], limits?: Partial<ImportLimits>): Promise<VerifyOutcome> {
  const t0 = performance.now();
  try {
    if (!Array.isArray(files) || files.length === 0) return { ok: false, error: 'No files given: drop the model file(s) and the key.', code: 'no-files' };
    for (const f of files) {
      if (!f || typeof f.name !== 'string' || !(f.bytes instanceof ArrayBuffer)) {
        return { ok: false, error: 'Each file must have a name and its bytes.', code: 'bad-request' };
      }
    }
    const r = await checkUpload(files.map((f) => ({ name: f.name, bytes: new Uint8Array(f.bytes) })), limits ? { limits } : {});
    if ('error' in r) return { ok: false, error: r.error, code: r.code };
    return {
      ok: true,
      format: r.format,
      layout: r.layout,
      sha256: r.sha256,
      files: r.files.map((f) => ({ name: f.name, bytes: f.bytes })),
      tensorCount: r.tensors.length,
      skipped: r.skipped.length,
      runnable: r.runnable,
      ...(r.verification ? { verification: uploadVerdict(r.verification) } : {}),
      ms: performance.now() - t0,
    };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    return { ok: false, error: err.message, code: err.name || 'Error' };
  }
}
