/**
 * The watermark methods of the UI, one line each (the UI's counterpart of engine/methods/registry.ts).
 * A new method is a module here (its UiKeyMethod), a line below and its view in views.tsx; UI code
 * looks a method up here instead of switching on its name.
 */
import type { WatermarkMethodId, WatermarkMethodName } from '../../../protocol/api';
import { WATERMARK_METHOD_NAMES } from '../../../protocol/watermarkDefaults';
import { FCW_UI } from './fcw';
import { NONE_UI } from './none';
import type { UiKeyMethod, UiMethod } from './types';
import { UCHIDA_UI } from './uchida';
import { WATERMAS_UI } from './watermas';

export const UI_METHODS: { readonly none: UiMethod<'none'> } & { readonly [M in WatermarkMethodId]: UiKeyMethod<M> } = {
  none: NONE_UI,
  watermas: WATERMAS_UI,
  uchida: UCHIDA_UI,
  fcw: FCW_UI,
};

/** Every method, in the order of the protocol's list (the panel's select, the URL's fields). */
export const UI_METHOD_LIST: readonly UiMethod[] = WATERMARK_METHOD_NAMES.map((id) => UI_METHODS[id]);

/** Reports and targets of older producers carry no method: they are WaterMAS (protocol/watermark.ts). */
export const UNTAGGED_METHOD: WatermarkMethodId = 'watermas';

/** The method of a run's watermark. */
export function uiMethod(id: WatermarkMethodName): UiMethod {
  return UI_METHODS[id];
}

/** The method of a key. */
export function keyMethod(id: WatermarkMethodId): UiKeyMethod {
  return UI_METHODS[id];
}

/** True for the methods a key can be of (every method but 'none'). */
export function isKeyMethod(id: WatermarkMethodName): id is WatermarkMethodId {
  return 'keyLabel' in UI_METHODS[id];
}

/** The method of a name that may be unknown (stored runs, imported files). */
export function findUiMethod(id: string): UiMethod | undefined {
  return UI_METHOD_LIST.find((m) => m.id === id);
}

/** The method of the run live reports come from: the report's, else the form's (a plain form: the untagged default). */
export function liveMethodOf(progress: { readonly method?: WatermarkMethodId } | null, formMethod: WatermarkMethodName): WatermarkMethodId {
  return progress?.method ?? (isKeyMethod(formMethod) ? formMethod : UNTAGGED_METHOD);
}
