/**
 * The typed, versioned registry of the URL hash (as TF Playground does): one entry per field,
 * each with its key, a zod schema, how to read it from and write it into the view state.
 * Serialised readably (`#v=1&arch=cnn&lr=0.05&R=4&sigma=0.01&…`); parsing never throws: an
 * invalid value keeps the base value and yields a notice, unknown keys are ignored (and noted).
 *
 * Extending: add one `field(...)` entry to FIELDS (after the fields it depends on, e.g. a
 * method's own fields after `wm`). Entries that do not apply to the current state return
 * undefined from `get` and are not written.
 */
import { z } from 'zod';
import type { TrainSettings, WatermarkMethodName } from '../../protocol/api';
import { WATERMARK_METHOD_NAMES } from '../../protocol/watermarkDefaults';
import { BALANCE_MODES, REPLICA_BATCH_MODES, REPLICA_MODES, watermasLimitSchema } from '../../protocol/watermasSettings';
import { TRAIN_ARCHS, TRAIN_SETTING_LABELS, TrainSettingsSchema, type NumericTrainSetting } from '../../protocol/training';
import { UI_METHOD_LIST } from '../watermark/methods/registry';
import type { MethodUrlField, UiMethod } from '../watermark/methods/types';
import { DEFAULT_RANDOM_BITS, DEFAULT_TEXT, DEFAULT_WATERMARK, builtInLogo, watermarkForm, type WatermarkForm } from '../watermark/watermarkDefaults';
import { HIDEABLE_IDS } from './controls';
import { findPreset } from './presets';
import { OPENABLE_PANELS, PANELS, THEMES, defaultView, withOpenPanels, withRun, type OpenPanelId, type ViewState } from './viewState';

/** Bump when a key changes meaning; add the old version to MIGRATIONS. */
export const URL_STATE_VERSION = 1;

/**
 * Rewrites the parameters of an older version into the next one (key = the old version).
 * None yet: version 1 is the first.
 */
const MIGRATIONS: Readonly<Record<number, (p: Map<string, string>) => Map<string, string>>> = {};

/** One registry entry, type-erased for the list. */
export interface UrlField {
  readonly key: string;
  /** Human name used in notices. */
  readonly label: string;
  /** The value to write, or undefined when the field does not apply. */
  write(s: ViewState): string | undefined;
  /** Applies a raw value; returns the new state or a reason it was rejected. */
  read(s: ViewState, raw: string): { readonly state: ViewState } | { readonly error: string };
}

interface FieldSpec<T> {
  readonly key: string;
  readonly label: string;
  readonly schema: z.ZodType<T>;
  /** Raw string -> candidate value (default: the string itself). */
  readonly decode?: (raw: string) => unknown;
  /** Value -> raw string (default: String). */
  readonly encode?: (v: T) => string;
  readonly get: (s: ViewState) => T | undefined;
  readonly set: (s: ViewState, v: T) => ViewState;
}

/** Builds a registry entry from a typed spec. */
export function field<T>(spec: FieldSpec<T>): UrlField {
  const encode = spec.encode ?? ((v: T) => String(v));
  return {
    key: spec.key,
    label: spec.label,
    write: (s) => {
      const v = spec.get(s);
      return v === undefined ? undefined : encode(v);
    },
    read: (s, raw) => {
      const r = spec.schema.safeParse(spec.decode ? spec.decode(raw) : raw);
      if (!r.success) return { error: r.error.issues[0]?.message ?? 'invalid' };
      // Setting an equal value is a no-op: a plain run keeps `watermark` undefined.
      return { state: Object.is(spec.get(s), r.data) ? s : spec.set(s, r.data) };
    },
  };
}

const toNumber = (raw: string): unknown => (raw.trim() === '' ? NaN : Number(raw));
const num = (key: string, label: string, schema: z.ZodType<number>, get: (t: TrainSettings) => number, set: (t: TrainSettings, v: number) => TrainSettings) =>
  field<number>({ key, label, schema, decode: toNumber, get: (s) => get(s.settings), set: (s, v) => ({ ...s, settings: set(s.settings, v) }) });
const choice = <T extends string>(key: string, label: string, values: readonly [T, ...T[]], get: (t: TrainSettings) => T, set: (t: TrainSettings, v: T) => TrainSettings) =>
  field<T>({ key, label, schema: z.enum(values) as unknown as z.ZodType<T>, get: (s) => get(s.settings), set: (s, v) => ({ ...s, settings: set(s.settings, v) }) });

