import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkUpload, type CheckUploadResult } from '../../../src/engine/io/checkUpload';
import { exportSafetensors } from '../../../src/engine/io/exportSafetensors';
import { importWeights } from '../../../src/engine/io/importWeights';
import { labTensorsFromPytorch } from '../../../src/engine/io/pytorchLayout';
import { namedWeights } from '../../../src/engine/io/modelFile';
import { ARCH_NAMES } from '../../../src/engine/models/registry';
import { createModel } from '../../../src/engine/models';
import type { Model } from '../../../src/engine/models/types';
import { createKey, applyKey, serializeKey } from '../../../src/engine/watermark';
import { seedFromHex } from '../../../src/engine/watermark/seed/seed';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const enc = new TextEncoder();

/**
 * A PyTorch state_dict written here, independently of the lab's exporter: names as torch.nn
 * names them, kernels permuted axis by axis with explicit loops, safetensors bytes assembled by hand.
 */
async function handWrittenPytorchFile(model: Model): Promise<Uint8Array> {
  const entries: { name: string; shape: number[]; values: Float32Array | null }[] = [];
  for (const [name, t] of namedWeights(model)) {
    const v = (await t.data()) as Float32Array;
    const s = t.shape;
    const parts = name.split('/');
    const last = parts.pop()!;
    const torchName = [...parts, { kernel: 'weight', gamma: 'weight', beta: 'bias', moving_mean: 'running_mean', moving_variance: 'running_var' }[last] ?? last].join('.');
    let shape = [...s];
    let values = Float32Array.from(v);
    if (last === 'kernel' && s.length === 4 && name.includes('/dw/')) {
      const [kh, kw, cin, mult] = s;
      shape = [cin * mult, 1, kh, kw];
      values = new Float32Array(v.length);
      for (let a = 0; a < kh; a++) for (let b = 0; b < kw; b++) for (let c = 0; c < cin; c++) for (let m = 0; m < mult; m++) values[(c * mult + m) * kh * kw + a * kw + b] = v[((a * kw + b) * cin + c) * mult + m];
    } else if (last === 'kernel' && s.length === 4) {
      const [kh, kw, cin, cout] = s;
      shape = [cout, cin, kh, kw];
      values = new Float32Array(v.length);
      for (let a = 0; a < kh; a++) for (let b = 0; b < kw; b++) for (let c = 0; c < cin; c++) for (let o = 0; o < cout; o++) values[((o * cin + c) * kh + a) * kw + b] = v[((a * kw + b) * cin + c) * cout + o];
    } else if (last === 'kernel' && s.length === 2) {
      const [cin, cout] = s;
      shape = [cout, cin];
      values = new Float32Array(v.length);
      for (let c = 0; c < cin; c++) for (let o = 0; o < cout; o++) values[o * cin + c] = v[c * cout + o];
    }
    entries.push({ name: torchName, shape, values });
    if (last === 'moving_variance') entries.push({ name: torchName.replace(/running_var$/, 'num_batches_tracked'), shape: [], values: null });
  }
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const e of entries) {
    const bytes = e.values ? 4 * e.values.length : 8;
    header[e.name] = { dtype: e.values ? 'F32' : 'I64', shape: e.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = enc.encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let o = 8 + json.length;
  for (const e of entries) {
    if (!e.values) {
      view.setBigInt64(o, 7n, true);
      o += 8;
      continue;
    }
    for (const x of e.values) {
      view.setFloat32(o, x, true);
      o += 4;
    }
  }
  return out;
}

describe('PyTorch state_dicts (docs/pytorch.md)', () => {
  for (const arch of ARCH_NAMES) {
    it(`${arch}: a hand-written PyTorch-layout file verifies with BER 0, read as 'pytorch'; the lab's exporter writes the same tensors`, async () => {
      const model = createModel(arch, { seed: 2 });
      const key = createKey(model, { seed: seedFromHex('3c'.repeat(32)), payload: { kind: 'random-bits', count: 64 } });
      await applyKey(model, key);
      const hand = await handWrittenPytorchFile(model);
      const keyFile = { name: 'key.json', bytes: enc.encode(serializeKey(key)) };
      const r = (await checkUpload([{ name: 'model.safetensors', bytes: hand }, keyFile])) as CheckUploadResult;
      expect('error' in r ? (r as { error: string }).error : '').toBe('');
      expect(r.layout).toBe('pytorch');
      expect(r.verification?.method === 'watermas' && r.verification.result.ber).toBe(0);
      expect(r.verification?.result.detected).toBe(true);

      // the exporter's PyTorch file holds exactly the hand-written tensors
      const exported = await importWeights([{ name: 'x.safetensors', bytes: await exportSafetensors(model, {}, 'pytorch') }], { buildModel: false });
      const handRead = await importWeights([{ name: 'y.safetensors', bytes: hand }], { buildModel: false });
      expect([...exported.tensors.keys()]).toEqual([...handRead.tensors.keys()]);
      for (const [name, t] of handRead.tensors) {
        expect(exported.tensors.get(name)!.shape).toEqual(t.shape);
        expect(Buffer.from(exported.tensors.get(name)!.values.buffer).equals(Buffer.from(t.values.buffer))).toBe(true);
      }
      expect(exported.skipped.map((s) => s.dtype).every((d) => d === 'I64')).toBe(true);
      model.dispose();
    }, 60_000);
  }

  it('lab -> PyTorch layout -> lab gives back every tensor bit for bit, and the same logits', async () => {
    const model = createModel('cnn', { seed: 4, options: { width: 4, hidden: 8 } });
    const imported = await importWeights([{ name: 'm.safetensors', bytes: await exportSafetensors(model, {}, 'pytorch') }], { buildModel: false });
    const expected = [...model.paramInfo, ...model.stateInfo].map((p) => ({ name: p.name, shape: p.shape }));
    const back = labTensorsFromPytorch(imported.tensors, expected);
    const twin = createModel('cnn', { seed: 99, options: { width: 4, hidden: 8 } });
    for (const [name, t] of namedWeights(model)) {
      const b = back.get(name)!;
      expect(Buffer.from(b.values.buffer).equals(Buffer.from(((await t.data()) as Float32Array).buffer))).toBe(true);
      (model.params.get(name) ? twin.params.get(name)! : twin.state.get(name)!).assign(tf.tensor(b.values, b.shape));
    }
    const x = tf.randomNormal([3, 32, 32, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const [ya, yc] = [model.forward(x, { training: false }), twin.forward(x, { training: false })];
    expect(Array.from(await yc.data())).toEqual(Array.from(await ya.data()));
    tf.dispose([x, ya, yc]);
    model.dispose();
    twin.dispose();
  });

  it('a PyTorch file with a transposed kernel of the wrong shape is refused naming both names', async () => {
    const model = createModel('cnn', { seed: 4, options: { width: 4, hidden: 8 } });
    const key = createKey(model, { seed: seedFromHex('3c'.repeat(32)), payload: { kind: 'random-bits', count: 16 } });
    const file = await exportSafetensors(createModel('cnn', { seed: 4, options: { width: 4, hidden: 16 } }), {}, 'pytorch');
    const r = await checkUpload([{ name: 'other.safetensors', bytes: file }, { name: 'key.json', bytes: enc.encode(serializeKey(key)) }]);
    expect('error' in r && r.error).toMatch(/does not fit this PyTorch state_dict: PyTorch tensor 'fc1\.weight' is \[16, 512\], expected \[8, 512\] for the lab's 'fc1\/kernel' \[512, 8\] in other\.safetensors/);
    model.dispose();
  });
});
