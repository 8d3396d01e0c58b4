import { describe, expect, it } from 'vitest';
import type { TrainSettings, WatermarkMethodName, WatermarkPayload, WatermasMarkConfig } from '../../../src/protocol/api';
import {
  FCW_DEFAULTS,
  UCHIDA_DEFAULTS,
  WATERMARK_METHOD_LIST_COMPLETE,
  WATERMARK_METHOD_NAMES,
  WATERMAS_DEFAULTS,
  WATERMAS_MARK_DEFAULTS,
  WATERMAS_RECIPE_2020,
} from '../../../src/protocol/watermarkDefaults';
import { DEFAULT_WATERMAS_SETTINGS, RECIPE_2020_SETTINGS } from '../../../src/engine/watermark/settings';
import { COMPARE_BASE_MARK } from '../../../src/workers/compare-mode/compareSettings';
import { baseMark, panelWatermasForm } from '../../../src/ui/compare-mode/compareMark';
import { FIELDS } from '../../../src/ui/lecture/urlRegistry';
import { PRESETS } from '../../../src/ui/lecture/presets';
import { methodName } from '../../../src/ui/runs/runsFormat';
import { UI_METHODS, UI_METHOD_LIST, UNTAGGED_METHOD, findUiMethod, isKeyMethod, keyMethod, liveMethodOf, uiMethod } from '../../../src/ui/watermark/methods/registry';
import { DEFAULT_FCW, DEFAULT_TEXT, DEFAULT_UCHIDA, DEFAULT_WATERMARK, builtInLogo, withMethod, type WatermarkForm } from '../../../src/ui/watermark/watermarkDefaults';

const KEY_METHODS = WATERMARK_METHOD_NAMES.filter((m) => m !== 'none');

describe('UI method registry', () => {
  it('has one entry per method of the protocol union, in its order', () => {
    expect(WATERMARK_METHOD_LIST_COMPLETE).toBe(true);
    expect(Object.keys(UI_METHODS).sort()).toEqual([...WATERMARK_METHOD_NAMES].sort());
    expect(UI_METHOD_LIST.map((m) => m.id)).toEqual([...WATERMARK_METHOD_NAMES]);
    for (const id of WATERMARK_METHOD_NAMES) {
      expect(uiMethod(id).id).toBe(id);
      expect(findUiMethod(id)).toBe(uiMethod(id));
    }
    expect(findUiMethod('nope')).toBeUndefined();
  });

  it('every method but none is a key method with its evidence and key texts', () => {
    expect(WATERMARK_METHOD_NAMES.filter((m) => isKeyMethod(m))).toEqual(KEY_METHODS);
    for (const id of KEY_METHODS) {
      const m = keyMethod(id);
      expect(m.keyLabel).not.toBe('');
      expect(m.chanceEvent).not.toBe('');
      expect(['bits', 'triggers']).toContain(m.evidence);
    }
  });

  it('keeps the texts the switches had', () => {
    expect(UI_METHOD_LIST.map((m) => m.optionLabel)).toEqual(['none (plain training)', 'WaterMAS', 'Uchida 2017 (regulariser)', 'FCW (trigger set)']);
    expect(UI_METHOD_LIST.map((m) => m.hint(128))).toEqual([
      'Pick a method to mark the next run.',
      '128 marked weights.',
      '128 bits projected from one conv kernel (Uchida et al. 2017); nothing is frozen.',
      'A black-box mark: trigger images fused from training images, all trained towards one target class.',
    ]);
    // Runs drawer, attack series, Verify card
    expect(['none', 'watermas', 'uchida', 'fcw', 'other'].map(methodName)).toEqual(['plain', 'WaterMAS', 'Uchida', 'FCW', 'other']);
    expect(KEY_METHODS.map((m) => keyMethod(m).keyLabel)).toEqual(['WaterMAS', 'Uchida', 'function-coupled trigger set (FCW)']);
    expect(KEY_METHODS.map((m) => `${keyMethod(m).article} ${keyMethod(m).name}`)).toEqual(['a WaterMAS', 'a Uchida', 'an FCW']);
    expect(KEY_METHODS.map((m) => keyMethod(m).chanceEvent)).toEqual(['matches the key this well', 'matches the key this well', 'classifies this many triggers as the target']);
    expect(KEY_METHODS.map((m) => keyMethod(m).seriesTag({ arch: 'cnn', method: m, replicas: m === 'watermas' ? 4 : null }))).toEqual(['R=4', 'Uchida', 'FCW']);
    // Attack / stress: evidence kind and key interception
    expect(KEY_METHODS.map((m) => keyMethod(m).evidence)).toEqual(['bits', 'bits', 'triggers']);
    expect(KEY_METHODS.filter((m) => keyMethod(m).keyPositions)).toEqual(['watermas']);
  });

  it('keeps the panel dispatch: payload kinds, keyed fields, live objective, live method', () => {
    expect(UI_METHOD_LIST.map((m) => [m.id, m.payloadKinds, m.keyed, m.marks, m.liveObjective])).toEqual([
      ['none', ['random', 'text', 'image'], false, false, false],
      ['watermas', ['random', 'text', 'image'], true, true, true],
      ['uchida', ['random', 'text'], true, true, false],
      ['fcw', [], false, true, false],
    ]);
    expect(UNTAGGED_METHOD).toBe('watermas');
    expect(liveMethodOf(null, 'none')).toBe('watermas');
    expect(liveMethodOf(null, 'fcw')).toBe('fcw');
    expect(liveMethodOf({ method: 'uchida' }, 'none')).toBe('uchida');
    expect(liveMethodOf({}, 'uchida')).toBe('uchida');
  });

  it("lists each method's own URL fields after the WaterMAS fields, in the hash's order", () => {
    const keys = FIELDS.map((f) => f.key);
    const own = ['ulayer', 'ulambda', 'triggers', 'fcwmode', 'ratio', 'perbatch', 'maskfrac', 'maskperiod'];
    expect(UI_METHOD_LIST.flatMap((m) => m.urlFields.map((f) => f.key))).toEqual(own);
    expect(keys.slice(keys.indexOf('balance') + 1, keys.indexOf('balance') + 1 + own.length)).toEqual(own);
  });
});