/** The watermark config in force (the panel's defaults when the settings carry none). */
const wmOf = (t: TrainSettings): WatermarkForm => watermarkForm(t.watermark);
const withWm = (t: TrainSettings, partial: Partial<WatermarkForm>): TrainSettings => ({ ...t, watermark: { ...wmOf(t), ...partial } as WatermarkForm });
const wmNum = (key: string, label: string, schema: z.ZodType<number>, k: 'strength' | 'replicas' | 'sigma' | 'lambda' | 'rho') =>
  num(key, label, schema, (t) => wmOf(t)[k], (t, v) => withWm(t, { [k]: v }));

/** A field of a method's own settings (its module's urlFields): written and read only while that method is picked. */
function methodField(method: UiMethod, spec: MethodUrlField): UrlField {
  return field<unknown>({
    key: spec.key,
    label: spec.label,
    schema: spec.schema,
    decode: spec.decode,
    get: (s) => (wmOf(s.settings).method === method.id ? spec.get(wmOf(s.settings)) : undefined),
    set: (s, v) => (wmOf(s.settings).method === method.id ? { ...s, settings: withWm(s.settings, spec.set(wmOf(s.settings), v)) } : s),
  });
}

/** A training setting, read with the training contract's own schema and label (protocol/training.ts). */
const setting = <K extends NumericTrainSetting | 'arch' | 'optimizer' | 'schedule' | 'augment'>(key: string, k: K, decode: (raw: string) => unknown = toNumber, encode?: (v: TrainSettings[K]) => string) =>
  field<TrainSettings[K]>({
    key,
    label: TRAIN_SETTING_LABELS[k],
    schema: TrainSettingsSchema.shape[k] as unknown as z.ZodType<TrainSettings[K]>,
    decode,
    encode,
    get: (s) => s.settings[k],
    set: (s, v) => ({ ...s, settings: { ...s.settings, [k]: v } }),
  });
const asText = (raw: string): unknown => raw;

/** Architectures the engine registers (the training contract's list, protocol/training.ts). */
export const KNOWN_ARCHS = TRAIN_ARCHS;
/** Watermark methods a link may name: every method (protocol/watermarkDefaults.ts); their own fields come from the UI method registry. */
export const LINKABLE_METHODS: readonly [WatermarkMethodName, ...WatermarkMethodName[]] = WATERMARK_METHOD_NAMES;

