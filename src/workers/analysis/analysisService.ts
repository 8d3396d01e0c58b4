import type { Dataset, Normalization } from '../../engine/data/types';
import type { Model } from '../../engine/models/types';
import { RunControl } from '../../engine/train';
import { objectiveInForce, type WatermasKey } from '../../engine/watermark';
import { getMethod, methodOf, type MethodKey } from '../../engine/methods';
import type {
  AnalysisApi, AttackPoint, AttackTargetInfo, AttackSummary, AttackSweepOutcome, AttackSweepSettings, KeyedModelInfo, LandscapeEvent, LandscapeOutcome, LandscapeSettings,
} from '../../protocol/analysis';
import { attackCatalog, runAttackSweepOn } from '../attack/attackRun';
import { runLandscapeOn } from '../landscape/landscapeRun';
import type { JobBoard, JobKind } from '../jobs';
import { release, safe } from '../pageCallback';

/** What the analysis runs need from the engine service (accessors, so they always see the current state). */
export interface AnalysisHost {
  /** The current trained model and its watermark key (null when none). */
  currentModel(): Model | null;
  currentKey(): WatermasKey | null;
  /** The current model's key of any method (WaterMAS, Uchida, FCW); default: currentKey() as a WaterMAS key. */
  currentAnyKey?(): MethodKey | null;
  /** The watermark method of the current model ('watermas' | 'uchida' | 'fcw'), null when unmarked or none. */
  currentMethod?(): string | null;
  currentData(): { readonly dataset: Dataset; readonly normalization: Normalization } | null;
  backendName(): string;
  /** The engine's long jobs (jobs.ts): attack sweeps and landscape runs start and end there. */
  readonly jobs: JobBoard;
  /** Runs `fn` on the service's tensor queue. */
  exclusive<T>(context: string, fn: () => Promise<T>): Promise<T>;
}

/**
 * The Attack and Landscape panels' side of the worker: attack sweeps and landscape runs on the
 * current keyed model, one at a time on the service's tensor queue, cancellable.
 */
export class AnalysisService implements AnalysisApi {
  private attackControl: RunControl | null = null;
  private landscapeSignal: { aborted: boolean } | null = null;

  constructor(private readonly host: AnalysisHost) {}

  /** True while a sweep or a landscape run is going (training must wait). */
  get busy(): boolean {
    return this.attackControl !== null || this.landscapeSignal !== null;
  }

  async attackCatalog(): Promise<readonly AttackSummary[]> {
    return attackCatalog();
  }

  async keyedModel(): Promise<KeyedModelInfo | null> {
    const model = this.host.currentModel();
    const key = this.host.currentKey();
    if (!model || !key) return null;
    // The settings the run ended with: live changes during training included.
    const objective = objectiveInForce(key);
    return {
      arch: model.config.arch,
      keyPositions: key.positions.reduce((s, g) => s + g.indices.length, 0),
      replicas: objective.replicas,
      sigma: objective.sigma,
      lambda: objective.lambda,
      ...(key.objectiveChanges?.length ? { liveChanges: key.objectiveChanges.length } : {}),
    };
  }

  /** The current model's key of any method (null without model or key). */
  private anyKey(): MethodKey | null {
    if (!this.host.currentModel()) return null;
    if (this.host.currentAnyKey) return this.host.currentAnyKey();
    const key = this.host.currentKey();
    return key ? { method: 'watermas', key } : null;
  }

  async attackTarget(): Promise<AttackTargetInfo | null> {
    const model = this.host.currentModel();
    const key = this.anyKey();
    if (!model || !key) return null;
    return { arch: model.config.arch, method: key.method, replicas: methodOf(key).replicasInForce(key.key) };
  }

  /** The attack's inputs: the current model, its key of any method, the loaded data. */
  private readyToAttack() {
    this.host.jobs.check('attack', 'attack');
    const model = this.host.currentModel();
    const key = this.anyKey();
    const data = this.host.currentData();
    if (!model || !key) throw new Error('attack: no watermarked model yet: train one with a key first');
    if (!data) throw new Error('attack: no data set loaded yet');
    return { model, key, data };
  }

  /** The landscape's inputs: the current model, its WaterMAS key (the key subspace needs its positions), the loaded data. */
  private ready(what: JobKind) {
    this.host.jobs.check(what, what);
    const model = this.host.currentModel();
    const key = this.host.currentKey();
    const data = this.host.currentData();
    const method = this.host.currentMethod?.() ?? null;
    if (model && !key && method && !getMethod(method).hasKeyPositions) {
      throw new Error(`${what}: needs a WaterMAS key; this run has ${getMethod(method).keyPhrase} key`);
    }
    if (!model || !key) throw new Error(`${what}: no watermarked model yet: train one with a key first`);
    if (!data) throw new Error(`${what}: no data set loaded yet`);
    return { model, key, data };
  }

  async runAttackSweep(settings: AttackSweepSettings, onPoint: (p: AttackPoint) => void): Promise<AttackSweepOutcome> {
    if (typeof onPoint !== 'function') throw new Error('runAttackSweep: onPoint must be a (comlink-proxied) function');
    const { model, key, data } = this.readyToAttack();
    const control = new RunControl();
    const endJob = this.host.jobs.begin('attack', 'attack');
    this.attackControl = control;
    return this.host
      .exclusive('attack', () =>
        runAttackSweepOn({ model, key, ...data, settings, control, backend: () => this.host.backendName(), onPoint: safe(onPoint) }),
      )
      .finally(() => {
        endJob();
        this.attackControl = null;
        release(onPoint);
      });
  }

  async cancelAttack(): Promise<void> {
    this.attackControl?.cancel();
  }

  async runLandscape(settings: LandscapeSettings, onEvent: (e: LandscapeEvent) => void): Promise<LandscapeOutcome> {
    if (typeof onEvent !== 'function') throw new Error('runLandscape: onEvent must be a (comlink-proxied) function');
    const { model, key, data } = this.ready('landscape');
    const signal = { aborted: false };
    const endJob = this.host.jobs.begin('landscape', 'landscape');
    this.landscapeSignal = signal;
    return this.host
      .exclusive('landscape', () =>
        runLandscapeOn({ model, key, ...data, settings, signal, backend: () => this.host.backendName(), onEvent: safe(onEvent) }),
      )
      .finally(() => {
        endJob();
        this.landscapeSignal = null;
        release(onEvent);
      });
  }

  async cancelLandscape(): Promise<void> {
    if (this.landscapeSignal) this.landscapeSignal.aborted = true;
  }
}
