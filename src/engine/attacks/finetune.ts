import * as tf from '@tensorflow/tfjs-core';
import { createModel } from '../models/createModel';
import type { Model, ParamInfo } from '../models/types';
import type { AttackOptions, AttackedWeights, CancelSignal } from './types';
import { cloneParams, disposeWeights, weightParams } from './weights';

/** FTAL: fine-tune all layers; FTLL: last layer only; RTAL: re-initialise the last layer, then train all. */
export type FineTuneMode = 'FTAL' | 'FTLL' | 'RTAL';

/** What the injected trainer is asked to do (on the attacker's data, chosen by the caller). */
export interface FineTuneRequest {
  readonly epochs: number;
  /** SGD learning rate (methods.md §5 default 0.01; momentum 0.9, wd 5e-4 are the trainer's job). */
  readonly lr: number;
  /** Names of the parameters that may change; every other parameter must stay bitwise unchanged. */
  readonly trainable: readonly string[];
  readonly seed: number;
  readonly signal?: CancelSignal;
}

/**
 * Dependencies of the fine-tuning attacks. The attack suite does not depend on the trainer
 * module: the caller (worker, CLI) passes a `train` function that trains the given model IN
 * PLACE (it is a private copy) on the attacker's data set (by default a third of the training
 * set, disjoint from the owner's), e.g. by wrapping the trainer with a FrozenPositions mask
 * covering every non-trainable parameter.
 */
export interface FineTuneDeps {
  readonly mode: FineTuneMode;
  readonly train: (model: Model, req: FineTuneRequest) => Promise<void>;
  /** Default 0.01. */
  readonly lr?: number;
  readonly signal?: CancelSignal;
  /**
   * Builds the fresh model that receives the copy (default: `createModel` with the model's own
   * config, initialised from the attack seed; its initialisation is what RTAL's last layer gets).
   */
  readonly createCopy?: (model: Model, seed: number) => Model;
}

/** The "last layer": the last weight tensor in model order and the bias parameters that follow it. */
export function lastLayerNames(model: Model): string[] {
  const weights = weightParams(model);
  const last = weights[weights.length - 1];
  if (!last) throw new Error('fine-tune: the model has no weight tensors');
  const info = model.paramInfo;
  const names = [last.name];
  for (let i = info.indexOf(last) + 1; i < info.length && info[i].role === 'bias'; i++) names.push(info[i].name);
  return names;
}

/** A fresh model of the same architecture (same config), initialised from `seed`. */
function freshModel(model: Model, seed: number): Model {
  const c = model.config;
  return createModel(c.arch, { seed, numClasses: c.numClasses, inputShape: c.inputShape, options: c.options });
}

function assertSameLayout(a: Model, b: Model): void {
  const sig = (m: Model) => [...m.paramInfo, ...m.stateInfo].map((p) => `${p.name}:${p.shape.join('x')}`).join(',');
  if (sig(a) !== sig(b)) throw new Error('fine-tune: the fresh copy does not have the same parameters as the model');
}

/**
 * Fine-tuning attacks (methods.md §5). Strength = Θ epochs (0 = exact copy). The original model
 * is never touched: a fresh model of the same architecture receives a copy of every parameter
 * and BatchNorm statistic (RTAL keeps the fresh model's own random initialisation for the last
 * layer), the injected trainer trains it, and its parameters (and, since training moves them,
 * its BatchNorm moving statistics, keyed by state name) are returned as the attacked weights.
 */
export async function fineTuneAttack(model: Model, epochs: number, opts: AttackOptions): Promise<AttackedWeights> {
  if (!(Number.isInteger(epochs) && epochs >= 0)) throw new RangeError(`fine-tune: epochs must be a non-negative integer, got ${epochs}`);
  if (epochs === 0) return cloneParams(model);
  const deps = opts.fineTune;
  if (!deps) throw new Error('fine-tune: needs opts.fineTune = { mode, train }');
  const last = lastLayerNames(model);
  const copy = (deps.createCopy ?? freshModel)(model, opts.seed);
  try {
    assertSameLayout(model, copy);
    const keepFresh = new Set(deps.mode === 'RTAL' ? last : []);
    tf.tidy(() => {
      for (const p of model.paramInfo) {
        if (!keepFresh.has(p.name)) (copy.params.get(p.name) as tf.Variable).assign(model.params.get(p.name) as tf.Tensor);
      }
      for (const s of model.stateInfo) (copy.state.get(s.name) as tf.Variable).assign(model.state.get(s.name) as tf.Tensor);
    });
    const trainable = deps.mode === 'FTLL' ? last : model.paramInfo.map((p: ParamInfo) => p.name);
    await deps.train(copy, { epochs, lr: deps.lr ?? 0.01, trainable, seed: opts.seed, signal: deps.signal });
    const out = cloneParams(copy);
    try {
      for (const s of copy.stateInfo) out.set(s.name, tf.clone(copy.state.get(s.name) as tf.Tensor));
    } catch (e) {
      disposeWeights(out);
      throw e;
    }
    return out;
  } finally {
    copy.dispose();
  }
}
