import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../random/rng';
import type { ParamInfo, ParamRole, StateInfo } from './types';

/** A model whose options describe more values than allowed. */
export class ModelTooLargeError extends Error {
  override readonly name = 'ModelTooLargeError';
}

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
  /** Values declared so far (parameters and state). */
  valueCount = 0;
  private readonly prefix: string;
  private readonly allocate: boolean;
  private readonly maxValues: number;

  /**
   * `plan: true` records names, shapes and roles only (no values drawn, no tensors): what a
   * model of these options would hold, checked before anything is allocated. Declaring more
   * than `maxValues` values (parameters and state) throws at once, in both modes.
   */
  constructor(
    arch: string,
    private readonly rng: Rng,
    opts: { readonly plan?: boolean; readonly maxValues?: number } = {},
  ) {
    instanceCounter += 1;
    this.prefix = `${arch}#${instanceCounter}`;
    this.allocate = !opts.plan;
    this.maxValues = opts.maxValues ?? Infinity;
  }

  /** Conv kernel [kh, kw, in, out], He-normal (fan_in = kh*kw*in), as for ReLU networks. */
  convKernel(name: string, kh: number, kw: number, inC: number, outC: number): void {
    const std = Math.sqrt(2 / (kh * kw * inC));
    this.addParam(name, [kh, kw, inC, outC], 'conv-kernel', (n) => this.normal(n, std));
  }

  /** Depthwise kernel [kh, kw, in, multiplier], He-normal with fan_in = kh*kw (one input channel per filter). */
  depthwiseKernel(name: string, kh: number, kw: number, inC: number, multiplier = 1): void {
    const std = Math.sqrt(2 / (kh * kw));
    this.addParam(name, [kh, kw, inC, multiplier], 'depthwise-kernel', (n) => this.normal(n, std));
  }

  /**
   * Dense kernel [in, out]. 'he' (normal, sqrt(2/in)) before ReLU-like activations,
   * 'glorot' (uniform, limit sqrt(6/(in+out))) for classifier heads and attention,
   * or an explicit normal std (ViT-style 0.02).
   */
  denseKernel(name: string, inC: number, outC: number, init: 'he' | 'glorot' | { std: number } = 'glorot'): void {
    this.addParam(name, [inC, outC], 'dense-kernel', (n) => {
      if (init === 'he') return this.normal(n, Math.sqrt(2 / inC));
      if (init === 'glorot') return this.uniform(n, Math.sqrt(6 / (inC + outC)));
      return this.normal(n, init.std);
    });
  }

  /** Bias vector, zeros (or a constant). */
  bias(name: string, n: number, value = 0): void {
    this.addParam(name, [n], 'bias', () => new Float32Array(n).fill(value));
  }

  /** Embedding (position embedding, class token), normal(0, std). */
  embedding(name: string, shape: readonly number[], std = 0.02): void {
    this.addParam(name, shape, 'embedding', (size) => this.normal(size, std));
  }

  /** BatchNorm `${prefix}/gamma|beta` (1, 0) and state `${prefix}/moving_mean|moving_variance` (0, 1). */
  batchNorm(prefix: string, n: number): void {
    this.addParam(`${prefix}/gamma`, [n], 'bn-gamma', () => new Float32Array(n).fill(1));
    this.addParam(`${prefix}/beta`, [n], 'bn-beta', () => new Float32Array(n));
    this.addState(`${prefix}/moving_mean`, [n], 'bn-moving-mean', () => new Float32Array(n));
    this.addState(`${prefix}/moving_variance`, [n], 'bn-moving-variance', () => new Float32Array(n).fill(1));
  }

  /** LayerNorm `${prefix}/gamma|beta` (1, 0). */
  layerNorm(prefix: string, n: number): void {
    this.addParam(`${prefix}/gamma`, [n], 'ln-gamma', () => new Float32Array(n).fill(1));
    this.addParam(`${prefix}/beta`, [n], 'ln-beta', () => new Float32Array(n));
  }

  private addParam(name: string, shape: readonly number[], role: ParamRole, init: (size: number) => Float32Array): void {
    if (this.params.has(name) || this.paramInfo.some((p) => p.name === name)) throw new Error(`duplicate parameter name: ${name}`);
    const size = this.count(name, shape);
    this.paramInfo.push({ name, shape: [...shape], role });
    if (this.allocate) this.params.set(name, makeVariable(init(size), shape, true, `${this.prefix}/${name}`));
  }

  private addState(name: string, shape: readonly number[], role: StateInfo['role'], init: (size: number) => Float32Array): void {
    if (this.state.has(name) || this.stateInfo.some((p) => p.name === name)) throw new Error(`duplicate state name: ${name}`);
    const size = this.count(name, shape);
    this.stateInfo.push({ name, shape: [...shape], role });
    if (this.allocate) this.state.set(name, makeVariable(init(size), shape, false, `${this.prefix}/${name}`));
  }

  /** The size of a declared tensor, added to the running count, which must stay within maxValues. */
  private count(name: string, shape: readonly number[]): number {
    if (!shape.every((d) => Number.isSafeInteger(d) && d >= 1)) throw new Error(`parameter ${name}: invalid shape [${shape.join(', ')}]`);
    const size = shape.reduce((a, b) => a * b, 1);
    this.valueCount += size;
    if (this.valueCount > this.maxValues) {
      throw new ModelTooLargeError(`the model would hold more than ${this.maxValues.toLocaleString('en')} values (${name} [${shape.join(', ')}] brings it to ${this.valueCount.toLocaleString('en')})`);
    }
    return size;
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
