/** Key files of any method: parsed, serialised and checked through the method registry. */
import type { Model } from '../models/types';
import { parseKeyEnvelope } from '../watermark/keyFile';
import { DEFAULT_KEY_METHOD, getMethod, isMethodId, methodOf, type MethodKey } from './registry';

/**
 * Parses a key file of any method (dispatching on its `method`; none or an unknown one reads
 * as WaterMAS, whose schema names what is wrong), with the methods' specific errors.
 */
export function parseMethodKeyFile(jsonText: string): MethodKey {
  const raw = parseKeyEnvelope(jsonText);
  const method = isMethodId(raw.method) ? raw.method : DEFAULT_KEY_METHOD;
  return { method, key: getMethod(method).parseKeyFile(jsonText) } as MethodKey;
}

/** key.json text of a key of any method (the validated, versioned key file of its method). */
export function serializeMethodKey(key: MethodKey): string {
  return methodOf(key).serializeKey(key.key);
}

/** Throws a clear error when `key` cannot belong to `model` (architecture, marked layer, classes). */
export function checkMethodKeyAgainstModel(key: MethodKey, model: Pick<Model, 'paramInfo' | 'config'>): void {
  methodOf(key).checkKeyAgainstModel(key.key, model);
}
