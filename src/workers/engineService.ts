import { ARCHITECTURES, ARCH_NAMES, createModel, parameterSize } from '../engine/models';
import type { Model } from '../engine/models/types';
import { evalBatches } from '../engine/data/batches';
import { sliceImageSet } from '../engine/data/imageset';
import { evaluate } from '../engine/train';
import type {
  ArchSummary, BackendInfo, BackendPreference, EngineApi, EvaluateResult, ModelExport, TrainSettings,
} from '../protocol/api';
import { BACKEND_PREFERENCES } from '../protocol/api';
import { asError } from './asError';
import { BackendController } from './backend/controller';
import { DatasetService } from './dataset/datasetService';
import { TrainingService } from './training/trainingService';
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
import type { RunsApi } from '../protocol/runs';
import { CompareService } from './compare-mode/compareService';
import type { CompareApi } from '../protocol/compareMode';
import { keyJsonOf } from './runs/runModel';
import { autoRunName } from './runs/runRecord';
import * as Comlink from 'comlink';

/** Queue jobs too small to disturb a background backend measurement (the others stop it). */
const LIGHT_JOBS: ReadonlySet<string> = new Set(['backend', 'models', 'selectRun', 'exportModel', 'fcwTriggers', 'uchidaLayers', '']);

/**
 * The engine behind the worker boundary: the composition root of the worker's services (dataset,
 * training, analysis, stress, runs, compare mode, live landscape), the current model and its key,
 * the backend. Operations that touch tfjs run one at a time (a promise queue), so a backend switch
 * can never interleave with model creation; pause / resume / cancel bypass the queue. Every failure
 * is a rejected promise with a clear message: the worker itself never dies on bad input.
 */
export class EngineService implements EngineApi {
  private queue: Promise<unknown> = Promise.resolve();
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
  private archCache: ArchSummary[] | null = null;
  /** The current model: the last trained run's, or the run picked in the Runs drawer. */
  private model: Model | null = null;
  private lastSettings: TrainSettings | null = null;
  /** Key of the current model's watermark of any method (WaterMAS, Uchida, FCW). */
  private methodKey: MethodKey | null = null;

  constructor(private readonly origin: string) {}

  /** The data set (Dataset panel); no tensors, a queue of its own. */
  private readonly dataset = new DatasetService({ origin: () => this.origin, jobs: this.jobs });
  private get data() {
    return this.dataset.current;
  }

  loadDataset: EngineApi['loadDataset'] = (req) => this.dataset.loadDataset(req);
  sampleImages: EngineApi['sampleImages'] = (n, split) => this.dataset.sampleImages(n, split);
  importCifarTarball: EngineApi['importCifarTarball'] = (bytes) => this.dataset.importCifarTarball(bytes);
  clearStoredDataset: EngineApi['clearStoredDataset'] = () => this.dataset.clearStoredDataset();

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
    setCurrentModel: (model, key, settings) => this.setCurrentModel(model, key, settings),
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

  /** Training runs (Training panel, lecture mode). */
  private readonly training = new TrainingService({
    currentData: () => this.data,
    backendName: () => this.backendInfo?.name ?? null,
    switchBackend: async (preference) => (await this.backendCtl.start(preference)).name,
    setCurrentModel: (model, key, settings) => this.setCurrentModel(model, key, settings),
    jobs: this.jobs,
    runs: this.runs,
    liveLandscape: this.liveLandscape,
    exclusive: (context, fn) => this.exclusive(context, fn),
  });

  train: EngineApi['train'] = (settings, onProgress) => this.training.train(settings, onProgress);
  pause: EngineApi['pause'] = () => this.training.pause();
  resume: EngineApi['resume'] = () => this.training.resume();
  cancel: EngineApi['cancel'] = () => this.training.cancel();
  stepTraining: EngineApi['stepTraining'] = () => this.training.stepTraining();
  setSlowMotion: EngineApi['setSlowMotion'] = (ms) => this.training.setSlowMotion(ms);
  setWatermarkSettings: EngineApi['setWatermarkSettings'] = (partial) => this.training.setWatermarkSettings(partial);
  setLearningRate: EngineApi['setLearningRate'] = (lr) => this.training.setLearningRate(lr);
  watermarkLiveState: EngineApi['watermarkLiveState'] = () => this.training.watermarkLiveState();
  simulateDeviceLoss: EngineApi['simulateDeviceLoss'] = () => this.training.simulateDeviceLoss();

  /** The current model (and its key and training settings) is replaced; the old model is disposed. */
  private setCurrentModel(model: Model | null, key: MethodKey | null, settings: TrainSettings | null): void {
    if (this.model !== model) this.model?.dispose();
    this.model = model;
    this.methodKey = key;
    this.lastSettings = settings;
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
