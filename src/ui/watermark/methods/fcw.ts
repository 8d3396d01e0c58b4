/** FCW, function-coupled watermark (methods.md §3): a trigger set trained towards one target class. */
import { z } from 'zod';
import type { FcwConfig } from '../../../protocol/api';
import { FCW_DEFAULTS } from '../../../protocol/watermarkDefaults';
import type { WatermarkForm } from '../watermarkDefaults';
import { methodUrlField, urlNumber, type MethodUrlField, type UiKeyMethod } from './types';

const fcwOf = (form: WatermarkForm): FcwConfig => form.fcw ?? FCW_DEFAULTS;

function fcwUrl<K extends keyof FcwConfig>(key: string, label: string, k: K, schema: z.ZodType<FcwConfig[K]>, decode?: (raw: string) => unknown): MethodUrlField {
  return methodUrlField<FcwConfig[K]>({ key, label, schema, decode, get: (f) => fcwOf(f)[k], set: (f, v) => ({ fcw: { ...fcwOf(f), [k]: v } }) });
}

export const FCW_UI: UiKeyMethod<'fcw'> = {
  id: 'fcw',
  name: 'FCW',
  optionLabel: 'FCW (trigger set)',
  hint: () => 'A black-box mark: trigger images fused from training images, all trained towards one target class.',
  payloadKinds: [],
  keyed: false,
  marks: true,
  liveObjective: false,
  onPick: (form) => ({ fcw: fcwOf(form) }),
  toConfig: (form) => ({ method: 'fcw', ...(form.fcw ? { fcw: form.fcw } : {}) }),
  urlFields: [
    fcwUrl('triggers', 'FCW triggers', 'triggers', z.number().int().min(1).max(1000), urlNumber),
    fcwUrl('fcwmode', 'FCW fusion', 'mode', z.enum(['direct', 'invisible'])),
    fcwUrl('ratio', 'FCW blend ratio', 'ratio', z.number().min(0).max(1), urlNumber),
    fcwUrl('perbatch', 'FCW triggers per batch', 'perBatch', z.number().int().min(0).max(1024), urlNumber),
    fcwUrl('maskfrac', 'FCW mask fraction', 'maskFraction', z.number().min(0).max(1), urlNumber),
    fcwUrl('maskperiod', 'FCW mask period', 'maskPeriod', z.number().int().min(1).max(100000), urlNumber),
  ],
  keyLabel: 'function-coupled trigger set (FCW)',
  article: 'an',
  evidence: 'triggers',
  chanceEvent: 'classifies this many triggers as the target',
  keyPositions: false,
  seriesTag: () => 'FCW',
};
