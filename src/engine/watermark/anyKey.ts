import { parseKeyEnvelope, parseKeyFile, type Key } from './keyFile';
import { parseUchidaKeyFile, type UchidaKey } from './uchida';
import { parseFcwKeyFile, type FcwKey } from '../fcw/keyFile';

export type AnyKey =
  | { readonly method: 'watermas'; readonly key: Key }
  | { readonly method: 'uchida'; readonly key: UchidaKey }
  | { readonly method: 'fcw'; readonly key: FcwKey };

/** Parses a key file of any method (dispatching on `method`), with the same specific errors. */
export function parseAnyKeyFile(jsonText: string): AnyKey {
  const raw = parseKeyEnvelope(jsonText);
  if (raw.method === 'uchida') return { method: 'uchida', key: parseUchidaKeyFile(jsonText) };
  if (raw.method === 'fcw') return { method: 'fcw', key: parseFcwKeyFile(jsonText) };
  return { method: 'watermas', key: parseKeyFile(jsonText) };
}
