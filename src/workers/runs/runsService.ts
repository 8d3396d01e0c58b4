/**
 * The Runs drawer's and the comparison view's side of the worker: the run registry (persisted in
 * IndexedDB), select / rename / delete / export / import, `addRun` for anything that finishes a
 * training run (the training call, lecture mode's compare mode), and the comparison sweep.
 */
import * as Comlink from 'comlink';
import type { Dataset, Normalization } from '../../engine/data/types';
import type { Model } from '../../engine/models/types';
import type { ModelWeights } from '../../engine/io/modelFile';
import type { SettingsChange } from '../../protocol/session';
import { RunControl } from '../../engine/train';
import type { WatermasKey } from '../../engine/watermark';
import { checkMethodKeyAgainstModel, type MethodKey } from '../../engine/methods';
import type { TrainOutcome, TrainSettings } from '../../protocol/api';
import { runComparisonOn } from './compareSweep';
import { decodeRunFile, encodeRunFile, RUN_FILE_SUFFIX } from './runFile';
import { filesFromModel, keyJsonOf, modelFromFiles, runKey } from './runModel';
import { buildRunRecord, type NewRunInfo, type RunHistoryRecorder } from './runRecord';
import { newRunId, RunRegistry } from './runRegistry';
import type { ComparisonOutcome, ComparisonPoint, ComparisonSettings, RunListItem, RunRecord, RunsApi, SweepResultsImport } from '../../protocol/runs';
import { indexedDbRunStore, type RunStore } from './runStore';
import { importSweepResults } from './sweepResults';
import type { JobBoard } from '../jobs';
import { release, safe } from '../pageCallback';

/** What the runs need from the engine service (accessors, so they always see the current state). */
export interface RunsHost {
  /** The model in the current slot (the one the Attack / Landscape / Watermark panels use). */
  currentModel(): Model | null;
  /** Puts `model` (owned by the slot from now on) and its key into the current slot, disposing the old one. */
  setCurrentModel(model: Model, key: MethodKey | null, settings: TrainSettings): void;
  currentData(): { readonly dataset: Dataset; readonly normalization: Normalization } | null;
  backendName(): string;
  /** The engine's long jobs (jobs.ts): selectRun is refused by some, a comparison starts and ends there. */
  readonly jobs: JobBoard;
  /** Runs `fn` on the service's tensor queue. */
  exclusive<T>(context: string, fn: () => Promise<T>): Promise<T>;
}