/** Every field of the hash, in application order. */
export const FIELDS: readonly UrlField[] = [
  field<string>({ key: 'theme', label: 'theme', schema: z.enum(THEMES), get: (s) => s.theme, set: (s, v) => ({ ...s, theme: v as ViewState['theme'] }) }),
  field<string>({
    key: 'focus',
    label: 'focused panel',
    schema: z.enum(PANELS),
    get: (s) => s.focus ?? undefined,
    set: (s, v) => ({ ...s, focus: v as ViewState['focus'] }),
  }),
  // Training: every setting with the training contract's schema (protocol/training.ts).
  setting('arch', 'arch', asText),
  setting('epochs', 'epochs'),
  setting('batch', 'batchSize'),
  setting('lr', 'learningRate'),
  setting('opt', 'optimizer', asText),
  setting('momentum', 'momentum'),
  setting('wd', 'weightDecay'),
  setting('sched', 'schedule', asText),
  setting('seed', 'seed'),
  setting('train', 'trainLimit'),
  setting('test', 'testLimit'),
  setting('aug', 'augment', (raw) => (raw === '1' || raw === 'true' ? true : raw === '0' || raw === 'false' ? false : raw), (v) => (v ? '1' : '0')),
  // Watermark: method first, then the payload kind, then the fields that depend on them.
  choice('wm', 'watermark method', LINKABLE_METHODS, (t) => wmOf(t).method, (t, v) => withWm(t, { method: v })),
  field<string>({
    key: 'payload',
    label: 'payload kind',
    schema: z.enum(['random', 'text', 'image']),
    get: (s) => wmOf(s.settings).payload.kind,
    // The image is the built-in logo: an uploaded image does not fit in a link (our choice).
    set: (s, v) => ({
      ...s,
      settings: withWm(s.settings, { payload: v === 'random' ? { kind: 'random', bits: DEFAULT_RANDOM_BITS } : v === 'text' ? { kind: 'text', text: DEFAULT_TEXT } : builtInLogo() }),
    }),
  }),
  field<number>({
    key: 'bits',
    label: 'payload bits',
    schema: z.number().int().min(8).max(4096),
    decode: toNumber,
    get: (s) => {
      const p = wmOf(s.settings).payload;
      return p.kind === 'random' ? p.bits : undefined;
    },
    set: (s, v) => (wmOf(s.settings).payload.kind === 'random' ? { ...s, settings: withWm(s.settings, { payload: { kind: 'random', bits: v } }) } : s),
  }),
  field<string>({
    key: 'text',
    label: 'watermark text',
    schema: z.string().max(128),
    get: (s) => {
      const p = wmOf(s.settings).payload;
      return p.kind === 'text' ? p.text : undefined;
    },
    set: (s, v) => (wmOf(s.settings).payload.kind === 'text' ? { ...s, settings: withWm(s.settings, { payload: { kind: 'text', text: v } }) } : s),
  }),
  // The passphrase itself never goes into a link: a passphrase key arrives with an empty field.
  choice('keysrc', 'key seed', ['random', 'passphrase'], (t) => wmOf(t).key.kind, (t, v) => withWm(t, { key: v === 'passphrase' ? { kind: 'passphrase', passphrase: '' } : { kind: 'random' } })),
  wmNum('q', 'strength q', z.number().min(0).max(1), 'strength'),
  choice('mode', 'replica mode', REPLICA_MODES, (t) => wmOf(t).mode, (t, v) => withWm(t, { mode: v })),
  // The objective's numbers, read with the WaterMAS contract's limits (protocol/watermasSettings.ts).
  wmNum('R', 'replicas R', watermasLimitSchema('replicas', 'replicas R'), 'replicas'),
  wmNum('sigma', 'noise σ', watermasLimitSchema('sigma', 'noise σ'), 'sigma'),
  wmNum('lambda', 'weight λ', watermasLimitSchema('lambda', 'weight λ'), 'lambda'),
  wmNum('rho', 'radius ρ', watermasLimitSchema('rho', 'radius ρ'), 'rho'),
  field<number>({
    key: 'margin',
    label: 'margin m',
    schema: watermasLimitSchema('margin', 'margin m'),
    decode: (raw) => (raw === 'off' ? Infinity : toNumber(raw)),
    encode: (v) => (Number.isFinite(v) ? String(v) : 'off'),
    get: (s) => wmOf(s.settings).margin,
    set: (s, v) => ({ ...s, settings: withWm(s.settings, { margin: v }) }),
  }),
  choice('rbatch', 'replica batch', REPLICA_BATCH_MODES, (t) => wmOf(t).replicaBatch ?? DEFAULT_WATERMARK.replicaBatch ?? 'half', (t, v) => withWm(t, { replicaBatch: v })),
  choice('balance', 'λ scales', BALANCE_MODES, (t) => wmOf(t).balance ?? DEFAULT_WATERMARK.balance ?? 'loss', (t, v) => withWm(t, { balance: v })),
  // Each method's own settings (Uchida: methods.md §4, FCW: §3), only while that method is picked.
  ...UI_METHOD_LIST.flatMap((m) => m.urlFields.map((f) => methodField(m, f))),
  // The preset's stage (ViewState.stage): shared links carry it, a lecturer's link opens on it.
  field<boolean>({
    key: 'stage',
    label: 'stage',
    schema: z.boolean(),
    decode: (raw) => (raw === '1' ? true : raw === '0' ? false : raw),
    encode: (v) => (v ? '1' : '0'),
    get: (s) => (s.stage ? true : undefined),
    set: (s, v) => ({ ...s, stage: v }),
  }),
  // Classroom links.
  field<string[]>({
    key: 'hide',
    label: 'hidden controls',
    schema: z.array(z.string()),
    decode: (raw) => raw.split(',').map((x) => x.trim()).filter((x) => x !== ''),
    encode: (v) => v.join(','),
    get: (s) => (s.hidden.length > 0 ? normaliseHidden(s.hidden) : undefined),
    set: (s, v) => ({ ...s, hidden: normaliseHidden(v) }),
  }),
  // Reload state: the current run and the open drawers (new keys in version 1: old links simply
  // lack them). Shared links leave them out (viewState.ts, withoutReloadState).
  field<string>({
    key: 'run',
    label: 'current run',
    // Run ids are UUIDs, `run-…` ids or an imported file's id (1 to 200 characters).
    schema: z.string().min(1, 'empty run id').max(200).refine((id) => id.trim() === id, 'run id with surrounding spaces'),
    get: (s) => s.run,
    set: (s, v) => withRun(s, v),
  }),
  field<OpenPanelId[]>({
    key: 'open',
    label: 'open panels',
    schema: z.array(z.enum(OPENABLE_PANELS)),
    decode: (raw) => raw.split(',').map((x) => x.trim()).filter((x) => x !== ''),
    encode: (v) => v.join(','),
    get: (s) => (s.open && s.open.length > 0 ? [...new Set(s.open)].sort() : undefined),
    set: (s, v) => withOpenPanels(s, v),
  }),
];

