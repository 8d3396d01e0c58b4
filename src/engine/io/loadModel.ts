import { createModel } from '../models';
import type { Model } from '../models/types';
import { assignWeights, configOf, decodeWeights, type ModelJson } from './modelFile';

/** Rebuilds a model from validated model.json + its weight shard. The caller owns (disposes) it. */
export function loadModel(json: ModelJson, weightData: ArrayBuffer): Model {
  const weights = decodeWeights(json, weightData);
  const config = configOf(json);
  // inputShape matters: it sets the sizes of the dense layers after the convolutions (cnn, vgg).
  const model = createModel(config.arch, {
    seed: 0,
    numClasses: config.numClasses,
    inputShape: config.inputShape,
    ...(config.options ? { options: config.options } : {}),
  });
  try {
    assignWeights(model, weights);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}
