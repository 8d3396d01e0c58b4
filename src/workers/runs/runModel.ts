/** A run's weights as a live model, and the checks that its key belongs to it. */
import { loadModel } from '../../engine/io/loadModel';
import { parseModelJson, saveModel, type ModelWeights } from '../../engine/io/modelFile';
import type { Model } from '../../engine/models/types';
import { checkKeyAgainstModel, checkUchidaKeyAgainstModel, parseAnyKeyFile, serializeKey, type AnyKey, type Key } from '../../engine/watermark';
import { serializeUchidaKey } from '../../engine/watermark';
import { serializeFcwKey } from '../../engine/fcw/keyFile';
import type { RunModelFiles } from './runFile';

/** Rebuilds a run's model (the caller owns and disposes it). */
export function modelFromFiles(files: RunModelFiles): Model {
  return loadModel(parseModelJson(files.modelJson), files.weights);
}

/** model.json text + weights.bin bytes of a model or a snapshot of its weights (read, never written). */
export async function filesFromModel(model: ModelWeights): Promise<RunModelFiles> {
  const { modelJson, weightData } = await saveModel(model);
  return { modelJson: JSON.stringify(modelJson, null, 2), weights: weightData };
}

/** Throws a clear error when `key` cannot belong to `model` (architecture, marked layer, classes). */
export function checkAnyKeyAgainstModel(key: AnyKey, model: Model): void {
  if (key.method === 'watermas') checkKeyAgainstModel(key.key, model);
  else if (key.method === 'uchida') checkUchidaKeyAgainstModel(key.key, model);
  else if (key.key.numClasses !== model.config.numClasses) {
    throw new Error(`this FCW key is for a ${key.key.numClasses}-class model; the model has ${model.config.numClasses} classes`);
  }
}

/** The parsed key of a run (null for plain training). */
export function runKey(keyJson: string | null): AnyKey | null {
  return keyJson === null ? null : parseAnyKeyFile(keyJson);
}

/**
 * key.json text of a training run's key: a WaterMAS `Key` (what the trainer returns today) or an
 * `AnyKey` of any method ({ method, key }); null when there is none.
 */
export function keyJsonOf(key: Key | AnyKey | null | undefined): string | null {
  if (!key) return null;
  if ('key' in key && typeof key.key === 'object' && key.key !== null) {
    const k = key as AnyKey;
    if (k.method === 'uchida') return serializeUchidaKey(k.key);
    if (k.method === 'fcw') return serializeFcwKey(k.key);
    return serializeKey(k.key);
  }
  return serializeKey(key as Key);
}
