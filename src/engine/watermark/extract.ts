import type { Model } from '../models/types';
import { signRates, type SignRate } from './stats/calibration';
import type { WatermasKey } from './keyFile';

/** θ at the key positions, in key order, from each tensor's flat values. */
export function keyValuesFrom(key: Pick<WatermasKey, 'positions'>, valuesOf: (tensor: string) => ArrayLike<number> | undefined): Float32Array {
  const n = key.positions.reduce((s, g) => s + g.indices.length, 0);
  const out = new Float32Array(n);
  let o = 0;
  for (const g of key.positions) {
    const w = valuesOf(g.tensor);
    if (!w) throw new Error(`The model has no parameter '${g.tensor}' named by the key.`);
    for (const i of g.indices) {
      if (i >= w.length) throw new RangeError(`Key index ${i} is out of range for '${g.tensor}' (${w.length} entries).`);
      out[o++] = w[i];
    }
  }
  return out;
}

/** Reads the flat values of every tensor the key marks (each once). */
async function readMarkedTensors(model: Pick<Model, 'params'>, key: Pick<WatermasKey, 'positions'>): Promise<Map<string, Float32Array>> {
  const data = new Map<string, Float32Array>();
  for (const g of key.positions) {
    if (data.has(g.tensor)) continue;
    const v = model.params.get(g.tensor);
    if (!v) throw new Error(`The model has no parameter '${g.tensor}' named by the key.`);
    data.set(g.tensor, (await v.data()) as Float32Array);
  }
  return data;
}

/**
 * Reads θ at the key positions, in key order (groups in file order, indices as listed).
 * Throws when the model lacks a tensor of the key (check the key against the model first).
 */
export async function readKeyValues(model: Pick<Model, 'params'>, key: Pick<WatermasKey, 'positions'>): Promise<Float32Array> {
  const data = await readMarkedTensors(model, key);
  return keyValuesFrom(key, (t) => data.get(t));
}

/**
 * θ at the key positions (as readKeyValues) and, from the same reads, the sign rates of each
 * marked tensor's unmarked weights that the calibrated test needs (calibration.ts).
 */
export async function readKeyEvidence(model: Pick<Model, 'params'>, key: Pick<WatermasKey, 'positions'>): Promise<{ values: Float32Array; signRates: SignRate[] }> {
  const data = await readMarkedTensors(model, key);
  return { values: keyValuesFrom(key, (t) => data.get(t)), signRates: signRates(key.positions, (t) => data.get(t)) };
}
