import { describe, expect, it } from 'vitest';
import { bf16ToNumber, f16ToNumber } from '../../../src/engine/io/halfFloat';
import { ModelFileError } from '../../../src/engine/io/modelFile';
import { importWeights } from '../../../src/engine/io/importWeights';
import { readSafetensors, readSafetensorsFile, writeSafetensors } from '../../../src/engine/io/safetensors';
import { sniffFile } from '../../../src/engine/io/sniff';

/** A safetensors file assembled by hand: header length bytes, ASCII header, raw data bytes. */
function handMade(header: string, data: number[]): Uint8Array {
  const n = header.length; // ASCII only: one byte per character
  const bytes = [n & 0xff, (n >> 8) & 0xff, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < n; i++) bytes.push(header.charCodeAt(i));
  return new Uint8Array([...bytes, ...data]);
}

describe('safetensors reader on hand-written bytes', () => {
  const header =
    '{"__metadata__":{"source":"by hand"},' +
    '"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},' +
    '"b":{"dtype":"F16","shape":[5],"data_offsets":[16,26]},' +
    '"c":{"dtype":"BF16","shape":[3],"data_offsets":[26,32]},' +
    '"steps":{"dtype":"I64","shape":[],"data_offsets":[32,40]}}';
  const data = [
    // a: F32 little-endian 1.0, -2.5, 0.15625, 0
    0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc0, 0x00, 0x00, 0x20, 0x3e, 0x00, 0x00, 0x00, 0x00,
    // b: F16 1.0 (3c00), -2.0 (c000), 0.5 (3800), 65504 (7bff), 2^-24 (0001, subnormal)
    0x00, 0x3c, 0x00, 0xc0, 0x00, 0x38, 0xff, 0x7b, 0x01, 0x00,
    // c: BF16 1.0 (3f80), -2.0 (c000), 3.140625 (4049)
    0x80, 0x3f, 0x00, 0xc0, 0x49, 0x40,
    // steps: I64 7 (skipped)
    0x07, 0, 0, 0, 0, 0, 0, 0,
  ];

  it('imports F32, F16 and BF16 values exactly, keeps metadata, skips the integer tensor', () => {
    const c = readSafetensorsFile(handMade(header, data), { file: 'hand.safetensors' });
    expect(c.metadata).toEqual({ source: 'by hand' });
    expect(c.skipped).toEqual([{ name: 'steps', dtype: 'I64' }]);
    expect([...c.tensors.keys()]).toEqual(['a', 'b', 'c']);
    const a = c.tensors.get('a')!;
    expect(a.dtype).toBe('F32');
    expect(a.shape).toEqual([2, 2]);
    expect([...a.values]).toEqual([1, -2.5, 0.15625, 0]);
    const b = c.tensors.get('b')!;
    expect(b.dtype).toBe('F16');
    expect([...b.values]).toEqual([1, -2, 0.5, 65504, 2 ** -24]);
    const cc = c.tensors.get('c')!;
    expect(cc.dtype).toBe('BF16');
    expect([...cc.values]).toEqual([1, -2, 3.140625]);
    expect(readSafetensors(handMade(header, data), { file: 'x' }).get('a')!.values).toBeInstanceOf(Float32Array);
  });

  it('reads F64 (converted to float32)', () => {
    const d = new Uint8Array(8);
    new DataView(d.buffer).setFloat64(0, -0.125, true);
    const t = readSafetensors(handMade('{"x":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}', [...d]), { file: 'f64' });
    expect([...t.get('x')!.values]).toEqual([-0.125]);
  });

  it('names the file, tensor and index of NaN, and honours maxBytes', () => {
    const nanData = [0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0xc0, 0x7f]; // 1.0, NaN
    const bytes = handMade('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', nanData);
    expect(() => readSafetensors(bytes, { file: 'nan.safetensors' })).toThrow("nan.safetensors: tensor 'w' holds NaN at flat index 1");
    expect(() => readSafetensors(bytes, { file: 'nan.safetensors' })).toThrow(ModelFileError);
    expect(readSafetensors(bytes, { file: 'nan', rejectNonFinite: false }).get('w')!.values[1]).toBeNaN();
    expect(() => readSafetensors(bytes, { file: 'big', maxBytes: 16 })).toThrow('big: file is too large');
  });
});

