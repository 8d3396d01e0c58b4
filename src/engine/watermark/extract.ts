import type { Model } from '../models/types';
import type { Key } from './keyFile';

/**
 * Reads θ at the key positions, in key order (groups in file order, indices as listed).
 * Throws when the model lacks a tensor of the key (check the key against the model first).
 */
export async function readKeyValues(model: Pick<Model, 'params'>, key: Pick<Key, 'positions'>): Promise<Float32Array> {
  const n = key.positions.reduce((s, g) => s + g.indices.length, 0);
  const out = new Float32Array(n);
  let o = 0;
  for (const g of key.positions) {
    const v = model.params.get(g.tensor);
    if (!v) throw new Error(`The model has no parameter '${g.tensor}' named by the key.`);
    const w = await v.data();
    for (const i of g.indices) {
      if (i >= w.length) throw new RangeError(`Key index ${i} is out of range for '${g.tensor}' (${w.length} entries).`);
      out[o++] = w[i];
    }
  }
  return out;
}
