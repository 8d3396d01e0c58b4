import { CIFAR10_ARCHIVE_MD5, CIFAR10_ARCHIVE_URL, unpackCifar10Archive } from './archive';
import {
  CIFAR10_ALL_FILES, CIFAR10_FILES, CIFAR10_FILE_BYTES, CIFAR10_META_FILE, CIFAR10_RECORD_BYTES, assembleCifar10, checkCifarBatch,
  type CifarLimits,
} from './cifar10';
import type { Dataset } from './types';

/**
 * The file operations data setup needs, injected so that this logic stays pure (the Node
 * CLI passes one over node:fs; tests pass an in-memory fake). Paths are joined with '/'.
 */
export interface DataFs {
  exists(path: string): Promise<boolean>;
  /** Size in bytes of an existing file. */
  size(path: string): Promise<number>;
  read(path: string): Promise<Uint8Array>;
  /** Creates or replaces a file. */
  write(path: string, bytes: Uint8Array): Promise<void>;
  /** Creates a directory and its parents (no error if it exists). */
  mkdirp(path: string): Promise<void>;
}

/** Where the CIFAR-10 files came from; 'synthetic' means none could be had. */
export type DataSource = 'existing' | 'env' | 'download' | 'synthetic';

export interface SetupResult {
  readonly source: DataSource;
  /** One human sentence saying what was used (and, for synthetic, why). */
  readonly detail: string;
  /** Problems met on the way (invalid files, failed download...), one line each. */
  readonly problems: readonly string[];
}

export interface SetupCifar10Options {
  /** Where the six .bin files must end up, e.g. `public/datasets/cifar10`. */
  readonly targetDir: string;
  /** The folder named by CIFAR10_DIR, if set. */
  readonly envDir?: string;
  readonly fs: DataFs;
  /** Downloads a URL (may throw). Without it the download step is skipped. */
  readonly fetchBytes?: (url: string) => Promise<Uint8Array>;
  readonly log?: (message: string) => void;
  /** Overrides for tests: archive URL, its MD5, the exact size of each batch file. */
  readonly url?: string;
  readonly md5?: string;
  readonly expectedFileBytes?: number;
}

/** `dir` + '/' + `name` (trailing slashes on dir collapsed). */
export function joinPath(dir: string, name: string): string {
  return `${dir.replace(/[/\\]+$/, '')}/${name}`;
}

/**
 * Checks that `dir` holds the six CIFAR-10 batch files, each of the exact expected size and
 * with labels 0..9. Sizes are checked first (no reading); files are only read when all six
 * have the right size. Returns the file contents when valid, otherwise the problems, one
 * line per file naming it and the expected size.
 */
export async function inspectCifar10Dir(
  fs: DataFs, dir: string, expectedFileBytes = CIFAR10_FILE_BYTES,
): Promise<{ files: Map<string, Uint8Array> | null; problems: string[] }> {
  const problems: string[] = [];
  for (const name of CIFAR10_ALL_FILES) {
    const path = joinPath(dir, name);
    if (!(await fs.exists(path))) { problems.push(`${path}: missing`); continue; }
    const size = await fs.size(path);
    if (size !== expectedFileBytes) {
      problems.push(`${path}: ${size.toLocaleString('en-US')} bytes, expected ${expectedFileBytes.toLocaleString('en-US')}${size < expectedFileBytes ? ' (truncated?)' : ''}; not used`);
    }
  }
  if (problems.length) return { files: null, problems };
  const files = new Map<string, Uint8Array>();
  for (const name of CIFAR10_ALL_FILES) {
    const path = joinPath(dir, name);
    const bytes = await fs.read(path);
    const problem = checkCifarBatch(bytes, path, expectedFileBytes);
    if (problem) problems.push(`${problem}; not used`); else files.set(name, bytes);
  }
  return problems.length ? { files: null, problems } : { files, problems };
}

/**
 * Fills `targetDir` with CIFAR-10, trying in order:
 *  1. 'existing': the six files already in targetDir (exact size 30,730,000 and labels 0..9);
 *  2. 'env': the folder named by CIFAR10_DIR (`envDir`): the six files, validated, are copied
 *     (with batches.meta.txt when present);
 *  3. 'download': the official cifar-10-binary.tar.gz, verified by its MD5, gunzipped and
 *     untarred in memory, validated, written;
 *  4. 'synthetic': nothing usable; the lab uses the embedded synthetic set (nothing is written).
 * A truncated or wrong-size file is reported (naming it and the expected size) and never used.
 * Never throws for a missing/invalid source; errors of `fs.write`/`mkdirp` propagate.
 */
