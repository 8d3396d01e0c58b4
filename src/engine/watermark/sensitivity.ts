import * as tf from '@tensorflow/tfjs-core';
import type { Model } from '../models/types';
import { Rng } from '../random/rng';
import { softmaxCrossEntropy } from '../train/crossEntropy';
import type { Batch } from '../train/types';
import type { PositionGroup } from './keys';

export interface RiseStats {
  readonly mean: number;
  readonly std: number;
  readonly values: readonly number[];
}

export interface SubspaceSensitivity {
  /** Loss of the unperturbed model on the batch. */
  readonly baseLoss: number;
  /** L(θ + ε_K) − L(θ): noise on the key positions. */
  readonly keyRise: RiseStats;
  /** L(θ + ε_R) − L(θ): the same noise on as many random unmarked positions (same count per tensor). */
  readonly randomRise: RiseStats;
  /** keyRise.mean / randomRise.mean (Infinity when the latter is 0). */
  readonly ratio: number;
}

export interface SensitivityOptions {
  /**
   * Relative noise size (default 0.1). Our choice: ε_i = relative · std(W) · N(0, 1) with std(W) the
   * standard deviation of the whole tensor (as the Gaussian-noise attack of methods.md §5), so the
   * key and the random subspace get the same absolute noise scale in each tensor.
   */
  readonly relative?: number;
  /** Number of noise draws averaged (default 10). */
  readonly draws?: number;
  readonly seed?: number;
  /** BatchNorm mode of the evaluation passes (default false: moving statistics; nothing is updated either way). */
  readonly training?: boolean;
}

function stats(values: number[]): RiseStats {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
  return { mean, std, values };
}

/**
 * Sharpness of the loss in the key subspace versus a random subspace of the same size
 * (the claim WaterMAS makes, issue 4): mean loss rise over `draws` noise draws when the marked
 * weights get Gaussian noise of relative size `relative` (see SensitivityOptions), and the same for as many
 * random unmarked weights (fresh positions each draw, same number per tensor as the key).
 * Evaluates through `overrides`, so the model's variables and BatchNorm state are never written.
 */
export async function subspaceSensitivity(
  model: Model,
  positions: readonly PositionGroup[],
  batch: Batch,
  opts: SensitivityOptions = {},
): Promise<SubspaceSensitivity> {
  const relative = opts.relative ?? 0.1;
  const draws = opts.draws ?? 10;
  const training = opts.training ?? false;
  const rng = new Rng(opts.seed ?? 0);
  const weights = new Map<string, Float32Array>();
  const scales = new Map<string, number>();
  for (const g of positions) {
    const v = model.params.get(g.tensor);
    if (!v) throw new Error(`The model has no parameter '${g.tensor}'.`);
    const w = new Float32Array(await v.data());
    weights.set(g.tensor, w);
    let m = 0;
    for (const x of w) m += x;
    m /= w.length;
    let ss = 0;
    for (const x of w) ss += (x - m) ** 2;
    scales.set(g.tensor, relative * Math.sqrt(ss / w.length));
  }
  const lossWith = async (groups: readonly { tensor: string; indices: ArrayLike<number> }[] | null): Promise<number> => {
    const overrides = new Map<string, tf.Tensor>();
    if (groups) {
      for (const g of groups) {
        const w = Float32Array.from(weights.get(g.tensor)!);
        const scale = scales.get(g.tensor)!;
        for (let j = 0; j < g.indices.length; j++) w[g.indices[j]] += scale * rng.normal();
        overrides.set(g.tensor, tf.tensor(w, model.params.get(g.tensor)!.shape));
      }
    }
    const loss = tf.tidy(() => softmaxCrossEntropy(model.forward(batch.x, { training, overrides }), batch.y));
    tf.dispose([...overrides.values()]);
    const value = (await loss.data())[0];
    loss.dispose();
    return value;
  };
  const randomGroups = () =>
    positions.map((g) => {
      const size = weights.get(g.tensor)!.length;
      const marked = new Set(g.indices);
      if (size - marked.size < g.indices.length) throw new RangeError(`Tensor '${g.tensor}' has too few unmarked weights for a random subspace.`);
      const chosen = new Set<number>();
      while (chosen.size < g.indices.length) {
        const i = rng.int(size);
        if (!marked.has(i)) chosen.add(i);
      }
      return { tensor: g.tensor, indices: [...chosen] };
    });
  const baseLoss = await lossWith(null);
  const key: number[] = [];
  const rand: number[] = [];
  for (let d = 0; d < draws; d++) {
    key.push((await lossWith(positions)) - baseLoss);
    rand.push((await lossWith(randomGroups())) - baseLoss);
  }
  const keyRise = stats(key);
  const randomRise = stats(rand);
  return { baseLoss, keyRise, randomRise, ratio: randomRise.mean === 0 ? Infinity : keyRise.mean / randomRise.mean };
}
