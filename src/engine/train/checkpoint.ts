import * as tf from '@tensorflow/tfjs-core';
import type { Model } from '../models/types';

/**
 * Where a checkpoint keeps its copies: 'device' = tensors on the current backend (tf.clone,
 * no read-back; cheap); 'host' = the same device copies plus a host mirror (Float32Arrays read
 * with `await t.data()`) that survives a lost GPU device and can be written into a model rebuilt
 * on another backend. The mirror is taken in the background, at most every `hostEveryMs`
 * (issue 16: no weight read-back in a GPU training loop), so it may lag the device copy.
 */
export type CheckpointStorage = 'device' | 'host';

/** How often the 'host' storage mirrors its device copy at most (our choice: issue 16's "e.g. every 30 s"). */
export const HOST_MIRROR_EVERY_MS = 30_000;

export interface CheckpointOptions {
  /** 'host' storage: least time between two host mirrors (default HOST_MIRROR_EVERY_MS; 0 = every save). */
  readonly hostEveryMs?: number;
}

/** The model's variables (trainable parameters, then BatchNorm state), by name. */
function variablesOf(model: Model): Map<string, tf.Variable> {
  const all = new Map<string, tf.Variable>();
  for (const [name, v] of model.params) all.set(name, v);
  for (const [name, v] of model.state) all.set(name, v);
  return all;
}

/** 0 when every value of `tensors` is finite, NaN otherwise (x · 0 is NaN exactly where x is NaN or ±Inf). A device reduction: nothing is read. */
export function finitenessProbe(tensors: Iterable<tf.Tensor>): tf.Scalar {
  return tf.tidy(() => {
    let s: tf.Tensor = tf.scalar(0);
    for (const v of tensors) s = tf.add(s, tf.sum(tf.mul(v, tf.scalar(0))));
    return s as tf.Scalar;
  });
}

/**
 * A copy of the model taken on the device whose finiteness is not known yet: the caller reads
 * `probe` (with its other scalars, in one read) and then commits or drops it.
 */
export interface StagedCopy {
  /** finitenessProbe of the copy; owned by the staged copy. */
  readonly probe: tf.Scalar;
  /** `finite` = the probe's value is finite: the copy becomes the checkpoint's (true returned); otherwise it is dropped (false). */
  commit(finite: boolean): boolean;
}

/**
 * The last good copy of a model's weights and BatchNorm statistics (optimizer state is not
 * kept: a restored run stops, and a resumed one restarts its optimizer; our choice). One device
 * copy at a time: saving disposes the previous copy, so checkpoints never grow the tensor count.
 * A save refuses non-finite values (the previous copy stays).
 */
export class ModelCheckpoint {
  private device: Map<string, tf.Tensor> | null = null;
  private deviceStep: number | null = null;
  private host: Map<string, Float32Array> | null = null;
  private hostSaved: number | null = null;
  private mirroring: Promise<void> | null = null;
  private lastMirror = -Infinity;
  private readonly hostEveryMs: number;

  constructor(
    readonly storage: CheckpointStorage = 'device',
    options: CheckpointOptions = {},
  ) {
    this.hostEveryMs = options.hostEveryMs ?? HOST_MIRROR_EVERY_MS;
    if (!(this.hostEveryMs >= 0)) throw new Error(`hostEveryMs must be >= 0, got ${this.hostEveryMs}`);
  }

  /** Step of the newest copy (steps completed when it was taken); null before the first save. */
  get step(): number | null {
    return this.deviceStep ?? this.hostSaved;
  }

  /** 'host' storage: step of the host mirror (what a rebuilt model can be restored to); null before the first mirror. */
  get hostStep(): number | null {
    return this.hostSaved;
  }

  /**
   * Copies every variable of `model`. Returns false, keeping the previous copy, when any
   * value is NaN or ±Inf (one scalar read back). 'host' storage: also mirrors the copy to the
   * host when the time budget allows, in the background (`flushHost` waits for it).
   */
  async save(model: Model, step: number): Promise<boolean> {
    const staged = this.stage(model, step);
    return staged.commit(Number.isFinite((await staged.probe.data())[0]));
  }

