/**
 * The watermark methods of the lab, one line each (modelled on the attack registry). A new
 * method is a folder (its session and its `WatermarkMethod`) and a line here; the unions below
 * (keys, evidence, upload verifications) follow from this list.
 */
import type { WatermarkConfigOf, WatermarkMethodId } from '../../protocol/watermark';
import { FCW } from './fcw/method';
import type { WatermarkMethod } from './types';
import { UCHIDA } from './uchida/method';
import { WATERMAS } from './watermas/method';

export const METHODS = [
  WATERMAS,
  UCHIDA,
  FCW,
] as const;

type AnyMethod = (typeof METHODS)[number];
type Parts<M> = M extends WatermarkMethod<infer Id, infer Key, infer Evidence, infer Verified> ? { id: Id; key: Key; evidence: Evidence; verified: Verified } : never;

/** The key of any method, tagged with its method. */
export type MethodKey = Parts<AnyMethod> extends infer P ? (P extends { id: infer Id; key: infer Key } ? { readonly method: Id; readonly key: Key } : never) : never;
/**
 * The watermark evidence of a key of any method on (possibly attacked) weights, on one scale:
 * a p-value and a verdict for every method, with the BER (WaterMAS, Uchida) or the trigger
 * accuracy (FCW) beside it. This is what one point of an attack sweep records.
 */
export type KeyEvidence = Parts<AnyMethod>['evidence'];
/** An uploaded model verified against a key of any method (`method`, `keyFile`, the method's `result`). */
export type UploadVerification = Parts<AnyMethod>['verified'];

/** The key files without a `method` field are WaterMAS keys (version 1, before other methods). */
export const DEFAULT_KEY_METHOD: WatermarkMethodId = 'watermas';

/** True when `id` names a method of the registry. */
export function isMethodId(id: unknown): id is WatermarkMethodId {
  return METHODS.some((m) => m.id === id);
}

/** The method with this id (throws for an unknown id). */
export function getMethod(id: string): WatermarkMethod {
  const m = METHODS.find((x) => x.id === id);
  if (!m) throw new Error(`unknown watermark method "${id}" (known: ${METHODS.map((x) => x.id).join(', ')})`);
  return m as WatermarkMethod;
}

/** The method of a tagged key: its operations take the key's `key`. */
export function methodOf(key: Pick<MethodKey, 'method'>): WatermarkMethod {
  return getMethod(key.method);
}

/**
 * The key of a tagged key when it is of `method`, else undefined: for the features of one method
 * (the demo models and the comparison mode are WaterMAS's).
 */
export function keyOfMethod<Id extends WatermarkMethodId, Key>(key: Pick<MethodKey, 'method' | 'key'>, method: Pick<WatermarkMethod<Id, Key>, 'id' | 'parseKeyFile'>): Key | undefined {
  return key.method === method.id ? (key.key as Key) : undefined;
}

/** True when a watermark config (or a partial one) is of `method`. */
export function isConfigOf<Id extends WatermarkMethodId>(config: { readonly method?: unknown } | null | undefined, method: Pick<WatermarkMethod<Id>, 'id'>): config is WatermarkConfigOf<Id> {
  return config?.method === method.id;
}
