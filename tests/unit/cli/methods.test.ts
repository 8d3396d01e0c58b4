import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/wmlab';
import { parseMethodKeyFile } from '../../../src/engine/methods';

/** Runs the CLI in-process; returns exit code, stdout and stderr. */
async function wmlab(...argv: string[]) {
  let out = '', err = '';
  const code = await main(argv, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err, json: () => JSON.parse(out) as Record<string, unknown> };
}

const tiny = ['--data', 'synthetic', '--model', 'cnn', '--model-options', 'width=4,hidden=16', '--train-limit', '64', '--test-limit', '32', '--batch', '16', '--epochs', '1', '--backend', 'cpu'];
const dir = mkdtempSync(join(tmpdir(), 'wmlab-methods-'));

describe('wmlab train/verify/attack --method fcw', () => {
  it('embeds triggers, writes a pixel key, and verify and a strength-0 sweep agree with the report', async () => {
    const out = join(dir, 'fcw');
    // 4 steps of 16 images + 8 triggers each, masking 1 % of the conv weights every 2 steps
    const r = await wmlab('train', ...tiny, '--method', 'fcw', '--triggers', '8', '--triggers-per-batch', '8', '--mask-fraction', '0.01', '--mask-period', '2', '--out', out);
    expect(r.code, r.err).toBe(0);
    const report = r.json();
    // 8 triggers all sent to the target: p = 0.1^8 = 1e-8 < 1e-6
    expect(report).toMatchObject({ method: 'fcw', triggerAccuracy: 1, detected: true, triggers: 8, fcwMode: 'direct', triggersPerBatch: 8, maskFraction: 0.01, maskPeriod: 2, chanceRate: 0.1 });
    expect(report.maskEvents).toBe(Math.floor(((report.steps as number) - 1) / 2));
    expect(report.steps).toBe(4);
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'))).toEqual(report);
    for (const f of ['model/model.json', 'model/weights.bin', 'key.json']) expect(existsSync(join(out, f))).toBe(true);
    const key = parseMethodKeyFile(readFileSync(join(out, 'key.json'), 'utf8'));
    expect(key.method).toBe('fcw');
    if (key.method !== 'fcw') return;
    expect(key.key.triggers.kind).toBe('pixels');
    expect(key.key.sources).toHaveLength(8);
    expect(key.key.target).toBe(report.target);
    expect(key.key.embedding).toMatchObject({ perBatch: 8, maskFraction: 0.01, maskPeriod: 2 });

    const v = await wmlab('verify', '--model', join(out, 'model', 'model.json'), '--key', join(out, 'key.json'));
    expect(v.code, v.err).toBe(0);
    const vj = v.json();
    expect(vj).toMatchObject({ method: 'fcw', accuracy: report.triggerAccuracy, pValue: report.pValue, detected: report.detected, target: report.target });

    const a = await wmlab('attack', '--model', join(out, 'model', 'model.json'), '--key', join(out, 'key.json'), '--data', 'synthetic', '--test-limit', '32', '--attack', 'noise', '--strengths', '0', '--batch', '16', '--seed', '1');
    expect(a.code, a.err).toBe(0);
    const aj = a.json() as { method: string; rows: Record<string, unknown>[] };
    expect(aj.method).toBe('fcw');
    expect(aj.rows).toHaveLength(1);
    expect(aj.rows[0]).toMatchObject({ strength: 0, triggerAccuracy: report.triggerAccuracy, pValue: report.pValue, detected: report.detected });
    // (test accuracy is not compared: for the synthetic set `attack` normalises with statistics of
    // a 1-image training set, not those of the training run; the trigger metric uses the key's.)
    expect(aj.rows[0].accuracy).toBeGreaterThanOrEqual(0);
    expect(aj.rows[0].ber).toBeUndefined();

    // the same key on an unmarked model of the same architecture (the untrained initialisation): not detected
    const plain = join(dir, 'fcw-null');
    expect((await wmlab('train', ...tiny, '--epochs', '0', '--out', plain)).code).toBe(0);
    const n = await wmlab('verify', '--model', join(plain, 'model', 'model.json'), '--key', join(out, 'key.json'));
    expect(n.code, n.err).toBe(0);
    expect(n.json()).toMatchObject({ method: 'fcw', detected: false });
    expect(n.json().accuracy).toBeLessThan(0.5);

    // key interception needs WaterMAS key positions: a usage error for a trigger-set key
    const i = await wmlab('attack', '--model', join(out, 'model', 'model.json'), '--key', join(out, 'key.json'), '--data', 'synthetic', '--test-limit', '32', '--attack', 'intercept');
    expect(i.code).toBe(2);
    expect(i.err).toMatch(/intercept needs the key positions of a WaterMAS key; this is a fcw key/);
  }, 60_000);
});

