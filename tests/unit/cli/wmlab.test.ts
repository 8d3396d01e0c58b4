import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/wmlab';

/** Runs the CLI in-process; returns exit code, stdout and stderr. */
async function wmlab(...argv: string[]) {
  let out = '', err = '';
  const code = await main(argv, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err, json: () => JSON.parse(out) as Record<string, unknown> };
}

const tiny = ['--data', 'synthetic', '--model', 'cnn', '--model-options', 'width=4,hidden=16', '--train-limit', '64', '--test-limit', '32', '--batch', '16', '--epochs', '1', '--backend', 'cpu'];

describe('wmlab CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wmlab-'));

  it('trains with a WaterMAS text mark, writes model, key and report, and verifies BER 0', async () => {
    const out = join(dir, 'wm');
    const r = await wmlab('train', ...tiny, '--method', 'watermas', '--replicas', '1', '--message', '© My Lab 2026', '--key-seed', 'ab'.repeat(32), '--out', out);
    expect(r.code, r.err).toBe(0);
    const report = r.json();
    expect(report).toMatchObject({ model: 'cnn', backend: 'cpu', method: 'watermas', replicas: 1, ber: 0, frozenUnchanged: true, detected: true, message: '© My Lab 2026', trainImages: 64 });
    expect(typeof report.testAccuracy).toBe('number');
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'))).toEqual(report);
    for (const f of ['model/model.json', 'model/weights.bin', 'model.safetensors', 'key.json']) expect(existsSync(join(out, f))).toBe(true);
    // the safetensors beside it, and a PyTorch-layout export, verify with the same key
    for (const [file, layout] of [[join(out, 'model.safetensors'), 'lab'], [join(out, 'torch.safetensors'), 'pytorch']] as const) {
      if (layout === 'pytorch') {
        const e = await wmlab('export', '--model', join(out, 'model', 'model.json'), '--out', file, '--layout', 'pytorch');
        expect(e.code, e.err).toBe(0);
        expect(e.json()).toMatchObject({ layout: 'pytorch', arch: 'cnn' });
      }
      const s = await wmlab('verify', '--model', file, '--key', join(out, 'key.json'));
      expect(s.code, s.err).toBe(0);
      expect(s.json()).toMatchObject({ format: 'safetensors', layout, ber: 0, detected: true, message: '© My Lab 2026' });
    }

    const v = await wmlab('verify', '--model', join(out, 'model', 'model.json'), '--key', join(out, 'key.json'));
    expect(v.code, v.err).toBe(0);
    expect(v.json()).toMatchObject({ ber: 0, errors: 0, erasures: 0, detected: true, message: '© My Lab 2026' });
    expect(v.json().bits).toBe(8 * new TextEncoder().encode('© My Lab 2026').length);

    // the same key does not verify on an unmarked model of the same architecture
    const plain = join(dir, 'plain');
    expect((await wmlab('train', ...tiny, '--epochs', '0', '--out', plain)).code).toBe(0);
    const u = await wmlab('verify', '--model', join(plain, 'model', 'model.json'), '--key', join(out, 'key.json'));
    expect(u.code, u.err).toBe(0);
    expect(u.json().detected).toBe(false);
  });

  it('answers --help on every command with its usage', async () => {
    for (const command of ['train', 'verify', 'export', 'attack', 'landscape', 'compare-sharpness', 'sweep', 'data']) {
      for (const flag of ['--help', '-h']) {
        const r = await wmlab(command, flag);
        expect(r.code, `${command} ${flag}`).toBe(0);
        expect(r.out).toMatch(new RegExp(`^wmlab ${command} `));
        expect(r.err).toBe('');
      }
    }
  });

  it('rejects bad arguments with exit 2 and a one-line reason', async () => {
    for (const args of [
      ['train', '--data', 'synthetic', '--out', join(dir, 'x'), '--epochs', 'many'],
      ['train', '--data', 'synthetic', '--out', join(dir, 'x'), '--model', 'alexnet'],
      ['train', '--data', 'synthetic', '--out', join(dir, 'x'), '--replicas', '2'],
      ['train', '--out', join(dir, 'x')],
      ['train', '--data', 'synthetic', '--out', join(dir, 'x'), '--bogus'],
      ['frobnicate'],
    ]) {
      const r = await wmlab(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.out).toBe('');
    }
  });

  it('fails with exit 1 and names the file for a corrupt model or key', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ not json');
    const r = await wmlab('verify', '--model', bad, '--key', bad);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/not valid JSON|not JSON/i);
    const missing = await wmlab('verify', '--model', join(dir, 'nope', 'model.json'), '--key', join(dir, 'nope.json'));
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('nope');
  });
});

