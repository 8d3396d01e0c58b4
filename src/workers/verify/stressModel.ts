/**
 * Rebuilds a runnable model from a Verify upload, for "Stress it" (attack sweeps need a model
 * to evaluate, not only named tensors). Sources of the architecture, in order:
 *  1. the lab's own model.json + weights.bin (the config is in modelTopology);
 *  2. a safetensors file exported by the lab (`__metadata__` records format 'watermas-lab' and
 *     the ModelConfig as JSON);
 *  3. any other safetensors / TensorFlow.js file whose tensors match a zoo architecture exactly:
 *     our choice — the candidate is the key's architecture (WaterMAS and Uchida keys name it;
 *     FCW keys may), or every zoo architecture; numClasses is read from `head/dense/bias`, the
 *     input shape is the loaded data's (32x32x3 by default), and the cnn's width / hidden size /
 *     BatchNorm are read from its tensor shapes (other architectures: default options).
 * Every tensor of the rebuilt model must be present with its exact shape, and no tensor may be
 * left over (the engine's assignWeights), so a foreign model is never run half-loaded.
 */
import { importWeights, type ImportedWeights, type UploadedFile } from '../../engine/io/importWeights';
import { MODEL_FORMAT, assignWeights } from '../../engine/io/modelFile';
import type { ImportLimits } from '../../engine/io/limits';
import { ARCH_NAMES, createModel, isArchName, parameterSize } from '../../engine/models';
import type { ArchName, Model, ModelConfig } from '../../engine/models/types';
import { checkMethodKeyAgainstModel, methodOf, type MethodKey } from '../../engine/methods';

/** A model rebuilt from an upload, with its key: owned by the caller (dispose the model). */
export interface UploadedRunnable {
  readonly model: Model;
  readonly key: MethodKey;
  /** Where the architecture came from, for messages. */
  readonly source: 'lab-model' | 'lab-safetensors' | 'matched';
}

export type PrepareResult = { readonly ok: true; readonly runnable: UploadedRunnable } | { readonly ok: false; readonly reason: string };

type TensorMap = ImportedWeights['tensors'];

const shapeOf = (t: TensorMap, name: string): readonly number[] | undefined => t.get(name)?.shape;

/** The config a lab safetensors export records in its metadata, or null. */
function configFromMetadata(meta: Record<string, string> | undefined): ModelConfig | null {
  if (!meta || meta.format !== MODEL_FORMAT || typeof meta.config !== 'string') return null;
  try {
    const c = JSON.parse(meta.config) as Partial<ModelConfig>;
    if (typeof c.arch !== 'string' || !isArchName(c.arch) || typeof c.numClasses !== 'number' || !Array.isArray(c.inputShape) || c.inputShape.length !== 3) return null;
    return { arch: c.arch, numClasses: c.numClasses, inputShape: [c.inputShape[0], c.inputShape[1], c.inputShape[2]], ...(c.options ? { options: c.options } : {}) };
  } catch {
    return null;
  }
}

/** A config for `arch` read off the tensor shapes (see the file comment), or null when they do not say. */
function inferConfig(arch: ArchName, tensors: TensorMap, inputShape: readonly [number, number, number]): ModelConfig | null {
  const head = shapeOf(tensors, 'head/dense/bias');
  if (!head || head.length !== 1 || head[0] < 2) return null;
  const base = { arch, numClasses: head[0], inputShape };
  if (arch !== 'cnn') return base;
  const conv1 = shapeOf(tensors, 'conv1/kernel');
  const fc1 = shapeOf(tensors, 'fc1/kernel');
  if (!conv1 || conv1.length !== 4 || !fc1 || fc1.length !== 2) return null;
  return { ...base, options: { width: conv1[3], hidden: fc1[1], batchNorm: tensors.has('bn1/gamma') } };
}

/** Builds `config` and writes the tensors into it; throws the engine's message when they do not fit. */
function buildFrom(config: ModelConfig, tensors: TensorMap, file: string): Model {
  const model = createModel(config.arch, {
    seed: 0,
    numClasses: config.numClasses,
    inputShape: config.inputShape,
    ...(config.options ? { options: config.options } : {}),
  });
  try {
    assignWeights(model, tensors, file);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

/** The architecture a key names, when it is one of the zoo. */
function keyArch(key: MethodKey): ArchName | null {
  const arch = methodOf(key).keyArch(key.key);
  return arch !== undefined && isArchName(arch) ? arch : null;
}

/** The model, rebuilt from the imported tensors by one of the three sources, or why not. */
function rebuild(imported: ImportedWeights, key: MethodKey, file: string, inputShape: readonly [number, number, number]): { model: Model; source: UploadedRunnable['source'] } | { reason: string } {
  if (imported.runnable) return { model: imported.runnable, source: 'lab-model' };
  const fromMeta = configFromMetadata(imported.metadata);
  if (fromMeta) {
    try {
      return { model: buildFrom(fromMeta, imported.tensors, file), source: 'lab-safetensors' };
    } catch (e) {
      return { reason: `its metadata names a ${fromMeta.arch} model, but ${e instanceof Error ? e.message : String(e)}` };
    }
  }
  const named = keyArch(key);
  const candidates = named ? [named] : ARCH_NAMES;
  let firstReason: string | null = null;
  for (const arch of candidates) {
    const config = inferConfig(arch, imported.tensors, inputShape);
    if (!config) {
      firstReason ??= `its tensors do not match the lab's ${arch} (no head/dense/bias${arch === 'cnn' ? ', conv1/kernel or fc1/kernel' : ''})`;
      continue;
    }
    try {
      return { model: buildFrom(config, imported.tensors, file), source: 'matched' };
    } catch (e) {
      firstReason ??= `its tensors do not match the lab's ${arch}: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  return { reason: `${firstReason ?? 'no zoo architecture matches its tensors'}. Runnable uploads: the lab's model.json + weights.bin, the lab's safetensors export, or a file whose tensors match a zoo architecture exactly.` };
}

/**
 * Imports the model files again (the verification path keeps only tensor values), rebuilds a
 * runnable model and checks that the key fits it. Never throws: a model that cannot run comes
 * back as `{ ok: false, reason }` (the verdict itself stands; only "Stress it" is unavailable).
 */
export async function prepareUploadedModel(
  modelFiles: readonly UploadedFile[],
  key: MethodKey,
  opts: { readonly limits?: Partial<ImportLimits>; readonly inputShape?: readonly [number, number, number] } = {},
): Promise<PrepareResult> {
  const file = modelFiles.map((f) => f.name).join(' + ');
  let model: Model | null = null;
  try {
    const imported = await importWeights(modelFiles, { buildModel: true, ...(opts.limits ? { limits: opts.limits } : {}) });
    const built = rebuild(imported, key, file, opts.inputShape ?? [32, 32, 3]);
    if ('reason' in built) return { ok: false, reason: `${file} cannot be run: ${built.reason}` };
    model = built.model;
    checkMethodKeyAgainstModel(key, model);
    return { ok: true, runnable: { model, key, source: built.source } };
  } catch (e) {
    model?.dispose();
    return { ok: false, reason: `${file} cannot be run with this key: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Number of trainable scalars of a model (shown on the card). */
export function parameterCount(model: Model): number {
  return model.paramInfo.reduce((s, p) => s + parameterSize(p), 0);
}