/** withMethod as it was before the registry (three switches on the method). */
function withMethodBefore(config: WatermarkForm, method: WatermarkMethodName): WatermarkForm {
  const payload = method === 'uchida' && config.payload.kind === 'image' ? { kind: 'text' as const, text: DEFAULT_TEXT } : config.payload;
  return {
    ...config,
    method,
    payload,
    ...(method === 'uchida' ? { uchida: config.uchida ?? DEFAULT_UCHIDA } : {}),
    ...(method === 'fcw' ? { fcw: config.fcw ?? DEFAULT_FCW } : {}),
  };
}

/** compareMark.baseMark as it was before the registry. */
function baseMarkBefore(settings: TrainSettings, bits: number): WatermasMarkConfig {
  const w = settings.watermark?.method === 'watermas' ? settings.watermark : DEFAULT_WATERMARK;
  return {
    method: 'watermas',
    payload: { kind: 'random', bits },
    strength: w.strength,
    key: w.key,
    replicas: w.replicas,
    sigma: w.sigma,
    lambda: w.lambda,
    mode: w.mode,
    rho: w.rho,
    margin: w.margin,
    ...(w.antithetic !== undefined ? { antithetic: w.antithetic } : {}),
    ...(w.replicaBn !== undefined ? { replicaBn: w.replicaBn } : {}),
    ...(w.replicaBatch !== undefined ? { replicaBatch: w.replicaBatch } : {}),
    ...(w.balance !== undefined ? { balance: w.balance } : {}),
  };
}

const PAYLOADS: readonly WatermarkPayload[] = [{ kind: 'random', bits: 64 }, { kind: 'text', text: 'hi' }, builtInLogo()];
const FORMS: readonly WatermarkForm[] = [
  DEFAULT_WATERMARK,
  ...PAYLOADS.map((payload) => ({ ...DEFAULT_WATERMARK, payload })),
  { ...DEFAULT_WATERMARK, uchida: { layer: 'conv2/kernel', lambda: 0.05 }, fcw: { ...DEFAULT_FCW, triggers: 12 }, antithetic: true, replicaBn: 'batch' },
  ...PRESETS.flatMap((p) => (p.settings.watermark ? [p.settings.watermark as WatermarkForm] : [])),
];

