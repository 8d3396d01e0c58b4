import { Rng } from '../random/rng';
import type { Model } from '../models/types';
import type { AttackOptions, AttackedWeights } from './types';
import { cloneParams, mapWeightTensors, meanStd } from './weights';

/**
 * Weight shifting (Watermark-Robustness-Toolbox, methods.md §5):
 *   W ← W − λ1·mean_over_filters(W) − λ2·ε,  ε ~ N(0, std(W)²) entrywise.
 * Our reading, documented: a "filter" is a slice along the LAST axis of the TF layout
 * ([kh, kw, in, out] conv, [in, out] dense, [kh, kw, in, mult] depthwise), so
 * mean_over_filters(W) is the mean filter (W averaged over the last axis), broadcast to every
 * filter; removing a fraction λ1 of it shifts every filter towards zero-mean across filters.
 * std(W) is the tensor's population standard deviation. Strength λ sets λ1 = λ and
 * λ2 = λ·ratio (`opts.shiftNoiseRatio`, default 1). λ = 0 returns an exact copy.
 */
export async function weightShiftAttack(model: Model, lambda: number, opts: AttackOptions): Promise<AttackedWeights> {
  if (!(lambda >= 0)) throw new RangeError(`shift: λ must be >= 0, got ${lambda}`);
  if (lambda === 0) return cloneParams(model);
  const lambda1 = lambda;
  const lambda2 = lambda * (opts.shiftNoiseRatio ?? 1);
  const root = new Rng(opts.seed).fork('attack/shift');
  return mapWeightTensors(model, (p, w) => {
    const out = p.shape[p.shape.length - 1];
    const rows = w.length / out;
    const sigma = meanStd(w).std;
    const rng = root.fork(p.name);
    const next = new Float32Array(w.length);
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let o = 0; o < out; o++) s += w[r * out + o];
      const mean = s / out;
      for (let o = 0; o < out; o++) {
        const i = r * out + o;
        next[i] = w[i] - lambda1 * mean - lambda2 * sigma * rng.normal();
      }
    }
    return next;
  });
}
