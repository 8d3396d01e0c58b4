import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import type { Model } from '../models/types';

export interface ParamGradients {
  /** The value of f (kept: the caller disposes it). */
  readonly value: tf.Scalar;
  /** Gradient of f per parameter name; parameters f does not depend on are absent. */
  readonly grads: Map<string, tf.Tensor>;
}

/**
 * Gradients of the scalar `f()` with respect to the model's parameters (all, or the given
 * names), keyed by the model's logical parameter names (tfjs variable names carry an
 * instance prefix). Tensors kept inside f survive; everything else f creates is disposed.
 */
export function paramGradients(model: Model, f: () => tf.Scalar, names?: readonly string[]): ParamGradients {
  const wanted = names ?? model.paramInfo.map((p) => p.name);
  const byVarName = new Map<string, string>();
  const vars: tf.Variable[] = [];
  for (const name of wanted) {
    const v = model.params.get(name);
    if (!v) throw new Error(`unknown parameter: ${name}`);
    byVarName.set(v.name, name);
    vars.push(v);
  }
  const { value, grads } = tf.variableGrads(f, vars);
  const out = new Map<string, tf.Tensor>();
  for (const [varName, g] of Object.entries(grads)) {
    if (g == null) continue;
    const name = byVarName.get(varName);
    if (name === undefined) {
      g.dispose();
      continue;
    }
    out.set(name, g);
  }
  return { value, grads: out };
}
