import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { generateSynthetic } from '../../../src/engine/data/synthetic';
import { normalizationFor } from '../../../src/engine/data/normalize';
import { exportSafetensors } from '../../../src/engine/io/exportSafetensors';
import { saveModel } from '../../../src/engine/io/modelFile';
import { createModel } from '../../../src/engine/models';
import { embedWatermark, serializeKey } from '../../../src/engine/watermark';
import type { StressPoint } from '../../../src/protocol/stress';
import { StressService, type StressHost } from '../../../src/workers/verify/stressService';
import type { VerifyFile, VerifyReport } from '../../../src/protocol/verify';
import { JobBoard } from '../../../src/workers/jobs';
import { inOrderQueue } from './fakeHost';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const buf = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer;
const text = (s: string): ArrayBuffer => buf(new TextEncoder().encode(s));

/** A tiny watermarked cnn as the lab exports it: model.json + weights.bin, the same as safetensors, and key.json. */
async function labUpload(seed: number) {
  const model = createModel('cnn', { seed, options: { width: 2, hidden: 4, batchNorm: false } });
  const keySeed = Uint8Array.from({ length: 32 }, (_, i) => (i * 31 + seed) & 255);
  const { key } = await embedWatermark(model, { seed: keySeed, payload: { kind: 'random-bits', count: 32 }, createdAt: '2026-01-01T00:00:00Z' });
  const art = await saveModel(model);
  const keyFile: VerifyFile = { name: 'key.json', bytes: text(serializeKey(key)) };
  const lab: VerifyFile[] = [{ name: 'model.json', bytes: text(JSON.stringify(art.modelJson)) }, { name: 'weights.bin', bytes: art.weightData }, keyFile];
  const st: VerifyFile[] = [{ name: 'model.safetensors', bytes: buf(await exportSafetensors(model)) }, keyFile];
  // The same tensors with no lab metadata (as another tool would write them): matched by shapes.
  const foreign: VerifyFile[] = [{ name: 'foreign.safetensors', bytes: buf(await exportSafetensors(model, { format: 'pt', config: '' })) }, keyFile];
  model.dispose();
  return { lab, st, foreign };
}

/** A host like the engine service's: a promise queue, a loaded (tiny, synthetic) data set. */
function host(withData = true): StressHost {
  const dataset = generateSynthetic({ seed: 3, trainCount: 12, testCount: 16 });
  const data = { dataset, normalization: normalizationFor(dataset) };
  return {
    currentData: () => (withData ? data : null),
    backendName: () => 'cpu',
    jobs: new JobBoard(),
    exclusive: inOrderQueue(),
  };
}

const fixture = (p: string): VerifyFile => ({ name: p.split('/').pop()!, bytes: new Uint8Array(readFileSync(join(__dirname, '../../fixtures', p))).buffer });

