import { Rng } from '../random/rng';
import type { Model } from '../models/types';
import type { AttackOptions, AttackedWeights } from './types';
import { cloneParams, mapWeightTensors, meanStd } from './weights';

/**
 * Gaussian noise (methods.md §5): for each weight tensor W, W + N(0, (Ω·std(W))²) entrywise,
 * std = population standard deviation of that tensor. Noise comes from a seeded Rng forked per
 * tensor name, so the draw of one tensor does not depend on the others. Ω = 0 returns an exact copy.
 */
export async function gaussianNoiseAttack(model: Model, omega: number, opts: AttackOptions): Promise<AttackedWeights> {
  if (!(omega >= 0)) throw new RangeError(`noise: Ω must be >= 0, got ${omega}`);
  if (omega === 0) return cloneParams(model);
  const root = new Rng(opts.seed).fork('attack/noise');
  return mapWeightTensors(model, (p, w) => {
    const sigma = omega * meanStd(w).std;
    const rng = root.fork(p.name);
    for (let i = 0; i < w.length; i++) w[i] = w[i] + sigma * rng.normal();
    return w;
  });
}
