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

  it('rejects bad counts, a null seed alone, and null models for a white-box key', async () => {
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
    const w = await wmlab('verify', '--model', join(u, 'model', 'model.json'), '--key', join(u, 'key.json'), '--null-models', '2');
    expect(w.code).toBe(2);
    expect(w.err).toMatch(/--null-models measures the chance rate of FCW triggers; this is a uchida key/);
  }, 120_000);
});
