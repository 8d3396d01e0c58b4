import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../random/rng';
import type { ParamInfo, ParamRole, StateInfo } from './types';

/** Process-wide counter that keeps tfjs variable names unique across model instances. */
let instanceCounter = 0;

/**
 * Creates the named parameters and BatchNorm state of one model instance, with
 * seeded initialisation, and records their ParamInfo / StateInfo in creation order.
 *
 * tfjs requires globally unique variable names, so the underlying tf.Variable is named
 * `<arch>#<instance>/<name>`; the model exposes the logical `<name>` everywhere
 * (maps, ParamInfo, overrides, keys, exports).
 */
export class ParamBuilder {
  readonly paramInfo: ParamInfo[] = [];
  readonly params = new Map<string, tf.Variable>();
  readonly stateInfo: StateInfo[] = [];
  readonly state = new Map<string, tf.Variable>();
  private readonly prefix: string;

  constructor(
    arch: string,
    private readonly rng: Rng,
  ) {
    instanceCounter += 1;
    this.prefix = `${arch}#${instanceCounter}`;
  }

  /** Conv kernel [kh, kw, in, out], He-normal (fan_in = kh*kw*in), as for ReLU networks. */
  convKernel(name: string, kh: number, kw: number, inC: number, outC: number): void {
    const std = Math.sqrt(2 / (kh * kw * inC));
    this.addParam(name, [kh, kw, inC, outC], 'conv-kernel', this.normal(kh * kw * inC * outC, std));
  }

  /** Depthwise kernel [kh, kw, in, multiplier], He-normal with fan_in = kh*kw (one input channel per filter). */
  depthwiseKernel(name: string, kh: number, kw: number, inC: number, multiplier = 1): void {
    const std = Math.sqrt(2 / (kh * kw));
    this.addParam(name, [kh, kw, inC, multiplier], 'depthwise-kernel', this.normal(kh * kw * inC * multiplier, std));
  }

  /**
   * Dense kernel [in, out]. 'he' (normal, sqrt(2/in)) before ReLU-like activations,
   * 'glorot' (uniform, limit sqrt(6/(in+out))) for classifier heads and attention,
   * or an explicit normal std (ViT-style 0.02).
   */
  denseKernel(name: string, inC: number, outC: number, init: 'he' | 'glorot' | { std: number } = 'glorot'): void {
    let values: Float32Array;
    if (init === 'he') values = this.normal(inC * outC, Math.sqrt(2 / inC));
    else if (init === 'glorot') values = this.uniform(inC * outC, Math.sqrt(6 / (inC + outC)));
    else values = this.normal(inC * outC, init.std);
    this.addParam(name, [inC, outC], 'dense-kernel', values);
  }

  /** Bias vector, zeros (or a constant). */
  bias(name: string, n: number, value = 0): void {
    this.addParam(name, [n], 'bias', new Float32Array(n).fill(value));
  }

  /** Embedding (position embedding, class token), normal(0, std). */
  embedding(name: string, shape: readonly number[], std = 0.02): void {
    const size = shape.reduce((a, b) => a * b, 1);
    this.addParam(name, shape, 'embedding', this.normal(size, std));
  }

  /** BatchNorm `${prefix}/gamma|beta` (1, 0) and state `${prefix}/moving_mean|moving_variance` (0, 1). */
  batchNorm(prefix: string, n: number): void {
    this.addParam(`${prefix}/gamma`, [n], 'bn-gamma', new Float32Array(n).fill(1));
    this.addParam(`${prefix}/beta`, [n], 'bn-beta', new Float32Array(n));
    this.addState(`${prefix}/moving_mean`, [n], 'bn-moving-mean', new Float32Array(n));
    this.addState(`${prefix}/moving_variance`, [n], 'bn-moving-variance', new Float32Array(n).fill(1));
  }

  /** LayerNorm `${prefix}/gamma|beta` (1, 0). */
  layerNorm(prefix: string, n: number): void {
    this.addParam(`${prefix}/gamma`, [n], 'ln-gamma', new Float32Array(n).fill(1));
    this.addParam(`${prefix}/beta`, [n], 'ln-beta', new Float32Array(n));
  }

  private addParam(name: string, shape: readonly number[], role: ParamRole, values: Float32Array): void {
    if (this.params.has(name)) throw new Error(`duplicate parameter name: ${name}`);
    this.paramInfo.push({ name, shape: [...shape], role });
    this.params.set(name, makeVariable(values, shape, true, `${this.prefix}/${name}`));
  }

  private addState(name: string, shape: readonly number[], role: StateInfo['role'], values: Float32Array): void {
    if (this.state.has(name)) throw new Error(`duplicate state name: ${name}`);
    this.stateInfo.push({ name, shape: [...shape], role });
    this.state.set(name, makeVariable(values, shape, false, `${this.prefix}/${name}`));
  }

  private normal(n: number, std: number): Float32Array {
    return this.rng.fillNormal(new Float32Array(n), 0, std);
  }

  private uniform(n: number, limit: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = (2 * this.rng.float() - 1) * limit;
    return out;
  }
}

/** tf.variable keeps its own reference to the data, so the initial tensor is disposed here. */
function makeVariable(values: Float32Array, shape: readonly number[], trainable: boolean, name: string): tf.Variable {
  const init = tf.tensor(values, [...shape], 'float32');
  const v = tf.variable(init, trainable, name);
  init.dispose();
  return v;
}
