import { describe, expect, it } from 'vitest';
import { baseMark } from '../../../src/ui/compare-mode/compareMark';
import { findPreset } from '../../../src/ui/lecture/presets';

// Compare mode trains what the Watermark panel shows: every objective choice reaches the worker,
// not only R, σ, λ, the mode, ρ and the margin (until 2026-12-06 the balance, the replica batch, the
// replicas' normalisation and antithetic pairs were dropped, so Embed live's B ran the loss form).
describe('compare mode: the shared mark', () => {
  it("carries the preset's replica batch and balance to both runs", () => {
    const mark = baseMark(findPreset('embed-live')!.settings, 256);
    expect(mark).toMatchObject({ method: 'watermas', mode: 'flip', sigma: 0.5, margin: 2, replicaBatch: 'split', balance: 'gradient', payload: { kind: 'random', bits: 256 } });
  });

  it('leaves a choice the panel does not make to the engine default (absent, not undefined)', () => {
    const mark = baseMark(findPreset('sharpness-tradeoff')!.settings, 256);
    expect('antithetic' in mark).toBe(false);
    expect('replicaBn' in mark).toBe(false);
  });
});
