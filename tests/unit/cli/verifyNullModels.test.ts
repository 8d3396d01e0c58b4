import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/wmlab';
import { triggerPValue } from '../../../src/engine/fcw';

/** Runs the CLI in-process; returns exit code, stdout and stderr. */
async function wmlab(...argv: string[]) {
  let out = '', err = '';
  const code = await main(argv, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err, json: () => JSON.parse(out) as Record<string, unknown> };
}

const tiny = ['--data', 'synthetic', '--model', 'cnn', '--model-options', 'width=4,hidden=16', '--train-limit', '32', '--test-limit', '32', '--batch', '16', '--epochs', '1', '--backend', 'cpu'];
const dir = mkdtempSync(join(tmpdir(), 'wmlab-null-'));
const fcw = join(dir, 'fcw');

beforeAll(async () => {
  const r = await wmlab('train', ...tiny, '--method', 'fcw', '--triggers', '8', '--triggers-per-batch', '8', '--out', fcw);
  if (r.code !== 0) throw new Error(r.err);
}, 180_000);

describe('wmlab verify --null-models (FCW)', () => {
  it('measures the chance rate on N fresh null models of the architecture and judges against it', async () => {
    const model = join(fcw, 'model', 'model.json'), key = join(fcw, 'key.json');
    const plain = await wmlab('verify', '--model', model, '--key', key);
    expect(plain.code, plain.err).toBe(0);
    expect(plain.json()).toMatchObject({ method: 'fcw', chanceRate: 0.1, chanceRateSource: '1/classes' });

    const r = await wmlab('verify', '--model', model, '--key', key, '--null-models', '3', '--null-seed', '4');
    expect(r.code, r.err).toBe(0);
    const j = r.json() as Record<string, unknown> & { nullModels: { count: number; hits: number; trials: number; rate: number; rawRate: number; perModel: number[]; arch: string } };
    expect(j).toMatchObject({ method: 'fcw', chanceRateSource: 'null-models', accuracy: plain.json().accuracy, hits: plain.json().hits });
    const nm = j.nullModels;
    expect(nm).toMatchObject({ count: 3, arch: 'cnn', trials: 24 });
    expect(nm.perModel).toHaveLength(3);
    expect(nm.hits).toBe(Math.round(nm.perModel.reduce((s, a) => s + a * 8, 0)));
    // rule of succession: (hits + 1) / (trials + 2), and the p-value is taken against it
    expect(j.chanceRate).toBeCloseTo((nm.hits + 1) / 26, 12);
    expect(nm.rawRate).toBeCloseTo(nm.hits / 24, 12);
    const p = triggerPValue(j.hits as number, 8, j.chanceRate as number);
    expect(j.pValue).toBeCloseTo(p.p, 12);
    expect(j.log10PValue).toBeCloseTo(p.log10, 9);
    expect(j.detected).toBe(p.p < 1e-6);

    // the same null seed gives the same measurement
    const again = await wmlab('verify', '--model', model, '--key', key, '--null-models', '3', '--null-seed', '4');
    expect(again.json().nullModels).toEqual(nm);
  }, 120_000);

  it('rejects bad counts and a null seed alone; a white-box key gets its false-positive rate on fresh models', async () => {
    const model = join(fcw, 'model', 'model.json'), key = join(fcw, 'key.json');
    const zero = await wmlab('verify', '--model', model, '--key', key, '--null-models', '0');
    expect(zero.code).toBe(2);
    expect(zero.err).toMatch(/--null-models must be >= 1/);
    const seedOnly = await wmlab('verify', '--model', model, '--key', key, '--null-seed', '1');
    expect(seedOnly.code).toBe(2);
    expect(seedOnly.err).toMatch(/--null-seed needs --null-models/);
    const u = join(dir, 'uchida');
    const t = await wmlab('train', ...tiny, '--epochs', '0', '--method', 'uchida', '--bits', '16', '--out', u);
    expect(t.code, t.err).toBe(0);
    // a white-box key: --null-models checks it on fresh models of the architecture (the false-positive rate)
    const w = await wmlab('verify', '--model', join(u, 'model', 'model.json'), '--key', join(u, 'key.json'), '--null-models', '2');
    expect(w.code, w.err).toBe(0);
    expect(w.json().nullModels).toMatchObject({ source: 'fresh', count: 2, nominalRate: 1e-6 });
  }, 120_000);
});

describe('wmlab verify: the false-positive rate on null models, for every method', () => {
  it('WaterMAS: --null-model-files (trained, unmarked) and --null-models (fresh) report the verdict on each and the rate next to the nominal one', async () => {
    const wm = join(dir, 'wm');
    const nulls = [join(dir, 'null-a'), join(dir, 'null-b')];
    expect((await wmlab('train', ...tiny, '--method', 'watermas', '--replicas', '0', '--bits', '64', '--key-seed', '12'.repeat(32), '--out', wm)).code).toBe(0);
    for (const [i, out] of nulls.entries()) expect((await wmlab('train', ...tiny, '--seed', String(20 + i), '--out', out)).code).toBe(0);
    const model = join(wm, 'model', 'model.json'), key = join(wm, 'key.json');
    const files = await wmlab('verify', '--model', model, '--key', key, '--null-model-files', nulls.map((n) => join(n, 'model', 'model.json')).join(','));
    expect(files.code, files.err).toBe(0);
    const r = files.json() as { detected: boolean; nullModels: { source: string; count: number; falsePositives: number; nominalRate: number; verdicts: { model: string; detected: boolean }[] } };
    expect(r.detected).toBe(true); // the marked model itself
    expect(r.nullModels).toMatchObject({ source: 'files', count: 2, falsePositives: 0, falsePositiveRate: 0, nominalRate: 1e-6 });
    expect(r.nullModels.verdicts.map((v) => v.model)).toEqual(nulls.map((n) => join(n, 'model', 'model.json')));
    // a loose threshold makes the same null models false positives: the report can show them
    const loose = await wmlab('verify', '--model', model, '--key', key, '--threshold', '0.99', '--null-models', '3');
    expect(loose.code, loose.err).toBe(0);
    const l = loose.json() as { nullModels: { source: string; count: number; falsePositives: number } };
    expect(l.nullModels).toMatchObject({ source: 'fresh', count: 3 });
    expect(l.nullModels.falsePositives).toBeGreaterThan(0);
  }, 180_000);
});
