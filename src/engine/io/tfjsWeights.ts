import { z } from 'zod';
import { f16ToNumber } from './halfFloat';
import { Deadline, DEFAULT_IMPORT_LIMITS, type ImportLimits } from './limits';
import { ModelFileError } from './modelFile';
import { assertFinite } from './safetensors';
import { parseGuardedJson } from './safeJson';

/**
 * TensorFlow.js weights (LayersModel and graph-model `model.json` alike): a JSON file with
 * `weightsManifest: [{ paths: [shard files], weights: [{ name, shape, dtype, quantization? }] }]`.
 * Each group's shards, concatenated in `paths` order, hold its weights back to back in
 * manifest order, little-endian. Only the weights are read (no graph is built): float32,
 * quantised weights (uint8/uint16 affine, float16) are converted to float32; int32 and bool
 * weights are skipped; string/complex weights are an error.
 */
const quantization = z.object({
  dtype: z.enum(['uint8', 'uint16', 'float16']),
  scale: z.number().optional(),
  min: z.number().optional(),
});

const weightEntry = z.object({
  name: z.string().min(1),
  shape: z.array(z.number().int().nonnegative()).max(8),
  dtype: z.enum(['float32', 'int32', 'bool']),
  quantization: quantization.optional(),
});

export const tfjsModelJsonSchema = z.object({
  format: z.string().optional(),
  modelTopology: z.unknown().optional(),
  weightsManifest: z.array(z.object({ paths: z.array(z.string().min(1)).min(1), weights: z.array(weightEntry) })).min(1),
});
export type TfjsModelJson = z.infer<typeof tfjsModelJsonSchema>;

export interface NamedTensor {
  readonly shape: number[];
  readonly values: Float32Array;
}

/** Parses a TensorFlow.js model.json (guarded JSON, then the manifest schema). */
export function parseTfjsModelJson(text: string, file: string, limits: ImportLimits = DEFAULT_IMPORT_LIMITS): { json: TfjsModelJson; raw: Record<string, unknown> } {
  const fail = (m: string): never => {
    throw new ModelFileError(file, m);
  };
  const raw = parseGuardedJson(text, { maxBytes: limits.maxJsonBytes, maxDepth: limits.maxJsonDepth }, 'model.json', fail);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('model.json must hold a JSON object');
  const obj = raw as Record<string, unknown>;
  if (!('weightsManifest' in obj)) fail('model.json has no weightsManifest: not a TensorFlow.js model');
  const parsed = tfjsModelJsonSchema.safeParse(obj);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail(`invalid TensorFlow.js manifest at ${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
  }
  return { json: parsed.data!, raw: obj };
}

/** The file name part of a manifest path (manifests may say `./group1-shard1of1.bin`). */
export function shardBaseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1];
}

function bytesPerElement(w: z.infer<typeof weightEntry>): number {
  if (w.quantization) return w.quantization.dtype === 'uint8' ? 1 : 2;
  return w.dtype === 'bool' ? 1 : 4;
}

/**
 * Decodes every weight group against its shards (looked up by base name in `shards`).
 * Errors: a missing shard, shards shorter or longer than the manifest, a duplicated name,
 * NaN/Inf values (naming the shard, the tensor and the flat index).
 */
export function decodeTfjsWeights(
  json: TfjsModelJson,
  shards: ReadonlyMap<string, Uint8Array>,
  file: string,
  deadline?: Deadline,
): Map<string, NamedTensor> {
  const out = new Map<string, NamedTensor>();
  json.weightsManifest.forEach((group, g) => {
    const parts = group.paths.map((p) => {
      const bytes = shards.get(shardBaseName(p));
      if (!bytes) throw new ModelFileError(file, `names weight shard '${shardBaseName(p)}', which was not provided`);
      return bytes;
    });
    const shardName = group.paths.map(shardBaseName).join(' + ');
    const total = parts.reduce((s, p) => s + p.length, 0);
    const expected = group.weights.reduce((s, w) => s + bytesPerElement(w) * w.shape.reduce((a, b) => a * b, 1), 0);
    if (total < expected) throw new ModelFileError(shardName, `weight shard is ${expected - total} bytes shorter than manifest group ${g} describes (${total} of ${expected} bytes)`);
    if (total > expected) throw new ModelFileError(shardName, `weight shard is ${total - expected} bytes longer than manifest group ${g} describes (${total} of ${expected} bytes)`);
    const data = parts.length === 1 ? parts[0] : concat(parts, total);
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    let offset = 0;
    for (const w of group.weights) {
      deadline?.check(file);
      const size = w.shape.reduce((a, b) => a * b, 1);
      const width = bytesPerElement(w);
      const at = offset;
      offset += size * width;
      if (out.has(w.name)) throw new ModelFileError(file, `tensor '${w.name}' appears twice in the manifest`);
      if (w.dtype !== 'float32') continue; // int32 / bool: never watermarked, skipped
      const values = new Float32Array(size);
      const q = w.quantization;
      if (!q) for (let i = 0; i < size; i++) values[i] = view.getFloat32(at + 4 * i, true);
      else if (q.dtype === 'float16') for (let i = 0; i < size; i++) values[i] = f16ToNumber(view.getUint16(at + 2 * i, true));
      else {
        if (q.scale === undefined || q.min === undefined) throw new ModelFileError(file, `tensor '${w.name}': ${q.dtype} quantization needs scale and min`);
        for (let i = 0; i < size; i++) values[i] = (q.dtype === 'uint8' ? view.getUint8(at + i) : view.getUint16(at + 2 * i, true)) * q.scale + q.min;
      }
      assertFinite(values, shardName, w.name);
      out.set(w.name, { shape: [...w.shape], values });
    }
  });
  return out;
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
