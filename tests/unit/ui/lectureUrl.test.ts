import { describe, expect, it } from 'vitest';
import type { TrainSettings } from '../../../src/protocol/api';
import { FIELDS, URL_STATE_VERSION, parseView, serializeView } from '../../../src/ui/lecture/urlRegistry';
import { PRESETS, findPreset } from '../../../src/ui/lecture/presets';
import { defaultView, type ViewState } from '../../../src/ui/lecture/viewState';
import { HIDDEN_WITH, HIDEABLE_IDS } from '../../../src/ui/lecture/controls';
import { DEFAULT_WATERMARK, watermarkForm } from '../../../src/ui/watermark/watermarkDefaults';

const DEFAULTS: TrainSettings = {
  arch: 'cnn', epochs: 2, batchSize: 64, learningRate: 0.05, optimizer: 'sgd', momentum: 0.9, weightDecay: 5e-4,
  schedule: 'cosine', seed: 1, trainLimit: 5000, testLimit: 1000, augment: true,
};

describe('lecture URL registry', () => {
  it('writes a readable, versioned hash', () => {
    const hash = serializeView({ ...defaultView(DEFAULTS), theme: 'projector', hidden: ['lr', 'batch-size'] });
    expect(hash.startsWith(`v=${URL_STATE_VERSION}&`)).toBe(true);
    expect(hash).toContain('theme=projector');
    expect(hash).toContain('arch=cnn');
    expect(hash).toContain('lr=0.05');
    expect(hash).toContain('wd=0.0005');
    expect(hash).toContain('hide=batch-size,lr');
    expect(hash).toContain('margin=0.5');
  });

  it('round-trips a fully customised view, watermark included', () => {
    const view: ViewState = {
      settings: {
        ...DEFAULTS, arch: 'resnet20', epochs: 7, batchSize: 32, learningRate: 0.003, optimizer: 'adam', momentum: 0.5, weightDecay: 0,
        schedule: 'step', seed: 42, trainLimit: 0, testLimit: 123, augment: false,
        watermark: { ...DEFAULT_WATERMARK, method: 'watermas', payload: { kind: 'text', text: 'Hé & co, 1+1 = 100% ok?' }, strength: 0.25,
          key: { kind: 'random' }, replicas: 6, sigma: 0.02, lambda: 1.5, mode: 'adversarial', rho: 0.1, margin: Infinity, replicaBatch: 'full' },
      },
      theme: 'dark', preset: null, hidden: ['optimizer', 'wm-sigma'], focus: 'attack',
    };
    const hash = serializeView(view);
    expect(hash).toContain('margin=off');
    expect(hash).toContain('rbatch=full');
    const parsed = parseView(`#${hash}`, DEFAULTS);
    expect(parsed.notices).toEqual([]);
    expect(parsed.state).toEqual(view);
  });

  it('keeps a plain run plain (no watermark object appears)', () => {
    const parsed = parseView(serializeView(defaultView(DEFAULTS)), DEFAULTS);
    expect(parsed.notices).toEqual([]);
    expect(parsed.state.settings).toEqual(DEFAULTS);
    expect(parsed.state.settings.watermark).toBeUndefined();
  });

  it('round-trips random-bit and image payloads (the image as the built-in logo)', () => {
    for (const payload of [{ kind: 'random', bits: 512 }, watermarkForm(findPreset('check-a-model')!.settings.watermark).payload] as const) {
      const view = { ...defaultView(DEFAULTS), settings: { ...DEFAULTS, watermark: { ...DEFAULT_WATERMARK, method: 'watermas' as const, payload } } };
      expect(parseView(serializeView(view), DEFAULTS).state).toEqual(view);
    }
  });

  it('reproduces every preset from #preset=<id> alone, and from its full written hash', () => {
    for (const p of PRESETS) {
      const short = parseView(`#preset=${p.id}`, DEFAULTS);
      expect(short.notices).toEqual([]);
      expect(short.state).toEqual({ settings: p.settings, theme: p.theme, preset: p.id, hidden: [], focus: p.focus });
      const full = parseView(serializeView(short.state), DEFAULTS);
      expect(full.state).toEqual(short.state);
    }
  });

  it('lets explicit fields override the preset', () => {
    const r = parseView('#v=1&preset=attack-the-mark&R=0&theme=light', DEFAULTS);
    expect(watermarkForm(r.state.settings.watermark).replicas).toBe(0);
    expect(r.state.settings.watermark?.method).toBe('watermas');
    expect(r.state.theme).toBe('light');
  });

  it('falls back to the defaults on invalid values, with a notice, and never throws', () => {
    const r = parseView('#v=1&lr=banana&batch=0&arch=alexnet&epochs=2.5&theme=neon&R=-1&aug=maybe&margin=-3&lambda=&seed=7', DEFAULTS);
    expect(r.state.settings).toEqual({ ...DEFAULTS, seed: 7 });
    expect(r.state.theme).toBe('light');
    expect(r.notices).toHaveLength(1);
    for (const word of ['learning rate "banana"', 'batch size "0"', 'model "alexnet"', 'epochs "2.5"', 'theme "neon"', 'replicas R "-1"', 'augment "maybe"', 'margin m "-3"', 'weight λ ""']) {
      expect(r.notices[0]).toContain(word);
    }
    for (const junk of ['#%%%', '#=&=&', '#v', '#&&&', '#preset=', '#hide=', '#lr=1e999', '#text=' + 'x'.repeat(500)]) {
      expect(() => parseView(junk, DEFAULTS)).not.toThrow();
      expect(parseView(junk, DEFAULTS).state.settings.learningRate).toBe(0.05);
    }
  });

  it('ignores unknown keys, unknown presets and unknown hidden controls with notices', () => {
    const r = parseView('#v=1&preset=nope&fcwTriggers=30&hide=lr,bogus&lr=0.1', DEFAULTS);
    expect(r.state.settings.learningRate).toBe(0.1);
    expect(r.state.preset).toBeNull();
    expect(r.state.hidden).toEqual(['lr']);
    expect(r.notices.join(' ')).toMatch(/Unknown preset "nope"/);
    expect(r.notices.join(' ')).toMatch(/fcwTriggers/);
    expect(r.notices.join(' ')).toMatch(/bogus/);
  });

  it('handles versions: missing = current, newer = read what it knows with a notice, garbage = current with a notice', () => {
    expect(parseView('#lr=0.2', DEFAULTS)).toEqual({ state: { ...defaultView(DEFAULTS), settings: { ...DEFAULTS, learningRate: 0.2 } }, notices: [] });
    const newer = parseView(`#v=${URL_STATE_VERSION + 1}&lr=0.2&newThing=3`, DEFAULTS);
    expect(newer.state.settings.learningRate).toBe(0.2);
    expect(newer.notices.join(' ')).toMatch(/newer version/);
    expect(newer.notices.join(' ')).not.toMatch(/newThing/);
    const bad = parseView('#v=abc&lr=0.2', DEFAULTS);
    expect(bad.state.settings.learningRate).toBe(0.2);
    expect(bad.notices.join(' ')).toMatch(/Unknown link version "abc"/);
  });

  it('round-trips the Uchida and FCW settings, and writes them only while their method is picked', () => {
    const uchida = { ...defaultView(DEFAULTS), settings: { ...DEFAULTS, watermark: { ...DEFAULT_WATERMARK, method: 'uchida' as const, payload: { kind: 'random' as const, bits: 64 }, uchida: { layer: 'conv2/kernel', lambda: 0.05 } } } };
    const uHash = serializeView(uchida);
    expect(uHash).toContain('wm=uchida');
    expect(uHash).toContain('ulayer=conv2%2Fkernel');
    expect(uHash).not.toContain('triggers=');
    expect(parseView(uHash, DEFAULTS).state).toEqual(uchida);
    const fcw = { ...defaultView(DEFAULTS), settings: { ...DEFAULTS, watermark: { ...DEFAULT_WATERMARK, method: 'fcw' as const, fcw: { triggers: 20, mode: 'invisible' as const, ratio: 0.3, perBatch: 5, maskFraction: 0.01, maskPeriod: 7 } } } };
    const fHash = serializeView(fcw);
    expect(fHash).toContain('fcwmode=invisible');
    expect(fHash).not.toContain('ulambda=');
    expect(parseView(fHash, DEFAULTS)).toEqual({ state: fcw, notices: [] });
    // A method's fields in a link for another method change nothing.
    expect(parseView('#wm=watermas&triggers=5&ulambda=3', DEFAULTS).state.settings.watermark).toEqual({ ...DEFAULT_WATERMARK, method: 'watermas' });
  });

  it('keeps the stage in the hash (on: stage=1; off: no key) and reads 0 and 1 only', () => {
    const preset = findPreset('sharpness-tradeoff');
    expect(preset?.stage).toEqual(['compare']);
    const on = parseView('#preset=sharpness-tradeoff&stage=1', DEFAULTS);
    expect(on.state.stage).toBe(true);
    expect(on.notices).toEqual([]);
    expect(serializeView(on.state)).toContain('stage=1');
    expect(parseView(`#${serializeView(on.state)}`, DEFAULTS).state).toEqual(on.state);
    const off = parseView('#preset=sharpness-tradeoff', DEFAULTS).state;
    expect(off.stage).toBeUndefined();
    expect(serializeView(off)).not.toContain('stage');
    expect(parseView('#preset=sharpness-tradeoff&stage=0', DEFAULTS).state.stage).toBe(false);
    const bad = parseView('#preset=sharpness-tradeoff&stage=yes', DEFAULTS);
    expect(bad.state.stage).toBeUndefined();
    expect(bad.notices.join(' ')).toContain('stage "yes"');
  });

  it('gives every preset a stage of known slots, none twice', () => {
    for (const p of PRESETS) {
      expect(p.stage.length).toBeGreaterThan(0);
      expect(new Set(p.stage).size).toBe(p.stage.length);
    }
  });

  it('has unique keys', () => {
    const keys = FIELDS.map((f) => f.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).not.toContain('v');
    expect(keys).not.toContain('preset');
  });
});

describe('controls hidden with another', () => {
  it('every follower follows a hideable control, and is not one itself', () => {
    for (const [id, follows] of Object.entries(HIDDEN_WITH)) {
      expect(HIDEABLE_IDS.has(follows), `${id} follows ${follows}`).toBe(true);
      expect(HIDEABLE_IDS.has(id)).toBe(false);
    }
  });
});
