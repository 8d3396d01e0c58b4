/**
 * The Runs drawer's and the comparison view's side of the worker: the run registry (persisted in
 * IndexedDB), select / rename / delete / export / import, `addRun` for anything that finishes a
 * training run (the training call, lecture mode's compare mode), and the comparison sweep.
 */
import * as Comlink from 'comlink';
import type { Dataset, Normalization } from '../../engine/data/types';
import type { Model } from '../../engine/models/types';
import { RunControl } from '../../engine/train';
import type { AnyKey, Key } from '../../engine/watermark';
import type { TrainOutcome, TrainSettings } from '../api';
import { runComparisonOn } from './compareSweep';
import { decodeRunFile, encodeRunFile, RUN_FILE_SUFFIX } from './runFile';
import { checkAnyKeyAgainstModel, filesFromModel, keyJsonOf, modelFromFiles, runKey } from './runModel';
import { buildRunRecord, type NewRunInfo, type RunHistoryRecorder } from './runRecord';
import { newRunId, RunRegistry } from './runRegistry';
import type { ComparisonOutcome, ComparisonPoint, ComparisonSettings, RunListItem, RunRecord, RunsApi, SweepResultsImport } from './runsApi';
import { indexedDbRunStore, type RunStore } from './runStore';
import { importSweepResults } from './sweepResults';

/** What the runs need from the engine service (accessors, so they always see the current state). */
export interface RunsHost {
  /** The model in the current slot (the one the Attack / Landscape / Watermark panels use). */
  currentModel(): Model | null;
  /** Puts `model` (owned by the slot from now on) and its key into the current slot, disposing the old one. */
  setCurrentModel(model: Model, key: AnyKey | null, settings: TrainSettings): void;
  currentData(): { readonly dataset: Dataset; readonly normalization: Normalization } | null;
  backendName(): string;
  /** Throws when a training run (or another long job) is going. */
  refuseWhileBusy(what: string): void;
  /** Runs `fn` on the service's tensor queue. */
  exclusive<T>(context: string, fn: () => Promise<T>): Promise<T>;
}

function release(cb: unknown): void {
  (cb as Partial<Record<typeof Comlink.releaseProxy, () => void>>)[Comlink.releaseProxy]?.();
}

/** A file name from a run name (letters, digits, dashes). */
export function runFileName(name: string): string {
  const base = name.normalize('NFKD').replace(/[^\w.-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '').slice(0, 80);
  return `${base || 'run'}${RUN_FILE_SUFFIX}`;
}

export class RunsService implements RunsApi {
  readonly registry: RunRegistry;
  /** The run whose model is in the current slot (by model identity, so a new training run clears it). */
  private current: { id: string; model: Model } | null = null;
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
  async recordTraining(settings: TrainSettings, outcome: TrainOutcome, history: RunHistoryRecorder, model: Model, key: Key | AnyKey | null): Promise<TrainOutcome> {
    try {
      const record = await this.addRun(
        { settings, outcome, history: history.points, stepsPerEpoch: history.stepsPerEpoch, keyJson: keyJsonOf(key) },
        model,
        { current: true },
      );
      return { ...outcome, runId: record.id };
    } catch (e) {
      console.warn(`the run could not be recorded in the Runs drawer: ${e instanceof Error ? e.message : String(e)}`);
      return outcome;
    }
  }

  async listRuns(): Promise<readonly RunListItem[]> {
    return this.registry.list(this.currentId());
  }

  async renameRun(id: string, name: string): Promise<RunRecord> {
    return this.registry.rename(id, name);
  }

  async deleteRun(id: string): Promise<void> {
    await this.registry.remove(id);
    if (this.current?.id === id) this.current = null;
  }

  async selectRun(id: string): Promise<RunRecord> {
    this.host.refuseWhileBusy('selectRun');
    if (this.compareControl) throw new Error('selectRun: a comparison is running; cancel it or wait until it finishes');
    const record = this.registry.get(id);
    return this.host.exclusive('selectRun', async () => {
      const files = await this.registry.files(id);
      const key = runKey(record.keyJson);
      const model = modelFromFiles(files);
      try {
        if (key) checkAnyKeyAgainstModel(key, model);
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
        if (decoded.key) checkAnyKeyAgainstModel(decoded.key, model);
      } finally {
        model.dispose();
      }
      const id = this.registry.has(decoded.record.id) ? newRunId() : decoded.record.id;
      return this.registry.add({ ...decoded.record, id }, decoded.files);
    });
  }

  async runComparison(settings: ComparisonSettings, onPoint: (p: ComparisonPoint) => void): Promise<ComparisonOutcome> {
    if (typeof onPoint !== 'function') throw new Error('runComparison: onPoint must be a (comlink-proxied) function');
    this.host.refuseWhileBusy('compare');
    if (this.compareControl) throw new Error('compare: a comparison is running already; cancel it or wait until it finishes');
    const data = this.host.currentData();
    if (!data) throw new Error('compare: no data set loaded yet');
    const runs = (Array.isArray(settings?.runIds) ? settings.runIds : []).map((id) => {
      const record = this.registry.get(id);
      return { record, load: async () => modelFromFiles(await this.registry.files(id)) };
    });
    const control = new RunControl();
    this.compareControl = control;
    return this.host
      .exclusive('compare', () =>
        runComparisonOn({
          runs, ...data, settings, control, backend: () => this.host.backendName(),
          onPoint: async (p) => {
            try {
              await onPoint(p);
            } catch {
              /* the page is gone: keep going */
            }
          },
        }),
      )
      .finally(() => {
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