/** A file name from a run name (letters, digits, dashes). */
export function runFileName(name: string): string {
  const base = name.normalize('NFKD').replace(/[^\w.-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '').slice(0, 80);
  return `${base || 'run'}${RUN_FILE_SUFFIX}`;
}

/**
 * How often a training run in progress is saved (our choice): at most 10 s of training is lost
 * to a crash, whatever a step costs; reading the weights back that often is no stall worth
 * counting (a few MB every 10 s, between two steps).
 */
export const RUN_CHECKPOINT_MS = 10_000;

/** A training run saved while it goes on: its record id and creation time stay the same to the end. */
export interface TrainingCheckpoints {
  readonly id: string;
  readonly createdAt: Date;
}

/** A new training run's checkpoint identity. */
export function newTrainingCheckpoints(): TrainingCheckpoints {
  return { id: newRunId(), createdAt: new Date() };
}

export class RunsService implements RunsApi {
  readonly registry: RunRegistry;
  /** The run whose model is in the current slot (by model identity, so a new training run clears it). */
  private current: { id: string; model: Model } | null = null;
  /** The training run being saved while it goes on (its in-progress record is not "interrupted"). */
  private training: TrainingCheckpoints | null = null;
  private compareControl: RunControl | null = null;

  /** `store` defaults to IndexedDB; null = memory only. */
  constructor(private readonly host: RunsHost, store: RunStore | null = indexedDbRunStore) {
    this.registry = new RunRegistry(store);
  }

  private currentId(): string | null {
    const c = this.current;
    return c && this.host.currentModel() === c.model ? c.id : null;
  }

  /**
   * Adds a finished (or cancelled) training run: reads the model's weights (call it on the tensor
   * queue; the model is only read, never kept) and records it; saving to IndexedDB goes on in the
   * background. `current: true` marks it as the model in the current slot.
   */
  async addRun(info: NewRunInfo, model: Model, opts: { current?: boolean } = {}): Promise<RunRecord> {
    const files = await filesFromModel(model);
    const record = this.registry.add(buildRunRecord(info, files.weights.byteLength, newRunId()), files);
    if (opts.current) this.current = { id: record.id, model };
    return record;
  }

  /**
   * The training call's hook: records the run that just finished (completed or cancelled) as the
   * current one and returns its outcome with `runId`. Never fails the training run: a problem is
   * logged and the outcome comes back without an id.
   */
  async recordTraining(
    settings: TrainSettings,
    outcome: TrainOutcome,
    history: RunHistoryRecorder,
    model: Model,
    key: WatermasKey | MethodKey | null,
    settingsChanges: readonly SettingsChange[] = [],
    saved: TrainingCheckpoints | null = null,
  ): Promise<TrainOutcome> {
    try {
      const info: NewRunInfo = { settings, outcome, history: history.points, stepsPerEpoch: history.stepsPerEpoch, keyJson: keyJsonOf(key), settingsChanges };
      let record: RunRecord;
      if (saved) {
        // The final record replaces the run's in-progress one (same id and creation time).
        const files = await filesFromModel(model);
        record = this.registry.upsert(buildRunRecord(info, files.weights.byteLength, saved.id, saved.createdAt), files);
        this.current = { id: record.id, model };
      } else {
        record = await this.addRun(info, model, { current: true });
      }
      return { ...outcome, runId: record.id };
    } catch (e) {
      console.warn(`the run could not be recorded in the Runs drawer: ${e instanceof Error ? e.message : String(e)}`);
      return outcome;
    } finally {
      if (saved && this.training === saved) this.training = null;
    }
  }

  /**
   * Saves the weights and key of a training run in progress under `saved.id` (the Runs drawer
   * lists it as in progress; after a crash, as interrupted at that step). Give it a model between
   * steps or a snapshot of its weights (read, never kept). Never fails the run: a problem is logged.
   * `current()` false once the weights are read (the run ended meanwhile, its final record is
   * written or on its way) drops the save.
   */
  async checkpointTraining(saved: TrainingCheckpoints, info: NewRunInfo, model: ModelWeights, step: number, totalSteps: number, current: () => boolean = () => true): Promise<void> {
    try {
      this.training = saved;
      const files = await filesFromModel(model);
      if (!current()) return;
      const { trainOutcome: _view, ...record } = buildRunRecord(info, files.weights.byteLength, saved.id, saved.createdAt);
      this.registry.upsert({ ...record, inProgress: { step, totalSteps, savedAt: new Date().toISOString() } }, files);
    } catch (e) {
      console.warn(`the run in progress could not be saved: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** The training run ended without a record (it failed): its in-progress record now reads as interrupted. */
  endTraining(saved: TrainingCheckpoints | null): void {
    if (saved && this.training === saved) this.training = null;
  }

  async listRuns(): Promise<readonly RunListItem[]> {
    const trainingId = this.training?.id ?? null;
    return (await this.registry.list(this.currentId())).map((r) => (r.inProgress && r.id !== trainingId ? { ...r, interrupted: true } : r));
  }

  async renameRun(id: string, name: string): Promise<RunRecord> {
    return this.registry.rename(id, name);
  }

  async deleteRun(id: string): Promise<void> {
    await this.registry.remove(id);
    if (this.current?.id === id) this.current = null;
  }

  async selectRun(id: string): Promise<RunRecord> {
    this.host.jobs.refuse('selectRun');
    const record = this.registry.get(id);
    return this.host.exclusive('selectRun', async () => {
      const files = await this.registry.files(id);
      const key = runKey(record.keyJson);
      const model = modelFromFiles(files);
      try {
        if (key) checkMethodKeyAgainstModel(key, model);
      } catch (e) {
        model.dispose();
        throw e;
      }
      this.host.setCurrentModel(model, key, record.settings);
      this.current = { id, model };
      return this.registry.get(id);
    });
  }

  async exportRun(id: string): Promise<{ readonly filename: string; readonly bytes: ArrayBuffer }> {
    const record = this.registry.get(id);
    const files = await this.registry.files(id);
    const zip = encodeRunFile(record, files);
    const bytes = zip.byteOffset === 0 && zip.byteLength === zip.buffer.byteLength ? (zip.buffer as ArrayBuffer) : (zip.slice().buffer as ArrayBuffer);
    const out = { filename: runFileName(record.name), bytes };
    return Comlink.transfer(out, [bytes]);
  }

  async importRun(bytes: ArrayBuffer): Promise<RunRecord> {
    if (!(bytes instanceof ArrayBuffer)) throw new Error('importRun: expected the file contents as an ArrayBuffer');
    // Building the model checks every tensor's shape and the key against it: on the tensor queue.
    return this.host.exclusive('', async () => {
      const decoded = decodeRunFile(new Uint8Array(bytes));
      const model = modelFromFiles(decoded.files);
      try {
        if (decoded.key) checkMethodKeyAgainstModel(decoded.key, model);
      } finally {
        model.dispose();
      }
      const id = this.registry.has(decoded.record.id) ? newRunId() : decoded.record.id;
      return this.registry.add({ ...decoded.record, id }, decoded.files);
    });
  }

  async runComparison(settings: ComparisonSettings, onPoint: (p: ComparisonPoint) => void): Promise<ComparisonOutcome> {
    if (typeof onPoint !== 'function') throw new Error('runComparison: onPoint must be a (comlink-proxied) function');
    this.host.jobs.check('comparison', 'compare');
    const data = this.host.currentData();
    if (!data) throw new Error('compare: no data set loaded yet');
    const runs = (Array.isArray(settings?.runIds) ? settings.runIds : []).map((id) => {
      const record = this.registry.get(id);
      return { record, load: async () => modelFromFiles(await this.registry.files(id)) };
    });
    const control = new RunControl();
    const endJob = this.host.jobs.begin('comparison', 'compare');
    this.compareControl = control;
    return this.host
      .exclusive('compare', () =>
        runComparisonOn({
          runs, ...data, settings, control, backend: () => this.host.backendName(), onPoint: safe(onPoint),
        }),
      )
      .finally(() => {
        endJob();
        this.compareControl = null;
        release(onPoint);
      });
  }

  async cancelComparison(): Promise<void> {
    this.compareControl?.cancel();
  }

  /** Not on the tensor queue and never refused while busy: pure parsing, no tensors. */
  async importSweepResults(text: string, source?: string): Promise<SweepResultsImport> {
    return importSweepResults(text, source);
  }

  /** True while a comparison is going (training must wait). */
  get busy(): boolean {
    return this.compareControl !== null;
  }
}
