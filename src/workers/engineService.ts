import { ARCHITECTURES, ARCH_NAMES, createModel, parameterSize } from '../engine/models';
import type { Model } from '../engine/models/types';
import { normalizationFor } from '../engine/data/normalize';
import { evalBatches } from '../engine/data/batches';
import { sliceImageSet } from '../engine/data/imageset';
import { CIFAR10_META_FILE, assembleCifar10 } from '../engine/data/cifar10';
import type { Normalization } from '../engine/data/types';
import { RunControl, evaluate } from '../engine/train';
import { snapshotWeights } from '../engine/io/modelFile';
import type {
  ArchSummary, BackendInfo, BackendPreference, DataSourceRequest, DatasetInfo, EngineApi, EvaluateResult,
  ImportResult, Thumbnails, TrainOutcome, TrainProgress, TrainSettings,
  ModelExport, WatermarkLiveSettings,
} from '../protocol/api';
import { BACKEND_PREFERENCES } from '../protocol/api';
import { BackendController } from './backend/controller';
import { loadDatasetFrom, type LoadedDataset } from './dataset/datasetLoader';
import { pickSpreadIndices, toRgba } from './dataset/thumbnails';
import { unpackCifar10Archive } from '../engine/data/archive';
import { clearFiles, storeFiles } from './dataset/storage';
import { runTraining, type RunSnapshot } from './training/trainRun';
import { SessionLive, methodKeyWithObjectiveChanges, validateSlowMotion, withSessionProgress } from './training/sessionLive';
import { destroyWebGpuDevice } from './training/sessionDevice';
import type { SessionLiveState } from '../protocol/session';
import { LiveWatermarkSettings } from '../engine/methods/watermas/session';
import { exportModelFiles, exportKeyText } from './watermark/watermarkExport';
import { AnalysisService } from './analysis/analysisService';
import { LiveLandscapeHub } from './landscape/liveLandscapeRun';
import type { LiveLandscapeApi } from '../protocol/liveLandscape';
import { StressService } from './verify/stressService';
import type { StressApi } from '../protocol/stress';
import type { VerifyCheckOptions, VerifyFile, VerifyOutcome } from '../protocol/verify';
import type { AnalysisApi } from '../protocol/analysis';
import type { WatermasKey } from '../engine/watermark';
import { FCW, WATERMAS, keyOfMethod, type MethodKey } from '../engine/methods';
import { fcwTriggersFromKey } from '../engine/fcw';
import { modelGallery, previewGallery } from './watermark/fcwGallery';
import { uchidaLayersForArch } from '../engine/methods/uchida/session';
import type { FcwPreviewRequest, FcwTriggerGallery, UchidaLayers } from '../protocol/watermark';
import { RunsService } from './runs/runsService';
import { JobBoard } from './jobs';
import { RunHistoryRecorder } from './runs/runRecord';
import type { RunsApi } from '../protocol/runs';
import { CompareService } from './compare-mode/compareService';
import type { CompareApi } from '../protocol/compareMode';
import { keyJsonOf } from './runs/runModel';
import { RUN_CHECKPOINT_MS, newTrainingCheckpoints } from './runs/runsService';
import { autoRunName } from './runs/runRecord';
import * as Comlink from 'comlink';

/** How long the end of a run waits for an in-progress save still reading its snapshot (our choice). */
const SAVE_WAIT_MS = 2000;

/** Turns anything thrown into an Error with a readable message (comlink re-throws it in the page). */
function asError(e: unknown, context: string): Error {
  const msg = e instanceof Error ? e.message : typeof e === 'string' ? e : JSON.stringify(e);
  return new Error(context ? `${context}: ${msg}` : msg);
}

