/**
 * What the UI needs of one watermark method (the UI's counterpart of engine/methods/types.ts,
 * which the UI cannot import: it pulls in tfjs). Pure data and functions, so Node tests can import
 * them; the React parts of each method (settings, live line, panel extras) are in views.tsx.
 */
import type { z } from 'zod';
import type { AttackTargetInfo, WatermarkConfigOf, WatermarkMethodId, WatermarkMethodName, WatermarkPayload } from '../../../protocol/api';
import type { WatermarkForm } from '../watermarkDefaults';

export type PayloadKind = WatermarkPayload['kind'];

/** What a key's evidence is counted in: payload bits (BER) or triggers sent to the target (trigger accuracy). */
export type EvidenceKind = 'bits' | 'triggers';

/** One URL-hash field of a method's own settings (lecture/urlRegistry.ts writes and reads it only while the method is picked). */
export interface MethodUrlField {
  readonly key: string;
  readonly label: string;
  readonly schema: z.ZodType<unknown>;
  readonly decode?: (raw: string) => unknown;
  /** The value in the form (the method's defaults when the form has none yet). */
  get(form: WatermarkForm): unknown;
  /** The form fields to change for a value the schema accepted. */
  set(form: WatermarkForm, value: unknown): Partial<WatermarkForm>;
}

/** A URL field typed by its value (erased into a MethodUrlField for the list). */
export function methodUrlField<T>(spec: {
  readonly key: string;
  readonly label: string;
  readonly schema: z.ZodType<T>;
  readonly decode?: (raw: string) => unknown;
  readonly get: (form: WatermarkForm) => T;
  readonly set: (form: WatermarkForm, value: T) => Partial<WatermarkForm>;
}): MethodUrlField {
  return { ...spec, set: (form, value) => spec.set(form, value as T) };
}

/** A raw URL value as a number (empty: NaN, which every number schema rejects). */
export const urlNumber = (raw: string): unknown => (raw.trim() === '' ? NaN : Number(raw));

/** Each method's config (WatermarkConfigOf, as a lookup so that UiMethod<M> is covariant in M). */
export type ConfigByMethod = { readonly [K in WatermarkMethodName]: WatermarkConfigOf<K> };

/** A method of a training run's watermark as the Watermark panel and the URL state see it ('none' included). */
export interface UiMethod<M extends WatermarkMethodName = WatermarkMethodName> {
  readonly id: M;
  /** Short name: 'WaterMAS', 'Uchida', 'FCW'; 'plain' for no watermark (Runs drawer, attack series). */
  readonly name: string;
  /** The text of its option in the panel's Method select. */
  readonly optionLabel: string;
  /** The hint under the panel's fields; `payloadBits`: the payload's size (payloadSize). */
  hint(payloadBits: number): string;
  /** The payload kinds its mark can carry, in the select's order; [] = no payload (the payload and key fields are hidden). */
  readonly payloadKinds: readonly PayloadKind[];
  /** The payload and key seed fields apply (enabled). */
  readonly keyed: boolean;
  /** A run with it is watermarked (the panel shows the live evidence while it runs). */
  readonly marks: boolean;
  /** The WaterMAS objective settings (R, σ, λ, mode, ρ, margin) are its own and may change while it runs. */
  readonly liveObjective: boolean;
  /** The form fields it adds when picked (its own settings, at their defaults when the form has none yet). */
  onPick(form: WatermarkForm): Partial<WatermarkForm>;
  /** Its config from the panel's form: its own fields only (absent optional fields stay absent). */
  toConfig(form: WatermarkForm): ConfigByMethod[M];
  /** URL-hash fields of its own settings, in the hash's order. */
  readonly urlFields: readonly MethodUrlField[];
}

/** A method a key can be of: also how its key and its evidence are shown (Verify, Attack, stress test). */
export interface UiKeyMethod<M extends WatermarkMethodId = WatermarkMethodId> extends UiMethod<M> {
  /** Its name in a key's description ("… key key.json"): the Verify card. */
  readonly keyLabel: string;
  /** The article before `name` ('an FCW key'). */
  readonly article: 'a' | 'an';
  /** What its evidence counts: the BER of payload bits, or the trigger accuracy. */
  readonly evidence: EvidenceKind;
  /** What an unrelated model does with the p-value's probability ("An unrelated model … with probability p"). */
  readonly chanceEvent: string;
  /** Its key holds the marked weight positions (key interception attacks them: WaterMAS only). */
  readonly keyPositions: boolean;
  /** What an attack series on its model is named after, beside the attack ("R=4", "FCW"). */
  seriesTag(target: AttackTargetInfo): string;
}
