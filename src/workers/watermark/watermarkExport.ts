/** Downloads of the last trained model (model.json + weights.bin) and of its watermark key. */
import type { Model } from '../../engine/models/types';
import { saveModel } from '../../engine/io/modelFile';
import { serializeFcwKey } from '../../engine/fcw';
import { serializeKey, serializeUchidaKey, type AnyKey, type Key } from '../../engine/watermark';
import type { ModelExport } from '../../protocol/watermark';

/** A WaterMAS key as such, or a key of any method tagged with its method. */
export type ExportableKey = Key | AnyKey;

function tagged(key: ExportableKey): AnyKey {
  return 'key' in key ? key : { method: 'watermas', key };
}

/** What a model's metadata records of its key (never the key itself): method, and the fingerprint / trigger digest and creation time. */
function keyMetadata(key: AnyKey): Record<string, unknown> {
  if (key.method === 'watermas') return { method: 'watermas', fingerprint: key.key.architecture.fingerprint, keyCreatedAt: key.key.createdAt };
  if (key.method === 'uchida') return { method: 'uchida', fingerprint: key.key.architecture.fingerprint, keyCreatedAt: key.key.createdAt };
  return { method: 'fcw', triggersSha256: key.key.pixelsSha256, keyCreatedAt: key.key.createdAt };
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
  const k = tagged(key);
  if (k.method === 'uchida') return serializeUchidaKey(k.key);
  if (k.method === 'fcw') return serializeFcwKey(k.key);
  return serializeKey(k.key);
}