describe('wmlab train/verify/attack --method uchida', () => {
  it('reaches BER 0 with a strong regulariser; verify and a strength-0 sweep agree; heavy pruning degrades it', async () => {
    const out = join(dir, 'uchida');
    // 4 SGD steps: with the default cosine schedule the last steps are too small to fix the last
    // bits (BER 0.125 at λ = 1, 10 or 1000); a constant rate with λ = 10 reaches BER 0 (without
    // the default warm-up, which would ramp the rate over all 4 steps).
    const r = await wmlab('train', ...tiny, '--schedule', 'constant', '--warmup', '0', '--method', 'uchida', '--bits', '32', '--lambda', '10', '--key-seed', 'cd'.repeat(32), '--out', out);
    expect(r.code, r.err).toBe(0);
    const report = r.json();
    expect(report).toMatchObject({ method: 'uchida', bits: 32, lambda: 10, ber: 0, detected: true });
    const key = parseMethodKeyFile(readFileSync(join(out, 'key.json'), 'utf8'));
    expect(key.method).toBe('uchida');
    if (key.method !== 'uchida') return;
    expect(key.key.layer).toBe(report.layer);
    expect(key.key.objective.lambda).toBe(10);

    const v = await wmlab('verify', '--model', join(out, 'model', 'model.json'), '--key', join(out, 'key.json'));
    expect(v.code, v.err).toBe(0);
    expect(v.json()).toMatchObject({ method: 'uchida', n: 32, ber: 0, errors: 0, detected: true, pValue: report.pValue });

    const a = await wmlab('attack', '--model', join(out, 'model', 'model.json'), '--key', join(out, 'key.json'), '--data', 'synthetic', '--test-limit', '32', '--attack', 'prune', '--strengths', '0,1', '--batch', '16');
    expect(a.code, a.err).toBe(0);
    const rows = (a.json() as { method: string; rows: Record<string, unknown>[] }).rows;
    expect(rows[0]).toMatchObject({ strength: 0, ber: 0, pValue: report.pValue, detected: true });
    // pruning every weight zeroes the marked kernel: every projection is an exact 0 (an erasure)
    expect(rows[1]).toMatchObject({ strength: 1, ber: 1, detected: false });
  }, 60_000);

  it('names the layer it was given and refuses a layer that is not a conv kernel', async () => {
    const bad = await wmlab('train', ...tiny, '--epochs', '0', '--method', 'uchida', '--uchida-layer', 'nope', '--bits', '8', '--out', join(dir, 'u2'));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--uchida-layer must be a conv kernel/);
  });
});

describe('wmlab attack --key (WaterMAS) still judges BER on the key positions', () => {
  it('strength 0 keeps BER 0; intercepting every marked entry flips every bit', async () => {
    const out = join(dir, 'wm0');
    // --epochs 0: the freshly marked initialisation (no training), BER 0 by construction
    const r = await wmlab('train', ...tiny, '--epochs', '0', '--method', 'watermas', '--bits', '64', '--key-seed', 'ef'.repeat(32), '--out', out);
    expect(r.code, r.err).toBe(0);
    const a = await wmlab('attack', '--model', join(out, 'model', 'model.json'), '--key', join(out, 'key.json'), '--data', 'synthetic', '--test-limit', '16', '--attack', 'intercept', '--strengths', '0,1', '--batch', '16');
    expect(a.code, a.err).toBe(0);
    const aj = a.json() as { method: string; rows: Record<string, unknown>[] };
    expect(aj.method).toBe('watermas');
    expect(aj.rows[0]).toMatchObject({ strength: 0, ber: 0, detected: true });
    expect(aj.rows[1]).toMatchObject({ strength: 1, ber: 1, detected: false });
  });
});

describe('wmlab train: method flags', () => {
  it('rejects flags of another method with exit 2 and a one-line reason', async () => {
    for (const args of [
      ['--triggers', '8'],
      ['--method', 'none', '--mask-fraction', '0.1'],
      ['--method', 'watermas', '--fcw-mode', 'direct'],
      ['--method', 'fcw', '--bits', '32'],
      ['--method', 'fcw', '--lambda', '1'],
      ['--method', 'uchida', '--replicas', '2'],
      ['--method', 'uchida', '--triggers-per-batch', '4'],
      ['--method', 'none', '--uchida-layer', 'conv1/kernel'],
      ['--method', 'fcw', '--fcw-mode', 'sideways'],
      ['--method', 'fcw', '--triggers', '0'],
      ['--method', 'uchida', '--bits', '8', '--message', 'x'],
      ['--method', 'dct'],
    ]) {
      const r = await wmlab('train', '--data', 'synthetic', '--out', join(dir, 'x'), ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.out).toBe('');
    }
  });
});
