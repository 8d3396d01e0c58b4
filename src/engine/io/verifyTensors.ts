import { signRates } from '../watermark/stats/calibration';
import { shapeSize } from '../watermark/fingerprint';
import { KeyModelMismatchError, type WatermasKey } from '../watermark/keyFile';
import { DEFAULT_P_THRESHOLD, judgeValues, type VerifyResult } from '../watermark/verify';
import { labTensorsFromPytorch, looksLikePytorch } from './pytorchLayout';
import type { NamedTensor } from './tfjsWeights';

export interface VerifyTensorsOptions {
  /** Decision threshold on the p-value (default 1e-6). */
  readonly threshold?: number;
  /** Name of the model file(s), for messages. */
  readonly file?: string;
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Verifies a WaterMAS key against a plain tensor map (imported weights, no runnable model).
 * Every tensor the key's architecture declares must exist in the map with the declared shape
 * (KeyModelMismatchError naming the first one that does not: "key for another architecture");
 * every key index must be in range; extra tensors in the map (BN state, a foreign model's
 * buffers) are allowed. Values are read at the key's flat indices (row-major, see
 * safetensors.ts for the layout) and judged by the watermark module's judgeValues.
 */
export function verifyTensors(given: ReadonlyMap<string, NamedTensor>, key: WatermasKey, opts: VerifyTensorsOptions = {}): VerifyResult {
  const where = opts.file ? ` in ${opts.file}` : '';
  let tensors = given;
  if (looksLikePytorch(given.keys())) {
    // A PyTorch state_dict: the key's tensors renamed and permuted back to the lab's layout (pytorchLayout.ts).
    try {
      tensors = labTensorsFromPytorch(given, key.architecture.tensors);
    } catch (e) {
      const first = key.architecture.tensors[0]?.name ?? '';
      throw new KeyModelMismatchError(first, `This key was made for architecture '${key.architecture.arch}' and does not fit this PyTorch state_dict: ${(e as Error).message}${where} (names and layouts: docs/pytorch.md).`);
    }
  }
  for (const t of key.architecture.tensors) {
    const got = tensors.get(t.name);
    if (!got) {
      throw new KeyModelMismatchError(
        t.name,
        `This key was made for architecture '${key.architecture.arch}' and does not fit this model: tensor '${t.name}' is missing${where}.`,
      );
    }
    if (!sameShape(got.shape, t.shape)) {
      throw new KeyModelMismatchError(
        t.name,
        `This key was made for architecture '${key.architecture.arch}' and does not fit this model: tensor '${t.name}' has shape [${t.shape.join(', ')}] in the key but [${got.shape.join(', ')}]${where}.`,
      );
    }
  }
  const n = key.positions.reduce((s, g) => s + g.indices.length, 0);
  const values = new Float32Array(n);
  let o = 0;
  for (const g of key.positions) {
    const t = tensors.get(g.tensor);
    if (!t) throw new KeyModelMismatchError(g.tensor, `The key marks tensor '${g.tensor}', which is missing${where}.`);
    const size = shapeSize(t.shape);
    for (const i of g.indices) {
      if (i >= size || i >= t.values.length) {
        throw new KeyModelMismatchError(g.tensor, `Key position ${i} is out of range for tensor '${g.tensor}' [${t.shape.join(', ')}] (${size} entries)${where}.`);
      }
      values[o++] = t.values[i];
    }
  }
  return judgeValues(values, key, opts.threshold ?? DEFAULT_P_THRESHOLD, signRates(key.positions, (t) => tensors.get(t)?.values));
}
