import { ARCHITECTURES, ARCH_NAMES, createModel, parameterSize } from '../engine/models';
import type { Model } from '../engine/models/types';
import { normalizationFor } from '../engine/data/normalize';
import { evalBatches } from '../engine/data/batches';
import { sliceImageSet } from '../engine/data/imageset';
import { assembleCifar10 } from '../engine/data/cifar10';
import type { Normalization } from '../engine/data/types';
import { RunControl, evaluate } from '../engine/train';
import type {
  ArchSummary, BackendInfo, BackendPreference, DataSourceRequest, DatasetInfo, EngineApi, EvaluateResult,
  ImportResult, Thumbnails, TrainOutcome, TrainProgress, TrainSettings,
  ModelExport, WatermarkLiveSettings,
} from './api';
import { BACKEND_PREFERENCES } from './api';
import { startBackend } from './backendSetup';
import { loadDatasetFrom, type LoadedDataset } from './datasetLoader';
import { pickSpreadIndices, toRgba } from './thumbnails';
import { extractCifarTarball } from './tarball';
import { clearFiles, storeFiles } from './storage';
import { runTraining } from './trainRun';
import { LiveWatermarkSettings } from './watermarkRun';
import { exportModelFiles, exportKeyText } from './watermarkExport';
import { AnalysisService } from './analysisService';
import { runVerify } from './verifyRun';
import type { VerifyFile, VerifyOutcome } from './verifyApi';
import type { AnalysisApi } from './analysisApi';
import type { Key } from '../engine/watermark';
import * as Comlink from 'comlink';

/** Turns anything thrown into an Error with a readable message (comlink re-throws it in the page). */
function asError(e: unknown, context: string): Error {
  const msg = e instanceof Error ? e.message : typeof e === 'string' ? e : JSON.stringify(e);
  return new Error(context ? `${context}: ${msg}` : msg);
}

/**
 * The engine behind the worker boundary. Operations that touch tfjs run one at a time
 * (a promise queue), so a backend switch can never interleave with model creation;
 * pause / resume / cancel bypass the queue. Every failure is a rejected promise with a
 * clear message: the worker itself never dies on bad input.
 */
export class EngineService implements EngineApi {
  private queue: Promise<unknown> = Promise.resolve();
  /** Data loading touches no tensors: it has its own queue, so the grid appears while the backend warms up. */
  private dataQueue: Promise<unknown> = Promise.resolve();
  private backendInfo: BackendInfo | null = null;
  private data: (LoadedDataset & { normalization: Normalization }) | null = null;
  private archCache: ArchSummary[] | null = null;
  private control: RunControl | null = null;
  private model: Model | null = null;
  private sampleRound = 0;
  private lastSettings: TrainSettings | null = null;
  /** Key of the last watermarked run (with this.model); slider changes of the running one. */
  private watermarkKey: Key | null = null;
  private watermarkLive: LiveWatermarkSettings | null = null;

  constructor(private readonly origin: string) {}

  /** Attack sweeps and landscape runs on the current keyed model (Attack and Landscape panels). */
  private readonly analysis = new AnalysisService({
    currentModel: () => this.model,
    currentKey: () => this.currentKey(),
    currentData: () => this.data,
    backendName: () => this.backendInfo?.name ?? 'unknown',
    refuseWhileBusy: (what) => this.refuseWhileTraining(what),
    exclusive: (context, fn) => this.exclusive(context, fn),
  });

  /** The watermark key of the current trained model (null for plain training or no model). */
  private currentKey(): Key | null {
    return this.model ? this.watermarkKey : null;
  }

  attackCatalog: AnalysisApi['attackCatalog'] = () => this.analysis.attackCatalog();
  keyedModel: AnalysisApi['keyedModel'] = () => this.analysis.keyedModel();
  runAttackSweep: AnalysisApi['runAttackSweep'] = (s, cb) => this.analysis.runAttackSweep(s, cb);
  cancelAttack: AnalysisApi['cancelAttack'] = () => this.analysis.cancelAttack();
  runLandscape: AnalysisApi['runLandscape'] = (s, cb) => this.analysis.runLandscape(s, cb);
  cancelLandscape: AnalysisApi['cancelLandscape'] = () => this.analysis.cancelLandscape();

