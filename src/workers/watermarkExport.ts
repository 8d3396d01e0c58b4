/** Downloads of the last trained model (model.json + weights.bin) and of its watermark key. */
import type { Model } from '../engine/models/types';
import { saveModel } from '../engine/io/modelFile';
import { serializeKey, type Key } from '../engine/watermark';
import type { ModelExport } from './watermarkApi';

/**
 * model.json text and weights.bin bytes of `model`. A watermarked model's metadata names the
 * key's architecture fingerprint and creation time (never the key itself).
 */
export async function exportModelFiles(model: Model, key: Key | null): Promise<ModelExport> {
  const metadata = key ? { watermark: { method: key.method, fingerprint: key.architecture.fingerprint, keyCreatedAt: key.createdAt } } : undefined;
  const { modelJson, weightData } = await saveModel(model, metadata);
  return { modelJson: JSON.stringify(modelJson, null, 2), weights: weightData };
}

/** key.json text (the validated, versioned key file). */
export function exportKeyText(key: Key): string {
  return serializeKey(key);
}
