import { open, stat } from 'node:fs/promises';
import { DEFAULT_IMPORT_LIMITS, formatBytes } from '../engine/io/limits';

/**
 * Reading files the user names (models, shards, keys), which may be anything: a directory, a
 * named pipe (which would block forever), /dev/zero (endless), a symlink loop, a 3 GB file.
 * The path's kind and size are checked before any byte is read; the read itself streams with
 * a cap, so a file that grows or lies about its size (procfs) cannot exceed the limit either.
 * Every error names the path and the real cause.
 */
export class UntrustedFileError extends Error {
  override readonly name = 'UntrustedFileError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

/** Limits by role: model files share the upload limit, JSON texts (model.json, keys) the JSON limit. */
export const READ_LIMITS = {
  model: DEFAULT_IMPORT_LIMITS.maxTotalBytes,
  json: DEFAULT_IMPORT_LIMITS.maxJsonBytes,
} as const;

const ERRNO_REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  ENOTDIR: 'a part of the path is not a folder',
  ELOOP: 'a symbolic link loop (the link points back to itself)',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENAMETOOLONG: 'the path is too long',
  EISDIR: 'is a directory, not a file',
};

const reasonOf = (e: unknown): string => {
  const code = (e as NodeJS.ErrnoException).code;
  return (code && ERRNO_REASONS[code]) ?? (e as Error).message;
};

/**
 * Reads a regular file of at most `maxBytes` bytes. `what` names the file's role in messages
 * ("model file", "key file", "weight shard").
 */
export async function readUntrustedFile(path: string, what: string, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const info = await stat(path).catch((e: unknown) => {
    throw new UntrustedFileError(path, `${reasonOf(e)} (expected a ${what})`);
  });
  if (!info.isFile()) {
    const kind = info.isDirectory()
      ? 'is a directory'
      : info.isFIFO()
        ? 'is a named pipe'
        : info.isCharacterDevice() || info.isBlockDevice()
          ? 'is a device'
          : info.isSocket()
            ? 'is a socket'
            : 'is not a regular file';
    throw new UntrustedFileError(path, `${kind}, not a ${what}`);
  }
  if (info.size > maxBytes) throw new UntrustedFileError(path, `${formatBytes(info.size)} is over the ${formatBytes(maxBytes)} limit for a ${what}`);
  const handle = await open(path, 'r').catch((e: unknown) => {
    throw new UntrustedFileError(path, reasonOf(e));
  });
  try {
    // Read into a buffer of the size stat reported; grow it (up to the cap) only for a file that
    // is longer than it said (procfs reports 0) or grew since.
    let out = new Uint8Array(info.size);
    let total = 0;
    for (;;) {
      if (total === out.length) {
        if (total >= maxBytes) {
          const { bytesRead } = await handle.read(new Uint8Array(1), 0, 1, null);
          if (bytesRead > 0) throw new UntrustedFileError(path, `grew past the ${formatBytes(maxBytes)} limit for a ${what} while being read`);
          break;
        }
        const grown = new Uint8Array(Math.min(maxBytes, Math.max(2 * out.length, 1 << 16)));
        grown.set(out);
        out = grown;
      }
      const { bytesRead } = await handle.read(out, total, out.length - total, null);
      if (bytesRead === 0) break;
      total += bytesRead;
    }
    return total === out.length ? out : out.slice(0, total);
  } finally {
    await handle.close();
  }
}

/** readUntrustedFile, decoded as UTF-8 text. */
export async function readUntrustedText(path: string, what: string, maxBytes: number): Promise<string> {
  return new TextDecoder().decode(await readUntrustedFile(path, what, maxBytes));
}
