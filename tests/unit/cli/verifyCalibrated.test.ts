import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/wmlab';
import { exportSafetensors } from '../../../src/engine/io/exportSafetensors';
import { createModel } from '../../../src/engine/models';
import { Rng } from '../../../src/engine/random/rng';
import { createKey, serializeKey } from '../../../src/engine/watermark';
import { seedFromHex } from '../../../src/engine/watermark/seed/seed';

async function wmlab(...argv: string[]) {
  let out = '', err = '';
  const code = await main(argv, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err, json: () => JSON.parse(out) as Record<string, unknown> };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('wmlab verify on sign-biased unmarked weights with an unbalanced payload (the "@" case)', () => {
  it('the plain binomial test would call the unmarked model marked; the lab\'s calibrated test does not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wmlab-at-'));
    const model = createModel('cnn', { seed: 3, options: { width: 4, hidden: 16 } });
    // unmarked weights that lean to one sign, as trained kernels do (here 35 % positive)
    const rng = new Rng(8);
    for (const p of model.paramInfo) {
      if (!p.name.endsWith('/kernel')) continue;
      const v = model.params.get(p.name)!;
      v.assign(tf.tensor(Float32Array.from({ length: v.size }, () => (rng.float() < 0.35 ? 1 : -1) * (0.01 + 0.1 * rng.float())), v.shape));
    }
    writeFileSync(join(dir, 'unmarked.safetensors'), await exportSafetensors(model));
    // a version-1 key (no whitening) with 100 '@': 800 bits, 12.5 % ones, never embedded in this model
    const key = createKey(model, { seed: seedFromHex('ab'.repeat(32)), payload: { kind: 'text', text: '@'.repeat(100) }, commit: false });
    writeFileSync(join(dir, 'key.json'), serializeKey(key));
    const r = await wmlab('verify', '--model', join(dir, 'unmarked.safetensors'), '--key', join(dir, 'key.json'));
    expect(r.code, r.err).toBe(0);
    const v = r.json() as { detected: boolean; log10PValue: number; calibration: { test: string; uniformLog10PValue: number }; commitment: { committed: boolean } };
    expect(v.calibration.test).toBe('poisson-binomial');
    expect(v.calibration.uniformLog10PValue).toBeLessThan(-6); // the plain test: "detected"
    expect(v.detected).toBe(false);
    expect(v.log10PValue).toBeGreaterThan(-3);
    expect(v.commitment.committed).toBe(false);
    model.dispose();
  }, 60_000);
});