describe('"Stress it" on an uploaded model (worker side)', () => {
  it('a lab upload verifies, is kept runnable, and its sweep has BER 0 at strength 0; a second upload replaces it without tensor growth', async () => {
    const svc = new StressService(host());
    const n0 = tf.memory().numTensors;
    const up1 = await labUpload(1);
    const r1 = (await svc.check(up1.lab)) as VerifyReport;
    expect(r1.ok).toBe(true);
    expect(r1.verification?.detected).toBe(true);
    expect(r1.stress).toMatchObject({ ready: true, arch: 'cnn', method: 'watermas' });
    const streamed: StressPoint[] = [];
    const o1 = await svc.stressUploaded({ attacks: [{ attack: 'noise', strengths: [0, 10] }, { attack: 'quantize', strengths: [2] }], testLimit: 8, seed: 1 }, (p) => void streamed.push(p));
    expect(o1.cancelled).toBe(false);
    expect(o1.testImages).toBe(8);
    expect(o1.points).toEqual(streamed);
    expect(streamed.map((p) => [p.attack, p.strength])).toEqual([['noise', 0], ['noise', 10], ['quantize', 2]]);
    expect(streamed[0].ber).toBe(0);
    expect(streamed[0].detected).toBe(true);
    expect(streamed[0].accuracy).toBe(o1.baseAccuracy);
    expect(streamed[1].ber).toBeGreaterThan(0.1);
    expect(streamed[2]).toMatchObject({ attackIndex: 1, attackCount: 2, index: 0, total: 1, triggerAccuracy: null });
    const held = tf.memory().numTensors;
    expect(held).toBeGreaterThan(n0); // the uploaded model is kept for the next sweep

    // A second upload (the lab's safetensors export of another model): the first model is disposed.
    const up2 = await labUpload(2);
    const r2 = (await svc.check(up2.st)) as VerifyReport;
    expect(r2.format).toBe('safetensors');
    expect(r2.stress).toMatchObject({ ready: true, arch: 'cnn' });
    const o2 = await svc.stressUploaded({ attacks: [{ attack: 'prune-global', strengths: [0, 0.5] }], testLimit: 8, seed: 1 }, () => {});
    expect(o2.points[0].ber).toBe(0);
    expect(tf.memory().numTensors).toBe(held);
    // A failed upload also drops the kept model.
    const bad = await svc.check([fixture('bad/st-nan-weight.safetensors'), up2.st[1]]);
    expect(bad.ok).toBe(false);
    expect(tf.memory().numTensors).toBe(n0);
    await expect(svc.stressUploaded({ attacks: [{ attack: 'noise', strengths: [0] }], testLimit: 4, seed: 0 }, () => {})).rejects.toThrow(/no runnable model verified yet/);
  }, 60_000);

  it('a bare tensor file verifies but is not runnable, with the reason; no data set, bad requests and cancel are clear and keep the service usable', async () => {
    const svc = new StressService(host());
    const r = (await svc.check([fixture('good/model.safetensors'), fixture('good/key.json')])) as VerifyReport;
    expect(r.verification?.ber).toBe(0);
    expect(r.stress?.ready).toBe(false);
    expect(r.stress && !r.stress.ready && r.stress.reason).toMatch(/model\.safetensors cannot be run: its tensors do not match the lab's cnn/);

    const up = await labUpload(3);
    const noKey = (await svc.check(up.lab.slice(0, 2))) as VerifyReport;
    expect(noKey.stress).toEqual({ ready: false, reason: expect.stringMatching(/Add the key/) });

    const matched = (await svc.check(up.foreign)) as VerifyReport;
    expect(matched.stress).toMatchObject({ ready: true, arch: 'cnn' });
    const m = await svc.stressUploaded({ attacks: [{ attack: 'noise', strengths: [0] }], testLimit: 4, seed: 0 }, () => {});
    expect(m.points[0].ber).toBe(0);

    const noData = new StressService(host(false));
    expect(((await noData.check(up.lab)) as VerifyReport).stress?.ready).toBe(true);
    await expect(noData.stressUploaded({ attacks: [{ attack: 'noise', strengths: [0] }], testLimit: 4, seed: 0 }, () => {})).rejects.toThrow(/no data set loaded yet/);
    noData.forget();

    await svc.check(up.lab);
    await expect(svc.stressUploaded({ attacks: [{ attack: 'nope', strengths: [] }], testLimit: 4, seed: 0 }, () => {})).rejects.toThrow(/unknown attack: nope/);
    await expect(svc.stressUploaded({ attacks: [], testLimit: 4, seed: 0 }, () => {})).rejects.toThrow(/at least one attack/);
    await expect(svc.stressUploaded({ attacks: [{ attack: 'noise', strengths: [-1] }], testLimit: 4, seed: 0 }, () => {})).rejects.toThrow(/strengths must be/);
    const limitsBad = await svc.check(up.lab, { limits: { maxJsonDepth: 0 } });
    expect(limitsBad).toMatchObject({ ok: false, code: 'bad-request' });

    await svc.check(up.lab);
    const points: StressPoint[] = [];
    const c = await svc.stressUploaded({ attacks: [{ attack: 'noise', strengths: [0, 1, 2] }, { attack: 'quantize', strengths: [] }], testLimit: 4, seed: 0 }, (p) => {
      points.push(p);
      void svc.cancelStress();
    });
    expect(c.cancelled).toBe(true);
    expect(points.length).toBe(1);
    // Still usable after the cancel; fine-tuning (opt-in) trains on the attacker's share of the training set.
    const again = await svc.stressUploaded({ attacks: [{ attack: 'noise', strengths: [0] }, { attack: 'finetune', strengths: [0, 1] }], testLimit: 4, seed: 0, attackerLimit: 4 }, () => {});
    expect(again.points.map((p) => [p.attack, p.strength])).toEqual([['noise', 0], ['finetune', 0], ['finetune', 1]]);
    expect(again.points[0].ber).toBe(0);
    expect(again.points[1].ber).toBe(0);
    svc.forget();
  }, 60_000);

  it('the corpus limits reach the import: a file over maxTotalBytes is refused by name', async () => {
    const svc = new StressService(host());
    const r = await svc.check([fixture('good/model.safetensors'), fixture('good/key.json')], { limits: { maxTotalBytes: 100 } });
    expect(r).toMatchObject({ ok: false });
    expect(!r.ok && r.error).toMatch(/model\.safetensors: \d+ bytes is over the 100 bytes limit for a model upload/);
  });

  it('a File handle is sized before it is read: an oversized one is refused unread, a good one verifies', async () => {
    const svc = new StressService(host());
    class UnreadableBlob extends Blob {
      override arrayBuffer(): Promise<ArrayBuffer> {
        throw new Error('read before the size check');
      }
    }
    const big = { name: 'huge.safetensors', file: new UnreadableBlob([new Uint8Array(4096)]) };
    const r = await svc.check([big, fixture('good/key.json')], { limits: { maxTotalBytes: 1024 } });
    expect(r).toMatchObject({ ok: false, code: 'too-large' });
    expect(!r.ok && r.error).toBe('huge.safetensors: 4 KiB is over the 1 KiB limit for a model upload');

    const asFile = (p: string) => {
      const f = fixture(p);
      return { name: f.name, file: new Blob(['bytes' in f ? f.bytes : new ArrayBuffer(0)]) };
    };
    const ok = await svc.check([asFile('good/model.safetensors'), asFile('good/key.json')]);
    expect(ok.ok && ok.verification?.detected).toBe(true);
    svc.forget();
  });
});