  /** Copies every variable of `model` on the device; see StagedCopy. Reads nothing. */
  stage(model: Model, step: number): StagedCopy {
    const copy = new Map<string, tf.Tensor>();
    for (const [name, v] of variablesOf(model)) copy.set(name, tf.keep(tf.clone(v)));
    const probe = tf.keep(finitenessProbe(copy.values()));
    let done = false;
    return {
      probe,
      commit: (finite: boolean) => {
        if (done) throw new Error('a staged checkpoint copy commits once');
        done = true;
        probe.dispose();
        if (!finite) {
          for (const t of copy.values()) t.dispose();
          return false;
        }
        this.setDevice(copy, step);
        return true;
      },
    };
  }

  /** Writes the saved copy back into the model's variables (same names and shapes); returns its step. */
  restore(model: Model): number {
    if (this.deviceStep === null) return this.restoreHost(model);
    const vars = variablesOf(model);
    for (const [name, v] of vars) {
      const saved = this.device!.get(name);
      if (!saved) throw new Error(`checkpoint has no tensor '${name}'`);
      v.assign(saved); // shares the data (ref-counted); the copy stays valid for another restore
    }
    return this.deviceStep;
  }

  /**
   * Writes the host mirror into `model` (rebuilt on another backend after a lost device) and
   * forgets the device copy, whose backend is gone; returns the mirror's step.
   */
  restoreHost(model: Model): number {
    if (this.host === null || this.hostSaved === null) throw new Error('no host checkpoint saved yet');
    for (const [name, v] of variablesOf(model)) {
      const saved = this.host.get(name);
      if (!saved) throw new Error(`checkpoint has no tensor '${name}'`);
      if (saved.length !== v.size) throw new Error(`checkpoint '${name}' holds ${saved.length} values, the model ${v.size}`);
      const t = tf.tensor(saved, v.shape, 'float32');
      v.assign(t);
      t.dispose();
    }
    try {
      this.disposeDevice();
    } catch {
      // its buffers went with the device
      this.device = null;
      this.deviceStep = null;
    }
    return this.hostSaved;
  }

  /** Takes over `other`'s device copy (leaving it empty) in place of this one's; 'host' storage mirrors it when the budget allows. */
  adopt(other: ModelCheckpoint): void {
    if (other.deviceStep === null) return;
    const copy = other.device!;
    const step = other.deviceStep;
    other.device = null;
    other.deviceStep = null;
    this.setDevice(copy, step);
  }

  /** The host copies by name ('host' storage; null before the first mirror). */
  hostValues(): ReadonlyMap<string, Float32Array> | null {
    return this.host;
  }

  /** Waits for the host mirror in flight, if any (e.g. the start weights, before the first step). */
  async flushHost(): Promise<void> {
    while (this.mirroring) await this.mirroring;
  }

  /** Frees the saved tensors. */
  dispose(): void {
    this.disposeDevice();
    this.host = null;
    this.hostSaved = null;
  }

  private setDevice(copy: Map<string, tf.Tensor>, step: number): void {
    this.disposeDevice();
    this.device = copy;
    this.deviceStep = step;
    if (this.storage === 'host' && this.mirroring === null && performance.now() - this.lastMirror >= this.hostEveryMs) this.mirror(copy, step);
  }

  /** Reads a copy of `copy` (its own references: a later save may dispose the checkpoint's) into the host mirror, in the background. */
  private mirror(copy: ReadonlyMap<string, tf.Tensor>, step: number): void {
    this.lastMirror = performance.now();
    const held = [...copy].map(([name, t]) => [name, tf.keep(tf.clone(t))] as const);
    this.mirroring = (async () => {
      try {
        const values = await Promise.all(held.map(async ([name, t]) => [name, Float32Array.from(await t.data())] as const));
        this.host = new Map(values);
        this.hostSaved = step;
      } catch {
        // a lost device mid-read: the previous mirror stays
      } finally {
        for (const [, t] of held) {
          try {
            t.dispose();
          } catch {
            /* its backend is gone */
          }
        }
        this.mirroring = null;
        // a newer copy that came while this one was read: mirror it too when the budget allows
        if (this.device && this.deviceStep !== step && performance.now() - this.lastMirror >= this.hostEveryMs) this.mirror(this.device, this.deviceStep!);
      }
    })();
  }

  private disposeDevice(): void {
    if (this.device) for (const t of this.device.values()) t.dispose();
    this.device = null;
    this.deviceStep = null;
  }
}
