import * as tf from '@tensorflow/tfjs-core';
import { WEIGHT_ROLES, type Model, type ParamRole } from '../models/types';
import { buildFrozenMasks } from './frozen';
import type { FrozenPositions } from './types';

export type OptimizerName = 'sgd' | 'adam';

export interface OptimizerConfig {
  readonly optimizer: OptimizerName;
  /** SGD momentum (default 0.9; 0 = plain SGD). */
  readonly momentum?: number;
  readonly nesterov?: boolean;
  /** Adam betas / epsilon (defaults 0.9, 0.999, 1e-8). */
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
  /**
   * Weight decay (default 0). SGD: L2-coupled, g += wd * w before momentum (as PyTorch SGD).
   * Adam: decoupled (AdamW), w -= lr * wd * w.
   */
  readonly weightDecay?: number;
  /** Roles that get weight decay (default: conv, depthwise and dense kernels; not BN, LN, biases, embeddings). */
  readonly decayRoles?: readonly ParamRole[];
}

/**
 * A hand-written optimizer over a model's named variables.
 * Frozen positions get no update at all: their gradient is replaced by 0 (tf.where, so a
 * NaN/Inf gradient there cannot leak in), they get no weight decay, their momentum / Adam
 * moments stay exactly 0, and the write is `where(frozen, old, new)`, so they stay
 * bitwise unchanged. A parameter missing from `grads` has gradient 0 (the Objective contract).
 */
export interface Optimizer {
  readonly name: OptimizerName;
  /** Applies one update with learning rate `lr`. Does not dispose `grads`. */
  apply(grads: ReadonlyMap<string, tf.Tensor>, lr: number): void;
  /** Number of updates applied so far. */
  readonly iterations: number;
  /** A host copy of the optimizer's state (momentum / Adam moments and the update count), for resuming. */
  exportState(): Promise<OptimizerState>;
  /** Replaces the state with `state` (from exportState of the same model and settings); throws on any mismatch. */
  importState(state: OptimizerState): void;
  dispose(): void;
}

/** What an optimizer carries between steps, by parameter name: SGD velocity or Adam moments. */
export interface OptimizerState {
  readonly optimizer: OptimizerName;
  readonly iterations: number;
  readonly slots: Readonly<Record<string, { readonly m?: Float32Array; readonly v?: Float32Array }>>;
}

interface Slot {
  readonly name: string;
  readonly variable: tf.Variable;
  readonly decay: boolean;
  readonly frozenMask?: tf.Tensor;
  /** SGD velocity or Adam first moment. */
  readonly m?: tf.Variable;
  /** Adam second moment. */
  readonly v?: tf.Variable;
}

let optimizerCounter = 0;

