import type { Model } from '../models/types';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, namedWeights } from './modelFile';
import { writeSafetensors, type SafetensorsInput } from './safetensors';

/**
 * The lab model as a safetensors file: every trainable parameter, then the BatchNorm state,
 * F32, under the lab's names and TF layouts (see safetensors.ts), so a lab key verifies it.
 * `__metadata__` records the format marker and the ModelConfig (JSON) for provenance.
 */
export async function exportSafetensors(model: Model, metadata: Record<string, string> = {}): Promise<Uint8Array> {
  const inputs: SafetensorsInput[] = [];
  for (const [name, t] of namedWeights(model)) {
    inputs.push({ name, shape: [...t.shape], dtype: 'F32', values: new Float32Array(await t.data()) });
  }
  return writeSafetensors(inputs, {
    format: MODEL_FORMAT,
    formatVersion: String(MODEL_FORMAT_VERSION),
    config: JSON.stringify(model.config),
    ...metadata,
  });
}
