import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/wmlab';

/** Runs the CLI in-process; `stopAt` makes the run die (as a killed process would) once its log matches. */
async function wmlab(argv: string[], stopAt?: RegExp) {
  let out = '', err = '';
  const code = await main(argv, {
    out: (s) => void (out += s),
    err: (s) => {
      err += s;
      if (stopAt?.test(s)) throw new Error('killed');
    },
  });
  return { code, out, err, json: () => JSON.parse(out) as Record<string, unknown> };
}

const run = ['train', '--data', 'synthetic', '--model', 'cnn', '--model-options', 'width=4,hidden=16', '--train-limit', '32', '--test-limit', '32', '--batch', '16', '--epochs', '2', '--backend', 'cpu', '--augment', '--seed', '5'];
const weights = (out: string) => readFileSync(join(out, 'model', 'weights.bin'));

describe('wmlab train --checkpoint (resumable runs)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wmlab-ckpt-'));

  for (const method of [[], ['--method', 'watermas', '--replicas', '1', '--bits', '32', '--key-seed', 'cd'.repeat(32)]]) {
    const name = method.length ? 'a WaterMAS run' : 'a plain run';
    it(`${name} killed after an epoch and resumed ends bit for bit where the uninterrupted run does`, async () => {
      const tag = method.length ? 'wm' : 'plain';
      const straight = await wmlab([...run, ...method, '--out', join(dir, `${tag}-straight`)]);
      expect(straight.code, straight.err).toBe(0);

      const ckpt = join(dir, `${tag}-ckpt`);
      const killed = await wmlab([...run, ...method, '--out', join(dir, `${tag}-resumed`), '--checkpoint', ckpt], /checkpoint: epoch 1\b/);
      expect(killed.code).not.toBe(0);
      const resumed = await wmlab([...run, ...method, '--out', join(dir, `${tag}-resumed`), '--checkpoint', ckpt]);
      expect(resumed.code, resumed.err).toBe(0);
      expect(resumed.err).toMatch(/resuming from .*: step 2, 1 epoch done/);
      expect(resumed.json()).toMatchObject({ status: 'completed', steps: 4, resumedFromStep: 2 });

      // Same optimizer state, data order, augmentation and replica noise: the same weights.
      expect(weights(join(dir, `${tag}-resumed`)).equals(weights(join(dir, `${tag}-straight`)))).toBe(true);
      expect(resumed.json().testAccuracy).toBe(straight.json().testAccuracy);
      if (method.length) {
        const key = (out: string) => ({ ...(JSON.parse(readFileSync(join(dir, out, 'key.json'), 'utf8')) as Record<string, unknown>), createdAt: null });
        expect(key(`${tag}-resumed`)).toEqual(key(`${tag}-straight`));
        expect(resumed.json()).toMatchObject({ ber: 0, frozenUnchanged: true });
      }
    });
  }

  it('a resume without the optimizer state would differ: the test above can fail', async () => {
    const ckpt = join(dir, 'fresh-opt');
    expect((await wmlab([...run, '--out', join(dir, 'fresh-a'), '--checkpoint', ckpt], /checkpoint: epoch 1\b/)).code).not.toBe(0);
    // (plain-straight is the uninterrupted run of the first test)
    // Zero the saved momentum: the resumed run then starts with a fresh optimizer.
    const pointer = JSON.parse(readFileSync(join(ckpt, 'checkpoint.json'), 'utf8')) as { current: string };
    const bin = join(ckpt, pointer.current, 'optimizer.bin');
    writeFileSync(bin, Buffer.alloc(readFileSync(bin).byteLength));
    expect((await wmlab([...run, '--out', join(dir, 'fresh-a'), '--checkpoint', ckpt])).code).toBe(0);
    expect(weights(join(dir, 'fresh-a')).equals(weights(join(dir, 'plain-straight')))).toBe(false);
  });

  it('refuses a checkpoint of another run or a damaged one, naming why, and leaves it as it was', async () => {
    const ckpt = join(dir, 'other');
    expect((await wmlab([...run, '--out', join(dir, 'other-out'), '--checkpoint', ckpt], /checkpoint: epoch 1\b/)).code).not.toBe(0);
    const pointer = readFileSync(join(ckpt, 'checkpoint.json'), 'utf8');
    const other = await wmlab([...run.map((a) => (a === '5' ? '6' : a)), '--out', join(dir, 'other-out'), '--checkpoint', ckpt]);
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/holds a checkpoint of another run \(--seed "5" there, "6" now\)/);
    expect(readFileSync(join(ckpt, 'checkpoint.json'), 'utf8')).toBe(pointer);

    writeFileSync(join(ckpt, 'checkpoint.json'), '{"current": 3');
    const damaged = await wmlab([...run, '--out', join(dir, 'other-out'), '--checkpoint', ckpt]);
    expect(damaged.code).toBe(2);
    expect(damaged.err).toMatch(/checkpoint is damaged \(checkpoint\.json is not JSON\)/);

    const fcw = await wmlab([...run, '--method', 'fcw', '--out', join(dir, 'fcw'), '--checkpoint', join(dir, 'fcw-ckpt')]);
    expect(fcw.code).toBe(2);
    expect(fcw.err).toMatch(/--checkpoint supports --method none and watermas/);
  });
});
