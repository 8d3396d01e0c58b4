import * as tf from '@tensorflow/tfjs-core';
import type { Model } from '../models/types';

/**
 * Where a checkpoint keeps its copies: 'device' = tensors on the current backend (tf.clone,
 * no read-back; cheap), 'host' = Float32Arrays read with `await t.data()` (survive a lost GPU
 * device and can be written into a model rebuilt on another backend).
 */
export type CheckpointStorage = 'device' | 'host';

/** The model's variables (trainable parameters, then BatchNorm state), by name. */
function variablesOf(model: Model): Map<string, tf.Variable> {
  const all = new Map<string, tf.Variable>();
  for (const [name, v] of model.params) all.set(name, v);
  for (const [name, v] of model.state) all.set(name, v);
  return all;
}

/**
 * The last good copy of a model's weights and BatchNorm statistics (optimizer state is not
 * kept: a restored run stops, and a resumed one restarts its optimizer; our choice). One copy
 * at a time: saving disposes the previous copy, so checkpoints never grow the tensor count.
 * A save refuses non-finite values (the previous copy stays).
 */
export class ModelCheckpoint {
  private device: Map<string, tf.Tensor> | null = null;
  private host: Map<string, Float32Array> | null = null;
  private savedStep: number | null = null;

  constructor(readonly storage: CheckpointStorage = 'device') {}

  /** Step of the saved copy (steps completed when it was taken); null before the first save. */
  get step(): number | null {
    return this.savedStep;
  }

  /**
   * Copies every variable of `model`. Returns false, keeping the previous copy, when any
   * value is NaN or ±Inf (one reduction read back for 'device', a scan for 'host').
   */
  async save(model: Model, step: number): Promise<boolean> {
    const vars = variablesOf(model);
    if (this.storage === 'host') {
      const copy = new Map<string, Float32Array>();
      for (const [name, v] of vars) {
        const values = Float32Array.from(await v.data());
        for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
        copy.set(name, values);
      }
      this.host = copy;
      this.savedStep = step;
      return true;
    }
    // x * 0 is NaN exactly where x is NaN or ±Inf: the sum is 0 iff every value is finite.
    const probe = tf.tidy(() => {
      let s: tf.Tensor = tf.scalar(0);
      for (const v of vars.values()) s = tf.add(s, tf.sum(tf.mul(v, tf.scalar(0))));
      return s;
    });
    const finite = Number.isFinite((await probe.data())[0]);
    probe.dispose();
    if (!finite) return false;
    const copy = new Map<string, tf.Tensor>();
    for (const [name, v] of vars) copy.set(name, tf.keep(tf.clone(v)));
    this.disposeDevice();
    this.device = copy;
    this.savedStep = step;
    return true;
  }

  /** Writes the saved copy back into the model's variables (same names and shapes); returns its step. */
  restore(model: Model): number {
    if (this.savedStep === null) throw new Error('no checkpoint saved yet');
    const vars = variablesOf(model);
    for (const [name, v] of vars) {
      if (this.device) {
        const saved = this.device.get(name);
        if (!saved) throw new Error(`checkpoint has no tensor '${name}'`);
        v.assign(saved); // shares the data (ref-counted); the copy stays valid for another restore
      } else {
        const saved = this.host?.get(name);
        if (!saved) throw new Error(`checkpoint has no tensor '${name}'`);
        if (saved.length !== v.size) throw new Error(`checkpoint '${name}' holds ${saved.length} values, the model ${v.size}`);
        const t = tf.tensor(saved, v.shape, 'float32');
        v.assign(t);
        t.dispose();
      }
    }
    return this.savedStep;
  }

  /** Takes over `other`'s copy (leaving it empty) in place of this one's. Same storage only. */
  adopt(other: ModelCheckpoint): void {
    if (other.storage !== this.storage) throw new Error(`cannot adopt a '${other.storage}' checkpoint into a '${this.storage}' one`);
    if (other.savedStep === null) return;
    this.disposeDevice();
    this.device = other.device;
    this.host = other.host;
    this.savedStep = other.savedStep;
    other.device = null;
    other.host = null;
    other.savedStep = null;
  }

  /** The host copies by name ('host' storage; null otherwise or before the first save). */
  hostValues(): ReadonlyMap<string, Float32Array> | null {
    return this.host;
  }

  /** Frees the saved tensors. */
  dispose(): void {
    this.disposeDevice();
    this.host = null;
    this.savedStep = null;
  }

  private disposeDevice(): void {
    if (this.device) for (const t of this.device.values()) t.dispose();
    this.device = null;
  }
}