describe('wmlab verify on exported formats', () => {
  it('verifies the safetensors export of a lab model with its key', async () => {
    const { createModel } = await import('../../../src/engine/models');
    const { embedWatermark, serializeKey } = await import('../../../src/engine/watermark');
    const { exportSafetensors } = await import('../../../src/engine/io');
    const dir = mkdtempSync(join(tmpdir(), 'wmlab-st-'));
    const model = createModel('cnn', { seed: 3, options: { width: 4, hidden: 16 } });
    const { key } = await embedWatermark(model, { seed: new Uint8Array(32).fill(7), payload: { kind: 'random-bits', count: 64 } });
    writeFileSync(join(dir, 'model.safetensors'), await exportSafetensors(model));
    writeFileSync(join(dir, 'key.json'), serializeKey(key));
    model.dispose();
    const r = await wmlab('verify', '--model', join(dir, 'model.safetensors'), '--key', join(dir, 'key.json'));
    expect(r.code, r.err).toBe(0);
    expect(r.json()).toMatchObject({ format: 'safetensors', bits: 64, ber: 0, detected: true });
    expect(r.json().sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('wmlab: embedding by fine-tuning and the paired sharpness measure', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wmlab-pair-'));
  const keySeed = ['--key-seed', 'cd'.repeat(32)];
  const fineTune = ['--data', 'synthetic', '--model', 'cnn', '--train-limit', '64', '--test-limit', '32', '--batch', '16', '--epochs', '1', '--backend', 'cpu', '--method', 'watermas', '--bits', '48', ...keySeed];

  it('fine-tunes a trained model (--init) into an R = 0 twin and a marked model, and compares them', async () => {
    const base = join(dir, 'base');
    expect((await wmlab('train', ...tiny, '--out', base)).code).toBe(0);
    const init = join(base, 'model', 'model.json');
    const twin = await wmlab('train', ...fineTune, '--init', init, '--replicas', '0', '--out', join(dir, 'twin'));
    expect(twin.code, twin.err).toBe(0);
    expect(twin.json()).toMatchObject({ init, ber: 0, frozenUnchanged: true });
    const marked = await wmlab('train', ...fineTune, '--init', init, '--replicas', '2', '--replica-mode', 'relative', '--sigma', '0.5', '--lambda', '1', '--out', join(dir, 'marked'));
    expect(marked.code, marked.err).toBe(0);
    // relative mode brings its own defaults: antithetic pairs, the clean pass's BatchNorm statistics
    expect(marked.json()).toMatchObject({ replicaMode: 'relative', antithetic: true, replicaBn: 'clean', ber: 0, frozenUnchanged: true });
    // same key positions in both (same key seed and architecture)
    expect(JSON.parse(readFileSync(join(dir, 'marked', 'key.json'), 'utf8')).positions).toEqual(JSON.parse(readFileSync(join(dir, 'twin', 'key.json'), 'utf8')).positions);

    const args = ['--key', join(dir, 'twin', 'key.json'), '--data', 'synthetic', '--eval-size', '64', '--controls', '2', '--draws', '2'];
    const self = await wmlab('compare-sharpness', '--marked', join(dir, 'twin', 'model', 'model.json'), '--twin', join(dir, 'twin', 'model', 'model.json'), ...args);
    expect(self.code, self.err).toBe(0);
    const s = self.json() as { paired: { keyGain: number; controlGain: number; flipCostGain: number }; marked: Record<string, unknown> };
    expect(s.paired).toEqual({ keyGain: 1, controlGain: 1, flipCostGain: 0 });
    expect(s.marked).toMatchObject({ relativeRadius: 0.5, controls: 2, draws: 2, flip: { fraction: 0.5 } });
    const pair = await wmlab('compare-sharpness', '--marked', join(dir, 'marked', 'model', 'model.json'), '--twin', join(dir, 'twin', 'model', 'model.json'), ...args);
    expect(pair.code, pair.err).toBe(0);
    expect((pair.json() as { paired: { keyGain: number } }).paired.keyGain).not.toBe(1);

    const land = await wmlab('landscape', '--model', join(dir, 'marked', 'model', 'model.json'), '--key', join(dir, 'twin', 'key.json'), '--data', 'synthetic',
      '--grid', '3', '--eval-size', '32', '--eigen-iters', '0', '--noise-draws', '0', '--controls', '2', '--relative-radius', '0.25');
    expect(land.code, land.err).toBe(0);
    expect((land.json() as { sharpness: { keyVsControl: Record<string, unknown> } }).sharpness.keyVsControl).toMatchObject({ relativeRadius: 0.25, controls: 2 });
  }, 120_000);

  it('refuses --init of another architecture or with --model-options', async () => {
    const base = join(dir, 'base-refuse');
    expect((await wmlab('train', ...tiny, '--epochs', '0', '--out', base)).code).toBe(0);
    const init = join(base, 'model', 'model.json');
    const other = await wmlab('train', '--data', 'synthetic', '--model', 'resnet20', '--init', init, '--out', join(dir, 'x'));
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/is a 'cnn' model, not 'resnet20'/);
    const opts = await wmlab('train', ...tiny, '--init', init, '--out', join(dir, 'y'));
    expect(opts.code).toBe(2);
    expect(opts.err).toMatch(/--model-options cannot be combined with --init/);
  });
});
