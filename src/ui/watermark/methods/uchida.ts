/** Uchida et al. 2017 (methods.md §4): random bits or text projected from one conv kernel, with a BCE regulariser. */
import { z } from 'zod';
import type { UchidaConfig } from '../../../protocol/api';
import { UCHIDA_DEFAULTS } from '../../../protocol/watermarkDefaults';
import type { WatermarkForm } from '../watermarkDefaults';
import { methodUrlField, urlNumber, type MethodUrlField, type UiKeyMethod } from './types';

const uchidaOf = (form: WatermarkForm): UchidaConfig => form.uchida ?? UCHIDA_DEFAULTS;

function uchidaUrl<K extends keyof UchidaConfig>(key: string, label: string, k: K, schema: z.ZodType<UchidaConfig[K]>, decode?: (raw: string) => unknown): MethodUrlField {
  return methodUrlField<UchidaConfig[K]>({ key, label, schema, decode, get: (f) => uchidaOf(f)[k], set: (f, v) => ({ uchida: { ...uchidaOf(f), [k]: v } }) });
}

export const UCHIDA_UI: UiKeyMethod<'uchida'> = {
  id: 'uchida',
  name: 'Uchida',
  optionLabel: 'Uchida 2017 (regulariser)',
  hint: (bits) => `${bits} bits projected from one conv kernel (Uchida et al. 2017); nothing is frozen.`,
  payloadKinds: ['random', 'text'],
  keyed: true,
  marks: true,
  liveObjective: false,
  onPick: (form) => ({ uchida: uchidaOf(form) }),
  toConfig: (form) => ({ method: 'uchida', payload: form.payload, key: form.key, ...(form.uchida ? { uchida: form.uchida } : {}) }),
  urlFields: [
    uchidaUrl('ulayer', 'Uchida layer', 'layer', z.string().max(200).regex(/^[\w./:-]*$/)),
    uchidaUrl('ulambda', 'Uchida λ', 'lambda', z.number().finite().min(0).max(100), urlNumber),
  ],
  keyLabel: 'Uchida',
  article: 'a',
  evidence: 'bits',
  chanceEvent: 'matches the key this well',
  keyPositions: false,
  seriesTag: () => 'Uchida',
};
