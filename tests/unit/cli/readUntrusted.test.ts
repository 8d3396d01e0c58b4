import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, closeSync, ftruncateSync, symlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/wmlab';
import { formatBytes } from '../../../src/engine/io/limits';

async function wmlab(...argv: string[]) {
  let out = '', err = '';
  const t0 = performance.now();
  const code = await main(argv, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err, seconds: (performance.now() - t0) / 1000 };
}

const FIXTURES = join(__dirname, '../../fixtures');
const goodKey = join(FIXTURES, 'good/key.json');

describe('the CLI reads only regular files within the limits, naming the file and the cause', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wmlab-read-'));
  const paths = {
    directory: join(dir, 'a-folder'),
    pipe: join(dir, 'a-pipe'),
    loop: join(dir, 'loop-a'),
    big: join(dir, 'big.safetensors'),
    missing: join(dir, 'nothing-here.safetensors'),
  };
  mkdirSync(paths.directory);
  let fifo = true;
  try {
    execFileSync('mkfifo', [paths.pipe]);
  } catch {
    fifo = false; // no mkfifo on this platform
  }
  symlinkSync(join(dir, 'loop-b'), paths.loop);
  symlinkSync(paths.loop, join(dir, 'loop-b'));
  // a sparse 3 GiB file: no disk used, and it must never be read
  const fd = openSync(paths.big, 'w');
  ftruncateSync(fd, 3 * 2 ** 30);
  closeSync(fd);

  const cases: [string, string, RegExp][] = [
    ['a directory', paths.directory, /a-folder: is a directory, not a model file/],
    ['a symlink loop', paths.loop, /loop-a: a symbolic link loop/],
    ['a 3 GiB file', paths.big, /big\.safetensors: 3 GiB is over the 512 MiB limit for a model file/],
    ['a missing file', paths.missing, /nothing-here\.safetensors: no such file \(expected a model file\)/],
    ['a device (/dev/zero, endless)', '/dev/zero', /\/dev\/zero: is a device, not a model file/],
  ];
  if (fifo) cases.push(['a named pipe (would block)', paths.pipe, /a-pipe: is a named pipe, not a model file/]);
  for (const [what, path, message] of cases) {
    it(`refuses ${what} at once`, async () => {
      const r = await wmlab('verify', '--model', path, '--key', goodKey);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(message);
      expect(r.seconds).toBeLessThan(10);
    });
  }

  it('refuses a key that is a directory, and a model.json whose options describe a huge model before building it', async () => {
    const k = await wmlab('verify', '--model', join(FIXTURES, 'good/model.safetensors'), '--key', paths.directory);
    expect(k.code).toBe(1);
    expect(k.err).toMatch(/a-folder: is a directory, not a key file/);

    const lab = join(FIXTURES, 'bad/lab-options-huge');
    const a = await wmlab('attack', '--model', join(lab, 'model.json'), '--key', goodKey, '--data', 'synthetic', '--attack', 'noise', '--strengths', '0');
    expect(a.code).toBe(1);
    expect(a.err).toMatch(/model\.json: the cnn model with options \{"width":200000,.*cannot be built: the model would hold more than 50,000,000 values/);
    expect(a.seconds).toBeLessThan(10);
  });

  it('reads a PyTorch checkpoint as what it is, whatever its name', async () => {
    const pt = join(dir, 'model.safetensors');
    writeFileSync(pt, readFileSync(join(FIXTURES, 'bad/pt-zip.pt')));
    const r = await wmlab('verify', '--model', pt, '--key', goodKey);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/model\.safetensors: is a PyTorch checkpoint .*save_file\(model\.state_dict\(\), "model\.safetensors"\)/);
  });

  it('formats sizes in binary units', () => {
    expect(formatBytes(3 * 2 ** 30)).toBe('3 GiB');
    expect(formatBytes(512 * 2 ** 20)).toBe('512 MiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(12)).toBe('12 bytes');
  });
});
