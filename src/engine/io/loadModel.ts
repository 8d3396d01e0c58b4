import { createModel, planModel, ModelTooLargeError } from '../models';
import type { Model } from '../models/types';
import { assignWeights, configOf, decodeWeights, ModelFileError, type ModelJson } from './modelFile';

/**
 * Rebuilds a model from validated model.json + its weight shard. The caller owns (disposes) it.
 * The architecture and options of model.json are first planned (shapes only, nothing allocated)
 * and checked against the weights manifest, so an edited option (`hidden=250000`) is refused
 * at once instead of building a model of that size.
 */
export function loadModel(json: ModelJson, weightData: ArrayBuffer, file = 'model.json'): Model {
  const config = configOf(json);
  const shapeOptions = { numClasses: config.numClasses, inputShape: config.inputShape, ...(config.options ? { options: config.options } : {}) };
  checkModelJsonPlan(json, file);
  const weights = decodeWeights(json, weightData);
  // inputShape matters: it sets the sizes of the dense layers after the convolutions (cnn, vgg).
  const model = createModel(config.arch, { seed: 0, ...shapeOptions });
  try {
    assignWeights(model, weights);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

/**
 * Refuses a lab model.json whose architecture and options do not describe exactly the tensors
 * of its manifest, or describe a model over MAX_MODEL_VALUES; plans shapes only (no allocation).
 */
export function checkModelJsonPlan(json: ModelJson, file: string): void {
  const config = configOf(json);
  const options = json.modelTopology.options ? ` with options ${JSON.stringify(json.modelTopology.options)}` : '';
  let planned;
  try {
    planned = planModel(config.arch, { numClasses: config.numClasses, inputShape: config.inputShape, ...(config.options ? { options: config.options } : {}) });
  } catch (e) {
    const why = e instanceof ModelTooLargeError ? e.message : `its options are invalid: ${(e as Error).message}`;
    throw new ModelFileError(file, `the ${json.modelTopology.arch} model${options} cannot be built: ${why}`);
  }
  const manifest = new Map(json.weightsManifest[0].weights.map((w) => [w.name, w.shape]));
  for (const p of [...planned.paramInfo, ...planned.stateInfo]) {
    const shape = manifest.get(p.name);
    if (!shape) throw new ModelFileError(file, `the ${json.modelTopology.arch} model${options} has tensor '${p.name}', which the weights manifest lacks`);
    if (shape.length !== p.shape.length || shape.some((d, i) => d !== p.shape[i])) {
      throw new ModelFileError(file, `tensor '${p.name}' is [${shape.join(', ')}] in the weights manifest but [${p.shape.join(', ')}] in the ${json.modelTopology.arch} model${options}`);
    }
    manifest.delete(p.name);
  }
  if (manifest.size > 0) throw new ModelFileError(file, `the weights manifest has tensors the ${json.modelTopology.arch} model${options} lacks: ${[...manifest.keys()].slice(0, 3).join(', ')}`);
}
