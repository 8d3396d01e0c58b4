import type { Model } from '../engine/models/types';
import { checkKeyAgainstModel, checkUchidaKeyAgainstModel, parseAnyKeyFile, type AnyKey } from '../engine/watermark';
import { readModelFile } from './modelFiles';
import { READ_LIMITS, readUntrustedText } from './readUntrusted';

/**
 * Reads a model and a key of any method (WaterMAS, Uchida, FCW) and checks that they belong
 * together: architecture fingerprint (WaterMAS), the marked layer's shape (Uchida), the number
 * of classes (FCW, a black-box key).
 */
export async function readModelAndAnyKey(modelPath: string, keyPath: string): Promise<{ model: Model; key: AnyKey }> {
  const keyText = await readUntrustedText(keyPath, 'key file', READ_LIMITS.json);
  const key = parseAnyKeyFile(keyText);
  const model = await readModelFile(modelPath);
  try {
    if (key.method === 'watermas') checkKeyAgainstModel(key.key, model);
    else if (key.method === 'uchida') checkUchidaKeyAgainstModel(key.key, model);
    else if (key.key.numClasses !== model.config.numClasses) {
      throw new Error(`${keyPath}: this FCW key is for a ${key.key.numClasses}-class model; the model has ${model.config.numClasses} classes`);
    }
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, key };
}

/** The evidence of a key on (attacked) weights: now in the engine (shared with the lab's worker). */
export { keyEvidence, type KeyEvidence } from '../engine/watermark/anyKeyEvidence';

/** One line for the progress log, from a sweep point's metrics (KeyEvidence fields). */
export function describeEvidence(m: Readonly<Record<string, number | boolean>>): string {
  const p = `p ${Number(m.pValue).toExponential(2)}`;
  if (typeof m.triggerAccuracy === 'number') return `trigger accuracy ${(100 * m.triggerAccuracy).toFixed(1)}% ${p}`;
  const erased = typeof m.erasureRate === 'number' && m.erasureRate > 0 ? ` (erasures ${Number(m.erasureRate).toFixed(4)} of it)` : '';
  return `ber ${Number(m.ber).toFixed(4)}${erased} ${p}`;
}
