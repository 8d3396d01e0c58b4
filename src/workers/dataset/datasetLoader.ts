import { CIFAR10_ALL_FILES, CIFAR10_FILE_BYTES, assembleCifar10, checkCifarBatch } from '../../engine/data/cifar10';
import { generateSynthetic } from '../../engine/data/synthetic';
import type { Dataset } from '../../engine/data/types';
import type { DataOrigin, DataSourceRequest } from '../../protocol/api';
import { loadFiles } from './storage';

/**
 * Size of the synthetic set in the browser (our choice: generated in about a second in a
 * worker, enough for visible learning in a few minutes). Its seed is fixed so the data does
 * not change with the training seed.
 */
export const BROWSER_SYNTHETIC = { seed: 0, train: 10_000, test: 2_000 } as const;

/** Where the server keeps the CIFAR-10 batch files (filled by `npm run data`). */
export const SERVER_CIFAR_PATH = '/datasets/cifar10/';

export interface LoadedDataset {
  readonly dataset: Dataset;
  readonly origin: DataOrigin;
  readonly note?: string;
}

/** The embedded synthetic default. */
export function syntheticDataset(note?: string): LoadedDataset {
  const dataset = generateSynthetic({ seed: BROWSER_SYNTHETIC.seed, trainCount: BROWSER_SYNTHETIC.train, testCount: BROWSER_SYNTHETIC.test });
  return { dataset, origin: 'synthetic', note };
}

/** CIFAR-10 from the user's stored tarball, or null when nothing (valid) is stored. */
async function fromStorage(): Promise<LoadedDataset | null> {
  const files = await loadFiles();
  if (!CIFAR10_ALL_FILES.every((f) => files.has(f))) return null;
  for (const name of CIFAR10_ALL_FILES) {
    if (checkCifarBatch(files.get(name)!, name, CIFAR10_FILE_BYTES)) return null;
  }
  return { dataset: assembleCifar10(files), origin: 'browser-storage' };
}

/** Fetches one batch file from the server; returns bytes or a one-line reason. */
async function fetchBatch(origin: string, name: string): Promise<Uint8Array | string> {
  let res: Response;
  try {
    res = await fetch(new URL(SERVER_CIFAR_PATH + name, origin));
  } catch (e) {
    return `${name}: ${e instanceof Error ? e.message : String(e)}`;
  }
  if (!res.ok) return `${name}: HTTP ${res.status}`;
  // Dev/preview servers answer unknown paths with index.html (200): that is "absent", not "corrupt".
  if ((res.headers.get('content-type') ?? '').includes('text/html')) return `${name} is not on the server`;
  const bytes = new Uint8Array(await res.arrayBuffer());
  return checkCifarBatch(bytes, name, CIFAR10_FILE_BYTES) ?? bytes;
}

/** CIFAR-10 served with the app under /datasets/cifar10/, or a reason why not. */
async function fromServer(origin: string): Promise<LoadedDataset | string> {
  // The test batch first: when it is absent, do not download 150 MB of train files.
  const test = await fetchBatch(origin, 'test_batch.bin');
  if (typeof test === 'string') return test;
  const files = new Map<string, Uint8Array>([['test_batch.bin', test]]);
  const train = await Promise.all(CIFAR10_ALL_FILES.filter((f) => f !== 'test_batch.bin').map((f) => fetchBatch(origin, f)));
  for (const [i, r] of train.entries()) {
    if (typeof r === 'string') return r;
    files.set(CIFAR10_ALL_FILES[i], r);
  }
  return { dataset: assembleCifar10(files), origin: 'server' };
}

/**
 * Loads the data set the user asked for. 'auto': the user's stored tarball, then the
 * server's files, then the synthetic default (with a note saying why). 'cifar10' fails
 * with a clear message when neither source has the files.
 */
export async function loadDatasetFrom(req: DataSourceRequest, origin: string): Promise<LoadedDataset> {
  if (req === 'synthetic') return syntheticDataset();
  const stored = await fromStorage();
  if (stored) return stored;
  const served = await fromServer(origin);
  if (typeof served !== 'string') return served;
  const why = `No CIFAR-10 files were found (${served})`;
  if (req === 'cifar10') throw new Error(`${why}; run \`npm run data\` or drop the official cifar-10-binary.tar.gz into the page`);
  return syntheticDataset(why);
}
