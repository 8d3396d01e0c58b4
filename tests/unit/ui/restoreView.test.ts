import { afterEach, describe, expect, it } from 'vitest';
import type { RunRecord, TrainSettings } from '../../../src/protocol/api';
import { parseView, serializeView } from '../../../src/ui/lecture/urlRegistry';
import { defaultView, withOpenPanels, withoutReloadState, withRun, type ViewState } from '../../../src/ui/lecture/viewState';
import { restoredRunView } from '../../../src/ui/runs/restoredRun';
import { clearTrainingMarker, markTrainingStarted, takeInterruptedTraining } from '../../../src/ui/runs/trainingMarker';

const DEFAULTS: TrainSettings = {
  arch: 'cnn', epochs: 2, batchSize: 64, learningRate: 0.05, optimizer: 'sgd', momentum: 0.9, weightDecay: 5e-4,
  schedule: 'cosine', seed: 1, trainLimit: 5000, testLimit: 1000, augment: true,
};
const UUID = '0b9f3c2e-6a41-4d3f-9d7e-2f1c5a8b7e10';

describe('URL registry: current run and open drawers (reload state)', () => {
  it('round-trips run and open, next to the controls', () => {
    const view: ViewState = withOpenPanels(withRun({ ...defaultView({ ...DEFAULTS, seed: 9 }), theme: 'dark' }, UUID), ['runs']);
    const hash = serializeView(view);
    expect(hash).toContain(`run=${UUID}`);
    expect(hash).toContain('open=runs');
    expect(parseView(`#${hash}`, DEFAULTS)).toEqual({ state: view, notices: [] });
    // An imported run keeps its file's id: any 1..200 characters survive the hash.
    const odd = withRun(defaultView(DEFAULTS), 'run-abc/é & 1+1=2,x');
    expect(parseView(serializeView(odd), DEFAULTS).state.run).toBe('run-abc/é & 1+1=2,x');
  });

  it('writes nothing for a view without a run or open drawer (old links stay as they were)', () => {
    const hash = serializeView(defaultView(DEFAULTS));
    expect(hash).not.toMatch(/(^|&)(run|open)=/);
    const parsed = parseView(hash, DEFAULTS).state;
    expect('run' in parsed).toBe(false);
    expect('open' in parsed).toBe(false);
    // Closing the last drawer or clearing the run removes the keys again.
    const v = withOpenPanels(withRun(defaultView(DEFAULTS), UUID), ['runs', 'runs']);
    expect(v.open).toEqual(['runs']);
    expect(withOpenPanels(withRun(v, null), [])).toEqual(defaultView(DEFAULTS));
  });

  it('tolerates bad values: the run / open state is left out with a notice, the rest of the link applies', () => {
    for (const bad of ['run=', `run=${'x'.repeat(201)}`, 'run=+padded+', 'open=bogus', 'open=runs,bogus']) {
      const r = parseView(`#v=1&lr=0.2&${bad}&theme=dark`, DEFAULTS);
      expect(r.state.settings.learningRate).toBe(0.2);
      expect(r.state.theme).toBe('dark');
      expect(r.state.run).toBeUndefined();
      expect(r.state.open).toBeUndefined();
      expect(r.notices).toHaveLength(1);
      expect(r.notices[0]).toMatch(/current run|open panels/);
    }
    expect(parseView('#open=', DEFAULTS)).toEqual({ state: defaultView(DEFAULTS), notices: [] });
    expect(() => parseView('#run=%E0%A4%A&open=%%', DEFAULTS)).not.toThrow();
  });

  it('shared and classroom links leave the reload state out', () => {
    const v = withOpenPanels(withRun({ ...defaultView(DEFAULTS), hidden: ['lr'] }, UUID), ['runs']);
    const shared = serializeView(withoutReloadState(v));
    expect(shared).not.toContain('run=');
    expect(shared).not.toContain('open=');
    expect(shared).toContain('hide=lr');
  });
});

