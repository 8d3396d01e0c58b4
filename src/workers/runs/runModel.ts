/** A run's weights as a live model, and the checks that its key belongs to it. */
import { loadModel } from '../../engine/io/loadModel';
import { parseModelJson, saveModel, type ModelWeights } from '../../engine/io/modelFile';
import type { Model } from '../../engine/models/types';
import { serializeKey, type WatermasKey } from '../../engine/watermark';
import { parseMethodKeyFile, serializeMethodKey, type MethodKey } from '../../engine/methods';
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

/** The parsed key of a run (null for plain training). */
export function runKey(keyJson: string | null): MethodKey | null {
  return keyJson === null ? null : parseMethodKeyFile(keyJson);
}

/**
 * key.json text of a training run's key: a bare `WatermasKey` (what the trainer returns today) or a
 * `MethodKey` of any method ({ method, key }); null when there is none.
 */
export function keyJsonOf(key: WatermasKey | MethodKey | null | undefined): string | null {
  if (!key) return null;
  if ('key' in key && typeof key.key === 'object' && key.key !== null) {
    return serializeMethodKey(key as MethodKey);
  }
  return serializeKey(key as WatermasKey);
}
