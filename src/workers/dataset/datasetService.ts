import { normalizationFor } from '../../engine/data/normalize';
import { CIFAR10_META_FILE, assembleCifar10 } from '../../engine/data/cifar10';
import { unpackCifar10Archive } from '../../engine/data/archive';
import type { Normalization } from '../../engine/data/types';
import type { DataSourceRequest, DatasetInfo, ImportResult, Thumbnails } from '../../protocol/api';
import { asError } from '../asError';
import type { JobBoard } from '../jobs';
import { loadDatasetFrom, type LoadedDataset } from './datasetLoader';
import { clearFiles, storeFiles } from './storage';
import { pickSpreadIndices, toRgba } from './thumbnails';
import * as Comlink from 'comlink';

/** The loaded data set with the normalisation every model trained on it uses. */
export type LoadedData = LoadedDataset & { readonly normalization: Normalization };

/** What the data set's side needs from the engine service. */
export interface DatasetHost {
  /** Where the app is served from (public/datasets/ lives there). */
  origin(): string;
  /** The engine's long jobs (jobs.ts): no data set changes under a running job. */
  readonly jobs: JobBoard;
}

/**
 * The data set of the worker (Dataset panel): loading, the CIFAR-10 tarball import, thumbnails.
 * Data loading touches no tensors: it has its own queue, so the grid appears while the backend warms up.
 */
export class DatasetService {
  private queue: Promise<unknown> = Promise.resolve();
  private data: LoadedData | null = null;
  private sampleRound = 0;

  constructor(private readonly host: DatasetHost) {}

  /** The data set loaded now (null before the first load). */
  get current(): LoadedData | null {
    return this.data;
  }

  async loadDataset(req: { source: DataSourceRequest }): Promise<DatasetInfo> {
    const source = req?.source;
    if (!['auto', 'cifar10', 'synthetic'].includes(source)) throw new Error(`loadDataset: unknown source "${String(source)}"`);
    this.host.jobs.refuse('loadDataset');
    return this.exclusive('data', async () => {
      const loaded = await loadDatasetFrom(source, this.host.origin());
      this.data = { ...loaded, normalization: normalizationFor(loaded.dataset) };
      this.sampleRound = 0;
      return this.info();
    });
  }

  async sampleImages(n: number, split: 'train' | 'test'): Promise<Thumbnails> {
    if (!this.data) throw new Error('sampleImages: no data set loaded yet');
    if (!(Number.isInteger(n) && n >= 1 && n <= 1000)) throw new Error(`sampleImages: n must be a whole number in 1..1000, got ${n}`);
    if (split !== 'train' && split !== 'test') throw new Error(`sampleImages: split must be "train" or "test", got "${String(split)}"`);
    const set = this.data.dataset[split];
    const indices = pickSpreadIndices(set.labels, this.data.dataset.classNames.length, n, this.sampleRound++);
    const thumbs: Thumbnails = { width: set.width, height: set.height, count: indices.length, rgba: toRgba(set, indices), labels: indices.map((i) => set.labels[i]) };
    return Comlink.transfer(thumbs, [thumbs.rgba]);
  }

  async importCifarTarball(bytes: ArrayBuffer): Promise<ImportResult> {
    if (!(bytes instanceof ArrayBuffer)) throw new Error('importCifarTarball: expected the file contents as an ArrayBuffer');
    this.host.jobs.refuse('importCifarTarball');
    // No prefix: the UI says "Import failed: <reason>".
    return this.exclusive('', async () => {
      const files = unpackCifar10Archive(new Uint8Array(bytes));
      files.delete(CIFAR10_META_FILE); // the six batch files only, as stored and counted
      let stored = true;
      try {
        await storeFiles(files);
      } catch (e) {
        stored = false;
        console.warn(`could not keep the CIFAR-10 files in IndexedDB: ${e instanceof Error ? e.message : String(e)}`);
      }
      const dataset = assembleCifar10(files);
      this.data = { dataset, origin: 'browser-storage', normalization: normalizationFor(dataset), ...(stored ? {} : { note: 'not stored: this browser refused IndexedDB storage' }) };
      this.sampleRound = 0;
      return { files: [...files.keys()], trainCount: dataset.train.count, testCount: dataset.test.count, stored, dataset: this.info() };
    });
  }

  async clearStoredDataset(): Promise<void> {
    await clearFiles();
  }

  private info(): DatasetInfo {
    if (!this.data) throw new Error('no data set loaded yet (call loadDataset first)');
    const { dataset, origin, note } = this.data;
    return {
      name: dataset.name,
      label: dataset.label,
      origin,
      classNames: [...dataset.classNames],
      trainCount: dataset.train.count,
      testCount: dataset.test.count,
      ...(note ? { note } : {}),
    };
  }

  /** Runs `fn` after every earlier data operation, rejecting with `context` in the message. */
  private exclusive<T>(context: string, fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn).catch((e: unknown) => {
      throw asError(e, context);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}