/** Known control ids only, sorted and unique. */
export function normaliseHidden(ids: readonly string[]): string[] {
  return [...new Set(ids.filter((id) => HIDEABLE_IDS.has(id)))].sort();
}

/** Encodes a value for the hash, keeping it readable (`,` stays, a space becomes `+`). */
const enc = (v: string) => encodeURIComponent(v).replace(/%2C/gi, ',').replace(/%20/g, '+');

/** The hash (without '#') of a view: `v=1&preset=…&theme=…&arch=…&…`. */
export function serializeView(s: ViewState): string {
  const parts = [`v=${URL_STATE_VERSION}`];
  if (s.preset) parts.push(`preset=${enc(s.preset)}`);
  for (const f of FIELDS) {
    const v = f.write(s);
    if (v !== undefined) parts.push(`${f.key}=${enc(v)}`);
  }
  return parts.join('&');
}

export interface ParsedView {
  readonly state: ViewState;
  /** Human-readable notes about what was ignored or fell back to a default (empty when clean). */
  readonly notices: readonly string[];
}

/**
 * Parses a hash (with or without '#') over the defaults: `preset` first (its settings become the
 * base), then every registry field present. Never throws.
 */
export function parseView(hash: string, defaults: TrainSettings): ParsedView {
  const notices: string[] = [];
  let params = new Map<string, string>();
  try {
    for (const [k, v] of new URLSearchParams(hash.replace(/^#/, ''))) params.set(k, v);
  } catch {
    return { state: defaultView(defaults), notices: ['The link could not be read; showing the defaults.'] };
  }
  let state = defaultView(defaults);
  if (params.size === 0) return { state, notices };

  const rawVersion = params.get('v');
  let version = URL_STATE_VERSION;
  if (rawVersion !== undefined) {
    const n = Number(rawVersion);
    if (!Number.isInteger(n) || n < 1) notices.push(`Unknown link version "${rawVersion}"; read as version ${URL_STATE_VERSION}.`);
    else version = n;
  }
  if (version > URL_STATE_VERSION) notices.push(`This link comes from a newer version of the lab (v${version}); settings it does not know were ignored.`);
  for (let v = version; v < URL_STATE_VERSION; v++) {
    const migrate = MIGRATIONS[v];
    if (migrate) params = migrate(params);
  }

  const presetId = params.get('preset');
  if (presetId !== undefined) {
    const preset = findPreset(presetId);
    if (preset) state = { ...state, preset: preset.id, settings: preset.settings, theme: preset.theme, focus: preset.focus };
    else notices.push(`Unknown preset "${presetId}"; showing the defaults.`);
  }

  const fallbacks: string[] = [];
  for (const f of FIELDS) {
    const raw = params.get(f.key);
    if (raw === undefined) continue;
    const r = f.read(state, raw);
    if ('state' in r) state = r.state;
    else fallbacks.push(`${f.label} "${raw}"`);
  }
  if (fallbacks.length > 0) notices.push(`Invalid value${fallbacks.length > 1 ? 's' : ''} in the link, kept the default: ${fallbacks.join(', ')}.`);

  const hideRaw = params.get('hide');
  if (hideRaw !== undefined) {
    const unknownIds = hideRaw.split(',').map((x) => x.trim()).filter((x) => x !== '' && !HIDEABLE_IDS.has(x));
    if (unknownIds.length > 0) notices.push(`Unknown control${unknownIds.length > 1 ? 's' : ''} to hide, ignored: ${unknownIds.join(', ')}.`);
  }
  const known = new Set(['v', 'preset', ...FIELDS.map((f) => f.key)]);
  const unknownKeys = [...params.keys()].filter((k) => !known.has(k));
  if (unknownKeys.length > 0 && version <= URL_STATE_VERSION) notices.push(`Ignored unknown link parameter${unknownKeys.length > 1 ? 's' : ''}: ${unknownKeys.join(', ')}.`);
  return { state, notices };
}
