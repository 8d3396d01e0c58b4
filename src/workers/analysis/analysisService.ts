import type { Dataset, Normalization } from '../../engine/data/types';
import type { Model } from '../../engine/models/types';
import { RunControl } from '../../engine/train';
import { objectiveInForce, type AnyKey, type Key } from '../../engine/watermark';
import type {
  AnalysisApi, AttackPoint, AttackTargetInfo, AttackSummary, AttackSweepOutcome, AttackSweepSettings, KeyedModelInfo, LandscapeEvent, LandscapeOutcome, LandscapeSettings,
} from '../../protocol/analysis';
import { attackCatalog, runAttackSweepOn } from '../attack/attackRun';
import { runLandscapeOn } from '../landscape/landscapeRun';
import * as Comlink from 'comlink';

/** What the analysis runs need from the engine service (accessors, so they always see the current state). */
export interface AnalysisHost {
  /** The current trained model and its watermark key (null when none). */
  currentModel(): Model | null;
  currentKey(): Key | null;
  /** The current model's key of any method (WaterMAS, Uchida, FCW); default: currentKey() as a WaterMAS key. */
  currentAnyKey?(): AnyKey | null;
  /** The watermark method of the current model ('watermas' | 'uchida' | 'fcw'), null when unmarked or none. */
  currentMethod?(): string | null;
  currentData(): { readonly dataset: Dataset; readonly normalization: Normalization } | null;
  backendName(): string;
  /** Throws when a training run is going (the model is being written). */
  refuseWhileBusy(what: string): void;
  /** Runs `fn` on the service's tensor queue. */
  exclusive<T>(context: string, fn: () => Promise<T>): Promise<T>;
}

/** Calls a page callback, never letting a closed page break the run. */
function safe<T>(cb: (v: T) => void): (v: T) => Promise<void> {
  return async (v) => {
    try {
      await cb(v);
    } catch {
      /* the page is gone or the callback threw: keep going */
    }
  };
}

function release(cb: unknown): void {
  (cb as Partial<Record<typeof Comlink.releaseProxy, () => void>>)[Comlink.releaseProxy]?.();
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
  private anyKey(): AnyKey | null {
    if (!this.host.currentModel()) return null;
    if (this.host.currentAnyKey) return this.host.currentAnyKey();
    const key = this.host.currentKey();
    return key ? { method: 'watermas', key } : null;
  }

  async attackTarget(): Promise<AttackTargetInfo | null> {
    const model = this.host.currentModel();
    const key = this.anyKey();
    if (!model || !key) return null;
    return { arch: model.config.arch, method: key.method, replicas: key.method === 'watermas' ? objectiveInForce(key.key).replicas : null };
  }

  /** The attack's inputs: the current model, its key of any method, the loaded data. */
  private readyToAttack() {
    this.checkIdle('attack');
    const model = this.host.currentModel();
    const key = this.anyKey();
    const data = this.host.currentData();
    if (!model || !key) throw new Error('attack: no watermarked model yet: train one with a key first');
    if (!data) throw new Error('attack: no data set loaded yet');
    return { model, key, data };
  }

  /** Throws while training, a sweep or a landscape run is going. */
  private checkIdle(what: string): void {
    this.host.refuseWhileBusy(what);
    if (this.busy) throw new Error(`${what}: an attack sweep or a landscape run is in progress; cancel it or wait until it finishes`);
  }

  /** The landscape's inputs: the current model, its WaterMAS key (the key subspace needs its positions), the loaded data. */
  private ready(what: string) {
    this.checkIdle(what);
    const model = this.host.currentModel();
    const key = this.host.currentKey();
    const data = this.host.currentData();
    const method = this.host.currentMethod?.() ?? null;
    if (model && !key && method && method !== 'watermas') {
      const name = method === 'fcw' ? 'an FCW (trigger-set)' : 'an Uchida';
      throw new Error(`${what}: needs a WaterMAS key; this run has ${name} key`);
    }
    if (!model || !key) throw new Error(`${what}: no watermarked model yet: train one with a key first`);
    if (!data) throw new Error(`${what}: no data set loaded yet`);
    return { model, key, data };
  }

  async runAttackSweep(settings: AttackSweepSettings, onPoint: (p: AttackPoint) => void): Promise<AttackSweepOutcome> {
    if (typeof onPoint !== 'function') throw new Error('runAttackSweep: onPoint must be a (comlink-proxied) function');
    const { model, key, data } = this.readyToAttack();
    const control = new RunControl();
    this.attackControl = control;
    return this.host
      .exclusive('attack', () =>
        runAttackSweepOn({ model, key, ...data, settings, control, backend: () => this.host.backendName(), onPoint: safe(onPoint) }),
      )
      .finally(() => {
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
    this.landscapeSignal = signal;
    return this.host
      .exclusive('landscape', () =>
        runLandscapeOn({ model, key, ...data, settings, signal, backend: () => this.host.backendName(), onEvent: safe(onEvent) }),
      )
      .finally(() => {
        this.landscapeSignal = null;
        release(onEvent);
      });
  }

  async cancelLandscape(): Promise<void> {
    if (this.landscapeSignal) this.landscapeSignal.aborted = true;
  }
}