/** Queue jobs too small to disturb a background backend measurement (the others stop it). */
const LIGHT_JOBS: ReadonlySet<string> = new Set(['backend', 'models', 'selectRun', 'exportModel', 'fcwTriggers', 'uchidaLayers', '']);

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
  /** Jobs queued or running on the tensor queue (see `exclusive`). */
  private queued = 0;
  /** The long jobs going now; every service asks it whether a job may start (jobs.ts). */
  private readonly jobs = new JobBoard();
  private readonly backendCtl = new BackendController({
    canSwitch: () => this.queued === 0 && this.model === null && this.jobs.idle,
    restartAuto: async () => {
      await this.exclusive('backend', () => this.backendCtl.start('auto'));
    },
  });
  private get backendInfo(): BackendInfo | null {
    return this.backendCtl.info;
  }
  private data: (LoadedDataset & { normalization: Normalization }) | null = null;
  private archCache: ArchSummary[] | null = null;
  private control: RunControl | null = null;
  private model: Model | null = null;
  private sampleRound = 0;
  private lastSettings: TrainSettings | null = null;
  /** Slider changes of the running WaterMAS run. */
  private watermarkLive: LiveWatermarkSettings | null = null;
  /** Lecture mode: the running session (live lr, change log, phases) and the slow-motion delay for runs. */
  private session: SessionLive | null = null;
  private slowMotionMs = 0;
  /** Key of the last watermarked run of any method (WaterMAS, Uchida, FCW), with this.model. */
  private methodKey: MethodKey | null = null;

  constructor(private readonly origin: string) {}

  /** Verify panel checks and "Stress it" sweeps on the uploaded model (kept until the next upload). */
  private readonly stress = new StressService({
    currentData: () => this.data,
    backendName: () => this.backendInfo?.name ?? 'unknown',
    jobs: this.jobs,
    exclusive: (context, fn) => this.exclusive(context, fn),
  });

  stressUploaded: StressApi['stressUploaded'] = (r, cb) => this.stress.stressUploaded(r, cb);
  cancelStress: StressApi['cancelStress'] = () => this.stress.cancelStress();

  /** Attack sweeps and landscape runs on the current keyed model (Attack and Landscape panels). */
  private readonly analysis = new AnalysisService({
    currentModel: () => this.model,
    currentKey: () => this.currentKey(),
    currentMethod: () => (this.model ? (this.methodKey?.method ?? null) : null),
    currentAnyKey: () => (this.model ? this.methodKey : null),
    currentData: () => this.data,
    backendName: () => this.backendInfo?.name ?? 'unknown',
    jobs: this.jobs,
    exclusive: (context, fn) => this.exclusive(context, fn),
  });

  /** Runs drawer and comparison view: finished runs (IndexedDB), select / export / import, comparison sweeps. */
  readonly runs = new RunsService({
    currentModel: () => this.model,
    setCurrentModel: (model, key, settings) => {
      this.model?.dispose();
      this.model = model;
      this.methodKey = key;
      this.lastSettings = settings;
    },
    currentData: () => this.data,
    backendName: () => this.backendInfo?.name ?? 'unknown',
    jobs: this.jobs,
    exclusive: (context, fn) => this.exclusive(context, fn),
  });

  listRuns: RunsApi['listRuns'] = () => this.runs.listRuns();
  renameRun: RunsApi['renameRun'] = (id, name) => this.runs.renameRun(id, name);
  deleteRun: RunsApi['deleteRun'] = (id) => this.runs.deleteRun(id);
  selectRun: RunsApi['selectRun'] = (id) => this.runs.selectRun(id);
  exportRun: RunsApi['exportRun'] = (id) => this.runs.exportRun(id);
  importRun: RunsApi['importRun'] = (bytes) => this.runs.importRun(bytes);
  runComparison: RunsApi['runComparison'] = (s, cb) => this.runs.runComparison(s, cb);
  cancelComparison: RunsApi['cancelComparison'] = () => this.runs.cancelComparison();
  importSweepResults: RunsApi['importSweepResults'] = (text, source) => this.runs.importSweepResults(text, source);

  /** Compare mode (lecture): two runs trained in turn, then landscape and attack sweep for each; finished runs go to the Runs drawer. */
  private readonly compare = new CompareService({
    currentData: () => this.data,
    requireBackend: (what) => {
      if (!this.backendInfo) throw new Error(`${what}: no backend initialised yet (call init first)`);
    },
    backendName: () => this.backendInfo?.name ?? 'unknown',
    origin: () => this.origin,
    jobs: this.jobs,
    exclusive: (context, fn) => this.exclusive(context, fn),
    keepRun: async (run) => {
      await this.runs.addRun(
        {
          settings: run.settings, outcome: run.outcome, history: run.history, stepsPerEpoch: run.stepsPerEpoch, keyJson: keyJsonOf(run.key),
          name: `Compare ${run.lane} · ${autoRunName(run.settings, 'watermas', new Date())}`,
          lane: run.lane,
        },
        run.model,
      );
    },
  });

  startCompare: CompareApi['startCompare'] = (r, cb) => this.compare.startCompare(r, cb);
  pauseCompare: CompareApi['pauseCompare'] = () => this.compare.pauseCompare();
  resumeCompare: CompareApi['resumeCompare'] = () => this.compare.resumeCompare();
  cancelCompare: CompareApi['cancelCompare'] = () => this.compare.cancelCompare();
  demoPair: CompareApi['demoPair'] = () => this.compare.demoPair();

  /** The watermark key of the current trained model (null for plain training or no model). */
  private currentKey(): WatermasKey | null {
    return this.model && this.methodKey ? (keyOfMethod(this.methodKey, WATERMAS) ?? null) : null;
  }

  attackCatalog: AnalysisApi['attackCatalog'] = () => this.analysis.attackCatalog();
  keyedModel: AnalysisApi['keyedModel'] = () => this.analysis.keyedModel();
  attackTarget: AnalysisApi['attackTarget'] = () => this.analysis.attackTarget();
  runAttackSweep: AnalysisApi['runAttackSweep'] = (s, cb) => this.analysis.runAttackSweep(s, cb);
  cancelAttack: AnalysisApi['cancelAttack'] = () => this.analysis.cancelAttack();
  runLandscape: AnalysisApi['runLandscape'] = (s, cb) => this.analysis.runLandscape(s, cb);
  cancelLandscape: AnalysisApi['cancelLandscape'] = () => this.analysis.cancelLandscape();

  /** Live landscape of watermarked training runs (Landscape panel): settings + the page's receiver. */
  private readonly liveLandscape = new LiveLandscapeHub();
  setLiveLandscape: LiveLandscapeApi['setLiveLandscape'] = async (s) => {
    try {
      this.liveLandscape.set(s);
    } catch (e) {
      throw asError(e, 'setLiveLandscape');
    }
  };
  watchLandscape: LiveLandscapeApi['watchLandscape'] = async (cb) => this.liveLandscape.watch(cb);

  /** Runs `fn` after every earlier operation on the tensor queue, rejecting with `context` in the message. */
  private exclusive<T>(context: string, fn: () => Promise<T>): Promise<T> {
    // Work that computes on the backend takes the cores from a background backend measurement.
    if (!LIGHT_JOBS.has(context)) this.backendCtl.stopBackground(`${context || 'a job'} started`);
    this.queued++;
    const run = this.queue.then(fn, fn).catch((e: unknown) => {
      throw asError(e, context);
    });
    this.queue = run.catch(() => undefined).finally(() => this.queued--);
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

  async init(preference: BackendPreference): Promise<BackendInfo> {
    if (!BACKEND_PREFERENCES.includes(preference)) throw new Error(`init: unknown backend preference "${String(preference)}"`);
    this.jobs.refuse('init');
    return this.exclusive('backend', async () => {
      // Models live on the old backend; the next run starts fresh anyway.
      this.model?.dispose();
      this.model = null;
      if (!this.stress.busy) this.stress.forget();
      return this.backendCtl.start(preference);
    });
  }

  async backend(): Promise<BackendInfo | null> {
    return this.backendInfo;
  }

  async settledBackend(): Promise<BackendInfo | null> {
    return this.backendCtl.settled();
  }

  async loadDataset(req: { source: DataSourceRequest }): Promise<DatasetInfo> {
    const source = req?.source;
    if (!['auto', 'cifar10', 'synthetic'].includes(source)) throw new Error(`loadDataset: unknown source "${String(source)}"`);
    this.jobs.refuse('loadDataset');
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
    this.jobs.check('training', 'train');
    if (typeof onProgress !== 'function') throw new Error('train: onProgress must be a (comlink-proxied) function');
    const data = this.data;
    if (!data) throw new Error('train: no data set loaded yet');
    if (!this.backendInfo) throw new Error('train: no backend initialised yet (call init first)');
    const control = new RunControl();
    const endJob = this.jobs.begin('training', 'train');
    this.control = control;
    const live = new LiveWatermarkSettings();
    this.watermarkLive = live;
    const session = new SessionLive(settings?.learningRate);
    this.session = session;
    control.setSlowMotion(this.slowMotionMs);
    const history = new RunHistoryRecorder();
    // The run is saved while it goes on (Runs drawer: in progress; after a crash: interrupted).
    const saved = newTrainingCheckpoints();
    let lastSaved = performance.now();
    // The save in flight: it reads a snapshot of the weights (device copies) while training goes
    // on, so a GPU run does not wait for the read-back (issue 16). Once the run ends a save still
    // reading is dropped, and the final record waits for it at most SAVE_WAIT_MS (a read on a lost
    // GPU device may never answer).
    let saving: Promise<void> | null = null;
    let ended = false;
    const settle = async (): Promise<void> => {
      if (!saving) return;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([saving, new Promise<void>((resolve) => (timer = setTimeout(resolve, SAVE_WAIT_MS)))]);
      clearTimeout(timer);
    };
    const persist = async (snap: RunSnapshot): Promise<void> => {
      if (saving || performance.now() - lastSaved < RUN_CHECKPOINT_MS) return;
      const changes = session.changes();
      const key = methodKeyWithObjectiveChanges(snap.key, changes);
      const outcome: TrainOutcome = {
        cancelled: false, steps: snap.step, seconds: snap.elapsedSeconds, imagesPerSecond: null, trainImages: snap.trainImages,
        testImages: 0, testAccuracy: null, testLoss: null, backend: this.backendInfo?.name ?? 'unknown',
      };
      const info = { settings, outcome, history: [...history.points], stepsPerEpoch: history.stepsPerEpoch, keyJson: keyJsonOf(key), settingsChanges: changes };
      const weights = snapshotWeights(snap.model);
      saving = this.runs.checkpointTraining(saved, info, weights, snap.step, snap.totalSteps, () => !ended).finally(() => {
        try {
          weights.dispose();
        } catch {
          /* a lost GPU device took the copies with it */
        }
        lastSaved = performance.now();
        saving = null;
      });
    };
    return this.exclusive('training', async () => {
      try {
        this.model?.dispose();
        this.model = null;
        this.methodKey = null;
        const { model, outcome, methodKey } = await runTraining({
          watermarkLive: live,
          session,
          // Lost WebGPU device: WebGL next (the ladder goes on to wasm / cpu if WebGL fails).
          switchBackend: async () => {
            return (await this.backendCtl.start('webgl')).name;
          },
          liveLandscape: this.liveLandscape,
          persist,
          settings,
          dataset: data.dataset,
          normalization: data.normalization,
          control,
          backend: () => this.backendInfo?.name ?? 'unknown',
          // A closed page must not stop the run with an unhandled rejection.
          onProgress: async (p) => {
            history.add(p);
            try {
              await onProgress(withSessionProgress(p, session));
            } catch {
              /* the page is gone or the callback threw: keep training */
            }
          },
        });
        // Live changes of the objective go into the key (Key.objectiveChanges) and the run's name.
        const changes = session.changes();
        this.model = model;
        this.methodKey = methodKeyWithObjectiveChanges(methodKey ?? null, changes);
        this.lastSettings = settings;
        ended = true; // an in-progress save must not land after the final record
        await settle();
        return await this.runs.recordTraining(settings, outcome, history, model, this.methodKey, changes, saved);
      } finally {
        ended = true; // (a failed run: a save still reading is dropped, no need to wait for it)
        this.runs.endTraining(saved);
        endJob();
        this.control = null;
        this.watermarkLive = null;
        this.session = null;
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
    this.jobs.refuse('evaluate');
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
    this.jobs.refuse('importCifarTarball');
    // No prefix: the UI says "Import failed: <reason>".
    return this.dataExclusive('', async () => {
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

  async setLearningRate(lr: number): Promise<void> {
    if (!this.session) throw new Error('setLearningRate: no training run in progress');
    try {
      this.session.setLearningRate(lr);
    } catch (e) {
      throw asError(e, 'setLearningRate');
    }
  }

  async stepTraining(): Promise<void> {
    if (!this.control) throw new Error('step: no training run in progress');
    this.control.step();
  }

  async setSlowMotion(ms: number): Promise<void> {
    try {
      validateSlowMotion(ms);
    } catch (e) {
      throw asError(e, 'setSlowMotion');
    }
    this.control?.setSlowMotion(ms);
    this.slowMotionMs = ms;
  }

  async watermarkLiveState(): Promise<SessionLiveState | null> {
    const control = this.control;
    if (!this.session || !control) return null;
    return this.session.state({ paused: control.state === 'paused', slowMotionMs: control.slowMotionMs });
  }

  async simulateDeviceLoss(): Promise<boolean> {
    if (!this.control) return false;
    return destroyWebGpuDevice();
  }

  async exportModel(): Promise<ModelExport> {
    this.jobs.refuse('exportModel');
    return this.exclusive('exportModel', async () => {
      if (!this.model) throw new Error('no trained model yet: train one first');
      const files = await exportModelFiles(this.model, this.methodKey);
      return Comlink.transfer(files, [files.weights]);
    });
  }

  async exportKey(): Promise<string> {
    const key = this.methodKey;
    if (!this.model || !key) throw new Error('exportKey: the last run carries no watermark');
    return exportKeyText(key);
  }

  /** Runs on the tensor queue (Uchida / FCW keys build a model; "Stress it" keeps one); never rejects. */
  async checkModelFiles(files: readonly VerifyFile[], opts?: VerifyCheckOptions): Promise<VerifyOutcome> {
    return this.stress.check(files, opts);
  }

  /**
   * Trigger gallery: with `preview`, the FCW triggers those settings would fuse from the loaded
   * training set (no predictions); without, the last trained FCW run's triggers with the model's
   * current predictions.
   */
  async fcwTriggers(preview?: FcwPreviewRequest): Promise<FcwTriggerGallery> {
    if (preview) {
      const data = this.data;
      if (!data) throw new Error('fcwTriggers: no data set loaded yet');
      const g = previewGallery(data.dataset.train, data.dataset.classNames.length, preview);
      return Comlink.transfer(g, [g.rgba]);
    }
    this.jobs.refuse('fcwTriggers');
    return this.exclusive('fcwTriggers', async () => {
      const key = this.methodKey ? keyOfMethod(this.methodKey, FCW) : undefined;
      if (!this.model || !key) throw new Error('no FCW model yet: train one with the FCW method first');
      const g = await modelGallery(this.model, key, fcwTriggersFromKey(key));
      return Comlink.transfer(g, [g.rgba]);
    });
  }

  /** The conv kernels of `arch` the Uchida mark may go into, and the default for `bits` bits. */
  async uchidaLayers(arch: string, bits: number): Promise<UchidaLayers> {
    this.jobs.refuse('uchidaLayers');
    // It builds a throwaway model: never before the backend is chosen (tfjs would pick one itself).
    if (!this.backendInfo) throw new Error('uchidaLayers: no backend initialised yet (call init first)');
    return this.exclusive('uchidaLayers', async () => uchidaLayersForArch(arch, bits));
  }
}