describe('half-float conversions', () => {
  it('F16 special values', () => {
    expect(f16ToNumber(0x0000)).toBe(0);
    expect(Object.is(f16ToNumber(0x8000), -0)).toBe(true);
    expect(f16ToNumber(0x7c00)).toBe(Infinity);
    expect(f16ToNumber(0xfc00)).toBe(-Infinity);
    expect(f16ToNumber(0x7e00)).toBeNaN();
    expect(f16ToNumber(0x3555)).toBeCloseTo(0.333251953125, 12);
  });
  it('BF16 is the top half of a float32', () => {
    expect(bf16ToNumber(0x3f80)).toBe(1);
    expect(bf16ToNumber(0x7f80)).toBe(Infinity);
    expect(bf16ToNumber(0x0001)).toBe(2 ** -133);
  });
});

describe('safetensors writer', () => {
  it('round-trips through the reader with an 8-byte aligned header, in order', () => {
    const tensors = [
      { name: 'conv1/kernel', shape: [3, 3, 1, 2], dtype: 'F32' as const, values: Float32Array.from({ length: 18 }, (_, i) => i / 7 - 1) },
      { name: 'head/dense/bias', shape: [2], dtype: 'F32' as const, values: new Float32Array([0.5, -0.25]) },
      { name: 'scalar', shape: [], dtype: 'F32' as const, values: new Float32Array([3]) },
    ];
    const bytes = writeSafetensors(tensors, { note: 'x' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    expect(bytes.length).toBe(8 + n + 4 * (18 + 2 + 1));
    const c = readSafetensorsFile(bytes, { file: 'w' });
    expect(c.metadata).toEqual({ note: 'x' });
    expect([...c.tensors.keys()]).toEqual(tensors.map((t) => t.name));
    for (const t of tensors) {
      expect(c.tensors.get(t.name)!.shape).toEqual(t.shape);
      expect(c.tensors.get(t.name)!.values).toEqual(t.values);
    }
  });
  it('rejects values that do not fill the shape and duplicate names', () => {
    expect(() => writeSafetensors([{ name: 'a', shape: [2], dtype: 'F32', values: new Float32Array(3) }])).toThrow('3 values for shape [2]');
    const t = { name: 'a', shape: [1], dtype: 'F32' as const, values: new Float32Array(1) };
    expect(() => writeSafetensors([t, t])).toThrow("'a' appears twice");
  });
});

describe('file kind from the content', () => {
  it('a safetensors file whose header length ends in byte 0x7B ("{") is read as safetensors, whatever its name', async () => {
    // pad the header with spaces to 0x7B = 123 bytes
    let header = '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
    header += ' '.repeat(0x7b - header.length);
    const file = handMade(header, [0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]);
    expect(file[0]).toBe(0x7b);
    expect(sniffFile(file)).toBe('safetensors');
    for (const name of ['weights.bin', 'model']) {
      const r = await importWeights([{ name, bytes: file }], { buildModel: false });
      expect(r.format).toBe('safetensors');
      expect(Array.from(r.tensors.get('w')!.values)).toEqual([1, -2]);
    }
  });

  it('tells JSON, zip and pickle apart from safetensors', () => {
    const text = (s: string) => new TextEncoder().encode(s);
    expect(sniffFile(text('\ufeff  {"format": "layers-model", "weightsManifest": [{"paths": ["a"]}]}'))).toBe('json');
    expect(sniffFile(text('PK\x03\x04rest-of-a-zip'))).toBe('pytorch-zip');
    expect(sniffFile(new Uint8Array([0x80, 0x04, 0x95, 0, 0, 0, 0, 0, 0, 0]))).toBe('pickle');
    expect(sniffFile(text('hello world, not a model'))).toBe('unknown');
    // a JSON text's first 8 bytes read as a length are astronomically large: never safetensors
    expect(sniffFile(text('{"a":   {"b": 1}}'))).toBe('json');
  });
});