export async function setupCifar10(opts: SetupCifar10Options): Promise<SetupResult> {
  const { fs, targetDir } = opts;
  const log = opts.log ?? (() => {});
  const expected = opts.expectedFileBytes ?? CIFAR10_FILE_BYTES;
  const problems: string[] = [];
  const note = (lines: string[]) => { for (const l of lines) { problems.push(l); log(l); } };

  // 1. Already there.
  const here = await inspectCifar10Dir(fs, targetDir, expected);
  if (here.files) {
    const detail = `CIFAR-10: using the files already in ${targetDir}`;
    log(detail);
    return { source: 'existing', detail, problems };
  }
  if (here.problems.length < CIFAR10_ALL_FILES.length || here.problems.some((p) => !p.endsWith(': missing'))) {
    note(here.problems); // partly present: say what is wrong with it
  }

  // 2. CIFAR10_DIR.
  if (opts.envDir) {
    const env = await inspectCifar10Dir(fs, opts.envDir, expected);
    if (env.files) {
      const metaPath = joinPath(opts.envDir, CIFAR10_META_FILE);
      if (await fs.exists(metaPath)) env.files.set(CIFAR10_META_FILE, await fs.read(metaPath));
      await writeAll(fs, targetDir, env.files);
      const detail = `CIFAR-10: copied from CIFAR10_DIR=${opts.envDir} to ${targetDir}`;
      log(detail);
      return { source: 'env', detail, problems };
    }
    note(env.problems.map((p) => `CIFAR10_DIR: ${p}`));
  }

  // 3. Download.
  if (opts.fetchBytes) {
    const url = opts.url ?? CIFAR10_ARCHIVE_URL;
    try {
      log(`CIFAR-10: downloading ${url} ...`);
      const gz = await opts.fetchBytes(url);
      const files = unpackCifar10Archive(gz, { md5: opts.md5 ?? CIFAR10_ARCHIVE_MD5, expectedFileBytes: expected });
      await writeAll(fs, targetDir, files);
      const detail = `CIFAR-10: downloaded ${url} (MD5 verified) and unpacked to ${targetDir}`;
      log(detail);
      return { source: 'download', detail, problems };
    } catch (e) {
      note([`download of ${url} failed: ${(e as Error).message}`]);
    }
  }

  // 4. Embedded default.
  const detail = 'CIFAR-10 not available (no valid files in the target folder'
    + (opts.envDir ? ', in CIFAR10_DIR' : ', CIFAR10_DIR not set')
    + (opts.fetchBytes ? ', download failed' : ', no download attempted')
    + '): the lab uses the embedded synthetic data set, labelled "synthetic"';
  log(detail);
  return { source: 'synthetic', detail, problems };
}

async function writeAll(fs: DataFs, dir: string, files: ReadonlyMap<string, Uint8Array>): Promise<void> {
  await fs.mkdirp(dir);
  for (const [name, bytes] of files) await fs.write(joinPath(dir, name), bytes);
}

/**
 * Loads CIFAR-10 from a folder through a DataFs, reading only the files the limits need
 * (with official files, trainLimit <= 10,000 reads data_batch_1.bin only).
 * Throws naming a missing or invalid file.
 */
export async function loadCifar10(
  fs: Pick<DataFs, 'exists' | 'read'>, dir: string, limits: CifarLimits = {},
): Promise<Dataset> {
  const files = new Map<string, Uint8Array>();
  const splits: [readonly string[], number | undefined][] = [[CIFAR10_FILES.train, limits.trainLimit], [CIFAR10_FILES.test, limits.testLimit]];
  for (const [names, limit] of splits) {
    let records = 0;
    for (const name of names) {
      if (limit !== undefined && records >= limit) break;
      const path = joinPath(dir, name);
      if (!(await fs.exists(path))) throw new Error(`CIFAR-10: missing file ${path}`);
      const bytes = await fs.read(path);
      const problem = checkCifarBatch(bytes, path);
      if (problem) throw new Error(problem);
      files.set(name, bytes);
      records += bytes.length / CIFAR10_RECORD_BYTES;
    }
  }
  return assembleCifar10(files, limits);
}