const RECORD: RunRecord = {
  id: UUID, name: 'cnn · WaterMAS R=2 · 10:00', createdAt: '2026-11-23T10:00:00.000Z', settings: DEFAULTS, method: 'watermas', arch: 'cnn',
  history: [{ step: 1, loss: 2.3, accuracy: 0.1 }, { step: 2, loss: 2.2, accuracy: null }],
  outcome: {
    cancelled: false, steps: 2, testAccuracy: 0.25, testImages: 16, seconds: 3, imagesPerSecond: 20, secondsPerEpoch: 3,
    ber: 0, triggerAccuracy: null, pValue: 1e-20, log10PValue: -20, detected: true, backend: 'wasm',
  },
  keyJson: '{}', weightBytes: 100,
};

describe('restoredRunView: a stored run as the panels show it', () => {
  it('gives back the full outcome (image pixels as bytes again) and the curve', () => {
    const rec: RunRecord = {
      ...RECORD,
      trainOutcome: {
        cancelled: false, steps: 2, seconds: 3, imagesPerSecond: 20, trainImages: 32, testImages: 16, testAccuracy: 0.25, testLoss: 2.1, backend: 'wasm',
        watermark: {
          payloadKind: 'image', bits: 4, errors: 0, erasures: 0, ber: 0, pValue: 0.0625, log10PValue: -1.2, threshold: 1e-6, detected: false,
          frozenUnchanged: true, perTensor: [{ tensor: 'conv1/kernel', n: 4, errors: 0, erasures: 0 }], keyTensors: 1, seedSource: 'random',
          image: { width: 2, height: 2, channels: 1, pixels: [0, 255, 255, 0], correlation: 1 },
        },
      },
    };
    const v = restoredRunView(rec);
    expect(v.info).toEqual({ id: UUID, name: rec.name, complete: true });
    expect(v.history).toEqual(rec.history);
    expect(v.outcome.runId).toBe(UUID);
    expect(v.outcome.testLoss).toBe(2.1);
    expect(v.outcome.trainImages).toBe(32);
    expect(v.outcome.watermark?.image?.pixels).toBeInstanceOf(Uint8Array);
    expect([...v.outcome.watermark!.image!.pixels]).toEqual([0, 255, 255, 0]);
    expect(v.outcome.watermark?.perTensor).toEqual(rec.trainOutcome!.watermark!.perTensor);
  });

  it('falls back to the summary for runs saved without the full outcome', () => {
    const v = restoredRunView(RECORD);
    expect(v.info.complete).toBe(false);
    expect(v.outcome).toMatchObject({ cancelled: false, steps: 2, testAccuracy: 0.25, testImages: 16, seconds: 3, testLoss: null, backend: 'wasm', runId: UUID });
    expect(v.outcome.watermark).toBeUndefined();
  });
});

describe('training marker (a run lost by a reload)', () => {
  const g = globalThis as { sessionStorage?: Storage };
  afterEach(() => {
    delete g.sessionStorage;
  });

  it('is reported once after a reload that interrupted a run, never after a finished one', () => {
    const m = new Map<string, string>();
    g.sessionStorage = {
      getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k),
    } as Storage;
    expect(takeInterruptedTraining()).toBeNull();
    markTrainingStarted();
    expect(takeInterruptedTraining()).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(takeInterruptedTraining()).toBeNull();
    markTrainingStarted();
    clearTrainingMarker();
    expect(takeInterruptedTraining()).toBeNull();
  });

  it('does nothing (and never throws) without storage', () => {
    g.sessionStorage = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('denied'); }, removeItem: () => { throw new Error('denied'); } } as unknown as Storage;
    expect(() => markTrainingStarted()).not.toThrow();
    expect(() => clearTrainingMarker()).not.toThrow();
    expect(takeInterruptedTraining()).toBeNull();
  });
});