/** Creates an SGD(+momentum, optionally Nesterov) or Adam(W) optimizer for `model`. */
export function createOptimizer(model: Model, config: OptimizerConfig, frozen?: FrozenPositions): Optimizer {
  const momentum = config.momentum ?? 0.9;
  const beta1 = config.beta1 ?? 0.9;
  const beta2 = config.beta2 ?? 0.999;
  const epsilon = config.epsilon ?? 1e-8;
  const weightDecay = config.weightDecay ?? 0;
  const decayRoles = new Set(config.decayRoles ?? WEIGHT_ROLES);
  const nesterov = config.nesterov ?? false;
  if (config.optimizer !== 'sgd' && config.optimizer !== 'adam') throw new Error(`unknown optimizer: ${String(config.optimizer)}`);
  if (!(momentum >= 0 && momentum < 1)) throw new Error(`momentum must be in [0, 1), got ${momentum}`);
  if (!(weightDecay >= 0)) throw new Error(`weightDecay must be >= 0, got ${weightDecay}`);
  if (nesterov && momentum === 0) throw new Error('Nesterov momentum needs momentum > 0');

  const id = ++optimizerCounter;
  const masks = buildFrozenMasks(model, frozen);
  const slotVar = (kind: string, name: string, like: tf.Variable) =>
    tf.tidy(() => tf.variable(tf.zerosLike(like), false, `opt#${id}/${kind}/${name}`));
  const slots: Slot[] = model.paramInfo.map((p) => {
    const variable = model.params.get(p.name)!;
    const needsM = config.optimizer === 'adam' || momentum > 0;
    return {
      name: p.name,
      variable,
      decay: weightDecay > 0 && decayRoles.has(p.role),
      frozenMask: masks.get(p.name),
      m: needsM ? slotVar('m', p.name, variable) : undefined,
      v: config.optimizer === 'adam' ? slotVar('v', p.name, variable) : undefined,
    };
  });
  let iterations = 0;
  let disposed = false;

  const maskedGrad = (s: Slot, g: tf.Tensor | undefined): tf.Tensor => {
    let grad = g ?? tf.zerosLike(s.variable);
    if (config.optimizer === 'sgd' && s.decay) grad = tf.add(grad, tf.mul(s.variable, weightDecay));
    if (s.frozenMask) grad = tf.where(s.frozenMask, tf.zerosLike(grad), grad);
    return grad;
  };

  const write = (s: Slot, next: tf.Tensor) => {
    s.variable.assign(s.frozenMask ? tf.where(s.frozenMask, s.variable, next) : next);
  };

  const sgdStep = (s: Slot, g: tf.Tensor | undefined, lr: number) => {
    const grad = maskedGrad(s, g);
    let step = grad;
    if (s.m) {
      const vel = tf.add(tf.mul(s.m, momentum), grad);
      s.m.assign(vel);
      step = nesterov ? tf.add(grad, tf.mul(vel, momentum)) : vel;
    }
    write(s, tf.sub(s.variable, tf.mul(step, lr)));
  };

  const adamStep = (s: Slot, g: tf.Tensor | undefined, lr: number, t: number) => {
    const grad = maskedGrad(s, g);
    const m = tf.add(tf.mul(s.m!, beta1), tf.mul(grad, 1 - beta1));
    const v = tf.add(tf.mul(s.v!, beta2), tf.mul(tf.square(grad), 1 - beta2));
    s.m!.assign(m);
    s.v!.assign(v);
    const mHat = tf.div(m, 1 - Math.pow(beta1, t));
    const vHat = tf.div(v, 1 - Math.pow(beta2, t));
    let update = tf.div(mHat, tf.add(tf.sqrt(vHat), epsilon));
    if (s.decay) update = tf.add(update, tf.mul(s.variable, weightDecay));
    write(s, tf.sub(s.variable, tf.mul(update, lr)));
  };

  return {
    name: config.optimizer,
    get iterations() {
      return iterations;
    },
    apply(grads, lr) {
      if (disposed) throw new Error('optimizer is disposed');
      if (!Number.isFinite(lr) || lr < 0) throw new Error(`learning rate must be finite and >= 0, got ${lr}`);
      for (const name of grads.keys()) {
        if (!model.params.has(name)) throw new Error(`gradient for unknown parameter: ${name}`);
      }
      iterations += 1;
      const t = iterations;
      for (const s of slots) {
        tf.tidy(() => {
          if (config.optimizer === 'sgd') sgdStep(s, grads.get(s.name), lr);
          else adamStep(s, grads.get(s.name), lr, t);
        });
      }
    },
    async exportState() {
      const out: Record<string, { m?: Float32Array; v?: Float32Array }> = {};
      for (const s of slots) {
        out[s.name] = {
          // A copy: a backend may hand out its own buffer.
          ...(s.m ? { m: ((await s.m.data()) as Float32Array).slice() } : {}),
          ...(s.v ? { v: ((await s.v.data()) as Float32Array).slice() } : {}),
        };
      }
      return { optimizer: config.optimizer, iterations, slots: out };
    },
    importState(state) {
      if (disposed) throw new Error('optimizer is disposed');
      if (state.optimizer !== config.optimizer) throw new Error(`optimizer state is for ${state.optimizer}, not ${config.optimizer}`);
      if (!(Number.isInteger(state.iterations) && state.iterations >= 0)) throw new Error(`optimizer state: bad update count ${state.iterations}`);
      const names = Object.keys(state.slots);
      const unknown = names.filter((n) => !slots.some((s) => s.name === n));
      if (unknown.length > 0 || names.length !== slots.length) {
        throw new Error(`optimizer state does not match the model (${unknown.length ? `unknown: ${unknown.slice(0, 3).join(', ')}` : `${names.length} of ${slots.length} parameters`})`);
      }
      // Check everything before writing anything, so a bad state changes nothing.
      for (const s of slots) {
        const saved = state.slots[s.name];
        for (const [kind, slot] of [['m', s.m], ['v', s.v]] as const) {
          const values = saved[kind];
          if (Boolean(slot) !== Boolean(values)) throw new Error(`optimizer state: '${kind}' of ${s.name} is ${values ? 'unexpected' : 'missing'}`);
          if (slot && values && values.length !== slot.size) throw new Error(`optimizer state: '${kind}' of ${s.name} has ${values.length} values, expected ${slot.size}`);
        }
      }
      for (const s of slots) {
        const saved = state.slots[s.name];
        tf.tidy(() => {
          if (s.m && saved.m) s.m.assign(tf.tensor(saved.m, s.m.shape, 'float32'));
          if (s.v && saved.v) s.v.assign(tf.tensor(saved.v, s.v.shape, 'float32'));
        });
      }
      iterations = state.iterations;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const s of slots) {
        s.m?.dispose();
        s.v?.dispose();
      }
      for (const m of masks.values()) m.dispose();
    },
  };
}