describe('config building per method', () => {
  it('picking a method gives the same form as before', () => {
    for (const form of FORMS) for (const m of WATERMARK_METHOD_NAMES) expect(withMethod(form, m)).toEqual(withMethodBefore(form, m));
  });

  it("compare mode's shared mark is the same as before, key order included", () => {
    const settings: TrainSettings[] = [
      ...PRESETS.map((p) => p.settings),
      ...FORMS.flatMap((f) => WATERMARK_METHOD_NAMES.map((m) => ({ ...PRESETS[0].settings, watermark: withMethod(f, m) }))),
    ];
    const plain = { ...PRESETS[0].settings };
    delete (plain as { watermark?: unknown }).watermark;
    settings.push(plain);
    for (const s of settings) {
      expect(baseMark(s, 128)).toEqual(baseMarkBefore(s, 128));
      expect(JSON.stringify(baseMark(s, 128))).toBe(JSON.stringify(baseMarkBefore(s, 128)));
      expect(panelWatermasForm(s) !== null).toBe(s.watermark?.method === 'watermas');
    }
  });

  it('each method builds its own config from the form: its fields only', () => {
    const form: WatermarkForm = { ...withMethod(DEFAULT_WATERMARK, 'fcw'), uchida: { layer: 'c', lambda: 0.1 } };
    expect(UI_METHODS.none.toConfig(form)).toEqual({ method: 'none' });
    expect(UI_METHODS.watermas.toConfig(form)).toEqual({ ...baseMarkBefore({ ...PRESETS[0].settings, watermark: { ...form, method: 'watermas' } }, 8), payload: form.payload });
    expect(UI_METHODS.uchida.toConfig(form)).toEqual({ method: 'uchida', payload: form.payload, key: form.key, uchida: { layer: 'c', lambda: 0.1 } });
    expect(UI_METHODS.fcw.toConfig(form)).toEqual({ method: 'fcw', fcw: DEFAULT_FCW });
    expect('uchida' in UI_METHODS.uchida.toConfig(DEFAULT_WATERMARK)).toBe(false);
    expect('fcw' in UI_METHODS.fcw.toConfig(DEFAULT_WATERMARK)).toBe(false);
  });
});

describe('WaterMAS defaults are written once (protocol/watermarkDefaults.ts)', () => {
  it('the engine uses the protocol objects', () => {
    expect(DEFAULT_WATERMAS_SETTINGS).toBe(WATERMAS_DEFAULTS);
    expect(RECIPE_2020_SETTINGS).toBe(WATERMAS_RECIPE_2020);
    expect(WATERMAS_DEFAULTS).toEqual({ ...WATERMAS_RECIPE_2020, replicaBatch: 'half', replicaBn: 'clean' });
  });

  it('the panel and compare mode start from them, with the same values as before', () => {
    const { replicas, sigma, lambda, mode, rho, margin, replicaBatch, balance } = WATERMAS_DEFAULTS;
    expect(WATERMAS_MARK_DEFAULTS).toEqual({ strength: 0.5, key: { kind: 'random' }, replicas, sigma, lambda, mode, rho, margin });
    expect(DEFAULT_WATERMARK).toEqual({
      method: 'none', payload: { kind: 'text', text: DEFAULT_TEXT }, strength: 0.5, key: { kind: 'random' },
      replicas: 2, sigma: 0.01, lambda: 0.5, mode: 'gaussian', rho: 0.05, margin: 0.5, replicaBatch: 'half', balance: 'loss',
    });
    expect(DEFAULT_WATERMARK).toMatchObject({ ...WATERMAS_MARK_DEFAULTS, replicaBatch, balance });
    expect(COMPARE_BASE_MARK).toEqual({
      method: 'watermas', payload: { kind: 'random', bits: 256 }, strength: 0.5, key: { kind: 'random' },
      replicas: 2, sigma: 0.01, lambda: 0.5, mode: 'gaussian', rho: 0.05, margin: 0.5,
    });
    expect(COMPARE_BASE_MARK).toMatchObject(WATERMAS_MARK_DEFAULTS);
    expect(DEFAULT_UCHIDA).toBe(UCHIDA_DEFAULTS);
    expect(DEFAULT_FCW).toBe(FCW_DEFAULTS);
  });
});
