import type { Model } from '../engine/models/types';
import { KeyModelMismatchError, parseKeyFile, type WatermasKey } from '../engine/watermark';
import { checkMethodKeyAgainstModel, parseMethodKeyFile, type MethodKey } from '../engine/methods';
import { readModelFile } from './modelFiles';
import { READ_LIMITS, readUntrustedText } from './readUntrusted';

/**
 * Reads a model and a key of any method (WaterMAS, Uchida, FCW) and checks that they belong
 * together: architecture fingerprint (WaterMAS), the marked layer's shape (Uchida), the number
 * of classes (FCW, a black-box key).
 */
export function readModelAndMethodKey(modelPath: string, keyPath: string): Promise<{ model: Model; key: MethodKey }> {
  return readModelAndKeyWith(modelPath, keyPath, parseMethodKeyFile, (key) => key);
}

/** Reads a model and its WaterMAS key (another method's key is refused by the parser) and checks that they belong together. */
export function readModelAndWatermasKey(modelPath: string, keyPath: string): Promise<{ model: Model; key: WatermasKey }> {
  return readModelAndKeyWith(modelPath, keyPath, parseKeyFile, (key) => ({ method: 'watermas', key }));
}

/** The one loader: the key first (cheap, and a bad key should not cost a model read), then the model, then the check. */
async function readModelAndKeyWith<K>(modelPath: string, keyPath: string, parse: (text: string) => K, tagged: (key: K) => MethodKey): Promise<{ model: Model; key: K }> {
  const keyText = await readUntrustedText(keyPath, 'key file', READ_LIMITS.json);
  const key = parse(keyText);
  const model = await readModelFile(modelPath);
  try {
    checkMethodKeyAgainstModel(tagged(key), model);
  } catch (e) {
    model.dispose();
    // A mismatch names its tensor; another refusal (an FCW key's classes) names the key file.
    throw e instanceof KeyModelMismatchError || !(e instanceof Error) ? e : new Error(`${keyPath}: ${e.message}`);
  }
  return { model, key };
}

/** The evidence of a key on (attacked) weights: in the engine (shared with the lab's worker). */
export { keyEvidence, type KeyEvidence } from '../engine/methods';

/** One line for the progress log, from a sweep point's metrics (KeyEvidence fields). */
export function describeEvidence(m: Readonly<Record<string, number | boolean>>): string {
  const p = `p ${Number(m.pValue).toExponential(2)}`;
  if (typeof m.triggerAccuracy === 'number') return `trigger accuracy ${(100 * m.triggerAccuracy).toFixed(1)}% ${p}`;
  const erased = typeof m.erasureRate === 'number' && m.erasureRate > 0 ? ` (erasures ${Number(m.erasureRate).toFixed(4)} of it)` : '';
  return `ber ${Number(m.ber).toFixed(4)}${erased} ${p}`;
}
