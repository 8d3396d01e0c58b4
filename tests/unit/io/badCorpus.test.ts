import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkUpload, type CheckUploadError, type CheckUploadResult, type UploadFile } from '../../../src/engine/io/checkUpload';

const FIXTURES = join(__dirname, '../../fixtures');
const BAD = join(FIXTURES, 'bad');
const manifest = JSON.parse(readFileSync(join(BAD, 'expected.json'), 'utf8')) as {
  limits: { maxTotalBytes: number; maxJsonBytes: number; maxJsonDepth: number };
  cases: Record<string, string>;
};
const read = (path: string, name = basename(path)): UploadFile => ({ name, bytes: new Uint8Array(readFileSync(path)) });
const goodModel = (): UploadFile => read(join(FIXTURES, 'good/model.safetensors'));
const goodKey = (): UploadFile => read(join(FIXTURES, 'good/key.json'));

/** The upload for one corpus entry (see the note in expected.json). */
function uploadFor(rel: string): UploadFile[] {
  const path = join(BAD, rel);
  if (statSync(path).isDirectory()) return [...readdirSync(path).map((f) => read(join(path, f))), goodKey()];
  if (basename(rel).startsWith('key-')) return [goodModel(), read(path)];
  return [read(path), goodKey()];
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms (hang)`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

describe('malformed upload corpus (tests/fixtures/bad)', () => {
  const entries = Object.entries(manifest.cases);

  it('has at least 30 cases, every file small and every listed path present', () => {
    expect(entries.length).toBeGreaterThanOrEqual(30);
    for (const [rel] of entries) expect(existsSync(join(BAD, rel)), rel).toBe(true);
    for (const [rel] of entries) for (const f of uploadFor(rel)) expect(f.bytes.length, `${rel}/${f.name}`).toBeLessThan(50 * 1024);
  });

  it('the good pair verifies (the corpus is broken only where intended)', async () => {
    const r = await checkUpload([goodModel(), goodKey()], { limits: manifest.limits });
    expect('error' in r ? r.error : '').toBe('');
    const ok = r as CheckUploadResult;
    expect(ok.format).toBe('safetensors');
    expect(berOf(ok)).toBe(0);
    expect(ok.verification?.result.detected).toBe(true);
    const tfjsDir = join(FIXTURES, 'good/tfjs');
    const t = (await checkUpload([...readdirSync(tfjsDir).map((f) => read(join(tfjsDir, f))), goodKey()], { limits: manifest.limits })) as CheckUploadResult;
    expect(t.format).toBe('tfjs-layers');
    expect(berOf(t)).toBe(0);
  });

  for (const [rel, expected] of entries) {
    it(`${rel} → "${expected}"`, async () => {
      const files = uploadFor(rel);
      const r = await withTimeout(checkUpload(files, { limits: manifest.limits }), 5000, rel);
      expect('error' in r, `expected an error for ${rel}, got a result`).toBe(true);
      const err = r as CheckUploadError;
      expect(err.error).toContain(expected);
      // the message names one of the uploaded files
      expect(files.some((f) => err.error.includes(f.name)), err.error).toBe(true);
    }, 10_000);
  }

  it('an upload with no model file at all is a clear error, and the next try still works', async () => {
    const r = await checkUpload([goodKey()]);
    expect((r as CheckUploadError).error).toContain('no model file was given');
    const again = await checkUpload([goodModel(), goodKey()]);
    expect('error' in again).toBe(false);
  });
});

/** BER of a WaterMAS or Uchida verification (FCW reports trigger accuracy instead). */
function berOf(c: CheckUploadResult): number | undefined {
  const r = c.verification?.result;
  return r && 'ber' in r ? r.ber : undefined;
}