  /** Runs `fn` after every earlier operation on the tensor queue, rejecting with `context` in the message. */
  private exclusive<T>(context: string, fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn).catch((e: unknown) => {
      throw asError(e, context);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Same as `exclusive`, on the data queue. */
  private dataExclusive<T>(context: string, fn: () => Promise<T>): Promise<T> {
    const run = this.dataQueue.then(fn, fn).catch((e: unknown) => {
      throw asError(e, context);
    });
    this.dataQueue = run.catch(() => undefined);
    return run;
  }

  private get training(): boolean {
    return this.control !== null;
  }

  private refuseWhileTraining(what: string): void {
    if (this.training) throw new Error(`${what}: a training run is in progress; cancel it or wait until it finishes`);
  }

  async init(preference: BackendPreference): Promise<BackendInfo> {
    if (!BACKEND_PREFERENCES.includes(preference)) throw new Error(`init: unknown backend preference "${String(preference)}"`);
    this.refuseWhileTraining('init');
    return this.exclusive('backend', async () => {
      // Models live on the old backend; the next run starts fresh anyway.
      this.model?.dispose();
      this.model = null;
      this.backendInfo = await startBackend(preference);
      return this.backendInfo;
    });
  }

  async backend(): Promise<BackendInfo | null> {
    return this.backendInfo;
  }

  async loadDataset(req: { source: DataSourceRequest }): Promise<DatasetInfo> {
    const source = req?.source;
    if (!['auto', 'cifar10', 'synthetic'].includes(source)) throw new Error(`loadDataset: unknown source "${String(source)}"`);
    this.refuseWhileTraining('loadDataset');
    return this.dataExclusive('data', async () => {
      const loaded = await loadDatasetFrom(source, this.origin);
      this.data = { ...loaded, normalization: normalizationFor(loaded.dataset) };
      this.sampleRound = 0;
      return this.datasetInfo();
    });
  }

  private datasetInfo(): DatasetInfo {
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

  async sampleImages(n: number, split: 'train' | 'test'): Promise<Thumbnails> {
    if (!this.data) throw new Error('sampleImages: no data set loaded yet');
    if (!(Number.isInteger(n) && n >= 1 && n <= 1000)) throw new Error(`sampleImages: n must be a whole number in 1..1000, got ${n}`);
    if (split !== 'train' && split !== 'test') throw new Error(`sampleImages: split must be "train" or "test", got "${String(split)}"`);
    const set = this.data.dataset[split];
    const indices = pickSpreadIndices(set.labels, this.data.dataset.classNames.length, n, this.sampleRound++);
    const thumbs: Thumbnails = { width: set.width, height: set.height, count: indices.length, rgba: toRgba(set, indices), labels: indices.map((i) => set.labels[i]) };
    return Comlink.transfer(thumbs, [thumbs.rgba]);
  }

  async architectures(): Promise<readonly ArchSummary[]> {
    if (this.archCache) return this.archCache;
    return this.exclusive('models', async () => {
      if (this.archCache) return this.archCache;
      const list: ArchSummary[] = [];
      for (const name of ARCH_NAMES) {
        // Counted from a real instance (seed 0), disposed at once: the count is what training uses.
        const m = createModel(name, { seed: 0 });
        try {
          const count = m.paramInfo.reduce((s, p) => s + parameterSize(p), 0);
          const info = ARCHITECTURES[name];
          list.push({ name, label: info.displayName, description: info.description, parameterCount: count });
        } finally {
          m.dispose();
        }
      }
      this.archCache = list;
      return list;
    });
  }

  async train(settings: TrainSettings, onProgress: (p: TrainProgress) => void): Promise<TrainOutcome> {
    if (this.training) throw new Error('train: a training run is already in progress; cancel it or wait until it finishes');
    if (typeof onProgress !== 'function') throw new Error('train: onProgress must be a (comlink-proxied) function');
    const data = this.data;
    if (!data) throw new Error('train: no data set loaded yet');
    if (!this.backendInfo) throw new Error('train: no backend initialised yet (call init first)');
    const control = new RunControl();
    this.control = control;
    const live = new LiveWatermarkSettings();
    this.watermarkLive = live;
    return this.exclusive('training', async () => {
      try {
        this.model?.dispose();
        this.model = null;
        this.watermarkKey = null;
        const { model, outcome, watermarkKey } = await runTraining({
          watermarkLive: live,
          settings,
          dataset: data.dataset,
          normalization: data.normalization,
          control,
          backend: () => this.backendInfo?.name ?? 'unknown',
          // A closed page must not stop the run with an unhandled rejection.
          onProgress: async (p) => {
            try {
              await onProgress(p);
            } catch {
              /* the page is gone or the callback threw: keep training */
            }
          },
        });
        this.model = model;
        this.watermarkKey = watermarkKey ?? null;
        this.lastSettings = settings;
        return outcome;
      } finally {
        this.control = null;
        this.watermarkLive = null;
        // Close the comlink port of the page's callback (a plain function has no such member).
        (onProgress as Partial<Record<typeof Comlink.releaseProxy, () => void>>)[Comlink.releaseProxy]?.();
      }
    });
  }

  async pause(): Promise<void> {
    if (!this.control) throw new Error('pause: no training run in progress');
    this.control.pause();
  }

  async resume(): Promise<void> {
    if (!this.control) throw new Error('resume: no training run in progress');
    this.control.resume();
  }

  async cancel(): Promise<void> {
    this.control?.cancel();
  }

  async evaluate(limit: number): Promise<EvaluateResult> {
    if (!(Number.isInteger(limit) && limit >= 0)) throw new Error(`evaluate: limit must be a whole number >= 0, got ${limit}`);
    this.refuseWhileTraining('evaluate');
    return this.exclusive('evaluate', async () => {
      const model = this.model;
      const data = this.data;
      if (!model || !data) throw new Error('no trained model yet: train one first');
      const test = limit > 0 ? sliceImageSet(data.dataset.test, 0, Math.min(limit, data.dataset.test.count)) : data.dataset.test;
      const batchSize = this.lastSettings?.batchSize ?? 64;
      const r = await evaluate(model, evalBatches(test, batchSize, data.normalization));
      return { accuracy: r.accuracy, loss: r.loss, images: r.count };
    });
  }

  async importCifarTarball(bytes: ArrayBuffer): Promise<ImportResult> {
    if (!(bytes instanceof ArrayBuffer)) throw new Error('importCifarTarball: expected the file contents as an ArrayBuffer');
    this.refuseWhileTraining('importCifarTarball');
    // No prefix: the UI says "Import failed: <reason>".
    return this.dataExclusive('', async () => {
      const files = extractCifarTarball(new Uint8Array(bytes));
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
      return { files: [...files.keys()], trainCount: dataset.train.count, testCount: dataset.test.count, stored, dataset: this.datasetInfo() };
    });
  }

  async clearStoredDataset(): Promise<void> {
    await clearFiles();
  }

  async setWatermarkSettings(partial: Partial<WatermarkLiveSettings>): Promise<void> {
    if (!this.watermarkLive) throw new Error('setWatermarkSettings: no training run in progress');
    try {
      this.watermarkLive.set(partial ?? {});
    } catch (e) {
      throw asError(e, 'setWatermarkSettings');
    }
  }

  async exportModel(): Promise<ModelExport> {
    this.refuseWhileTraining('exportModel');
    return this.exclusive('exportModel', async () => {
      if (!this.model) throw new Error('no trained model yet: train one first');
      const files = await exportModelFiles(this.model, this.watermarkKey);
      return Comlink.transfer(files, [files.weights]);
    });
  }

  async exportKey(): Promise<string> {
    if (!this.model || !this.watermarkKey) throw new Error('exportKey: the last run carries no watermark');
    return exportKeyText(this.watermarkKey);
  }

  /** Runs on the tensor queue (Uchida / FCW keys build a model); runVerify never rejects. */
  async checkModelFiles(files: readonly VerifyFile[]): Promise<VerifyOutcome> {
    return this.exclusive('verify', () => runVerify(files));
  }
}
