import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { ArchName, Model, ModelConfig } from '../models/types';

/**
 * The lab's model format: the TensorFlow.js weights-manifest layout (a `model.json`
 * next to one binary shard `weights.bin`, float32 little-endian, tensors in manifest
 * order, names = our parameter/state names), with the architecture recorded as
 * `modelTopology: { format: 'watermas-lab', ...ModelConfig }`. Loading rebuilds the
 * functional model from the config and assigns every tensor by name.
 */
export const MODEL_FORMAT = 'watermas-lab';
export const MODEL_FORMAT_VERSION = 1;
export const WEIGHTS_FILE = 'weights.bin';

const archNames = ['cnn', 'resnet20', 'vgg11', 'mobilenetv3s', 'vit-tiny'] as const satisfies readonly ArchName[];

const weightSpec = z.object({
  name: z.string().min(1),
  shape: z.array(z.number().int().nonnegative()).max(8),
  dtype: z.literal('float32'),
});

export const modelJsonSchema = z.object({
  format: z.literal('layers-model').or(z.literal(MODEL_FORMAT)),
  generatedBy: z.string().optional(),
  modelTopology: z.object({
    format: z.literal(MODEL_FORMAT),
    version: z.literal(MODEL_FORMAT_VERSION),
    arch: z.enum(archNames),
    numClasses: z.number().int().min(2).max(1000),
    inputShape: z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()]),
    options: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).optional(),
  }),
  weightsManifest: z
    .array(z.object({ paths: z.array(z.string().min(1)).min(1), weights: z.array(weightSpec) }))
    .length(1),
  userDefinedMetadata: z.record(z.string(), z.unknown()).optional(),
});
export type ModelJson = z.infer<typeof modelJsonSchema>;

export interface ModelArtifacts {
  /** Contents of model.json. */
  readonly modelJson: ModelJson;
  /** Contents of the single weight shard (weights.bin). */
  readonly weightData: ArrayBuffer;
}

/** What serialising a model needs: its config and its named tensors (a Model, or a WeightsSnapshot of one). */
export type ModelWeights = Pick<Model, 'config'> & {
  readonly params: ReadonlyMap<string, tf.Tensor>;
  readonly state: ReadonlyMap<string, tf.Tensor>;
};

/** A copy of a model's weights on its device (tf.clone: no read-back), to serialise while the model trains on. */
export interface WeightsSnapshot extends ModelWeights {
  dispose(): void;
}

/** Copies every variable of `model` on the device; nothing is read. Dispose the snapshot when done. */
export function snapshotWeights(model: ModelWeights): WeightsSnapshot {
  const copy = (m: ReadonlyMap<string, tf.Tensor>) => new Map([...m].map(([name, t]) => [name, tf.keep(tf.clone(t))]));
  const params = copy(model.params);
  const state = copy(model.state);
  return {
    config: model.config,
    params,
    state,
    dispose: () => {
      for (const t of [...params.values(), ...state.values()]) t.dispose();
    },
  };
}

/** All named tensors of a model: trainable parameters first, then BatchNorm state. */
export function namedWeights(model: ModelWeights): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const [name, v] of model.params) out.set(name, v);
  for (const [name, v] of model.state) out.set(name, v);
  return out;
}

/**
 * Serialises a model (weights read with `await data()`, all at once: one wait for a GPU, not one
 * per tensor; nothing written).
 */
