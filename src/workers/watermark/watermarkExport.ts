/** Downloads of the last trained model (model.json + weights.bin) and of its watermark key. */
import type { Model } from '../../engine/models/types';
import { saveModel } from '../../engine/io/modelFile';
import type { WatermasKey } from '../../engine/watermark';
import { methodOf, serializeMethodKey, type MethodKey } from '../../engine/methods';
import type { ModelExport } from '../../protocol/watermark';

/** A WaterMAS key as such, or a key of any method tagged with its method. */
export type ExportableKey = WatermasKey | MethodKey;

function tagged(key: ExportableKey): MethodKey {
  return 'key' in key ? key : { method: 'watermas', key };
}

/** What a model's metadata records of its key (never the key itself): method, and the fingerprint / trigger digest and creation time. */
function keyMetadata(key: MethodKey): Record<string, unknown> {
  return methodOf(key).keyMetadata(key.key);
}

/**
 * model.json text and weights.bin bytes of `model`. A watermarked model's metadata names the
 * key's method, architecture fingerprint (FCW: the triggers' SHA-256) and creation time.
 */
export async function exportModelFiles(model: Model, key: ExportableKey | null): Promise<ModelExport> {
  const metadata = key ? { watermark: keyMetadata(tagged(key)) } : undefined;
  const { modelJson, weightData } = await saveModel(model, metadata);
  return { modelJson: JSON.stringify(modelJson, null, 2), weights: weightData };
}

/** key.json text (the validated, versioned key file of the key's method: WaterMAS, Uchida or FCW). */
export function exportKeyText(key: ExportableKey): string {
  return serializeMethodKey(tagged(key));
}