export async function saveModel(model: ModelWeights, metadata?: Record<string, unknown>): Promise<ModelArtifacts> {
  const weights = [...namedWeights(model)];
  const specs: ModelJson['weightsManifest'][number]['weights'] = weights.map(([name, t]) => ({ name, shape: [...t.shape], dtype: 'float32' }));
  const parts = (await Promise.all(weights.map(([, t]) => t.data()))) as Float32Array[];
  const total = parts.reduce((n, p) => n + p.length, 0);
  const buffer = new Float32Array(total);
  let offset = 0;
  for (const p of parts) {
    buffer.set(p, offset);
    offset += p.length;
  }
  const { arch, numClasses, inputShape, options } = model.config;
  return {
    modelJson: {
      format: MODEL_FORMAT,
      generatedBy: 'WaterMAS Lab',
      modelTopology: {
        format: MODEL_FORMAT,
        version: MODEL_FORMAT_VERSION,
        arch,
        numClasses,
        inputShape: [...inputShape] as [number, number, number],
        ...(options ? { options: { ...options } } : {}),
      },
      weightsManifest: [{ paths: [WEIGHTS_FILE], weights: specs }],
      ...(metadata ? { userDefinedMetadata: metadata } : {}),
    },
    weightData: buffer.buffer,
  };
}

/** A clear, specific error for anything wrong with a model file. */
export class ModelFileError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'ModelFileError';
  }
}

/** Parses and validates model.json text (JSON syntax and schema), with a size limit. */
export function parseModelJson(text: string, file = 'model.json', maxBytes = 16 * 1024 * 1024): ModelJson {
  if (text.length > maxBytes) throw new ModelFileError(file, `too large (${text.length} bytes, limit ${maxBytes})`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ModelFileError(file, `not valid JSON (${(e as Error).message})`);
  }
  const parsed = modelJsonSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ModelFileError(file, `not a WaterMAS Lab model: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** The ModelConfig recorded in a model.json. */
export function configOf(json: ModelJson): ModelConfig {
  const t = json.modelTopology;
  return { arch: t.arch, numClasses: t.numClasses, inputShape: t.inputShape, ...(t.options ? { options: t.options } : {}) };
}

/**
 * Decodes the weight shard against the manifest into named Float32Arrays, checking that
 * the byte length matches exactly and that every value is finite.
 */
export function decodeWeights(json: ModelJson, weightData: ArrayBuffer, file = WEIGHTS_FILE): Map<string, { shape: number[]; values: Float32Array }> {
  const specs = json.weightsManifest[0].weights;
  const expected = specs.reduce((s, w) => s + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
  if (weightData.byteLength !== expected) {
    throw new ModelFileError(file, `has ${weightData.byteLength} bytes but the manifest describes ${expected}`);
  }
  const out = new Map<string, { shape: number[]; values: Float32Array }>();
  let offset = 0;
  for (const spec of specs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(weightData.slice(offset, offset + 4 * size));
    offset += 4 * size;
    if (out.has(spec.name)) throw new ModelFileError(file, `tensor ${spec.name} appears twice in the manifest`);
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) throw new ModelFileError(file, `tensor ${spec.name} holds a non-finite value (${values[i]}) at flat index ${i}`);
    }
    out.set(spec.name, { shape: spec.shape, values });
  }
  return out;
}

/**
 * Writes named values into a model's variables. Every parameter and state tensor of the
 * model must be present with the same shape; extra tensors are an error too.
 */
export function assignWeights(model: Model, weights: Map<string, { shape: number[]; values: Float32Array }>, file = WEIGHTS_FILE): void {
  const targets = namedWeights(model);
  for (const [name, target] of targets) {
    const w = weights.get(name);
    if (!w) throw new ModelFileError(file, `missing tensor ${name} (expected shape [${target.shape}])`);
    if (w.shape.length !== target.shape.length || w.shape.some((d, i) => d !== target.shape[i])) {
      throw new ModelFileError(file, `tensor ${name} has shape [${w.shape}] but the ${model.config.arch} model expects [${target.shape}]`);
    }
  }
  for (const name of weights.keys()) {
    if (!targets.has(name)) throw new ModelFileError(file, `unexpected tensor ${name} for a ${model.config.arch} model`);
  }
  for (const [name, target] of targets) {
    const w = weights.get(name)!;
    tf.tidy(() => (target as tf.Variable).assign(tf.tensor(w.values, w.shape, 'float32')));
  }
}
