import * as tf from '@tensorflow/tfjs-core';
import type { Model } from '../models/types';
import { Rng, hashSeed } from '../random/rng';
import { crossEntropy } from './evaluate';
import type { CancelSignal, EvalBatch, LossPoint, PositionList } from './types';

/**
 * Is the loss sharper along the marked weights K than along weights like them? The measure of
 * docs/experiments/sharpness.md, our choice:
 *
 * - **Relative radius α.** Every perturbed weight moves by α·|w_i|·z_i (z_i ~ N(0, 1)), so K and
 *   any other subset are perturbed by the same relative amount whatever their magnitudes.
 * - **Matched controls.** A control subset has, in every tensor, as many weights as K has there,
 *   each drawn among the unmarked weights of nearest magnitude rank to one mark (same size, same
 *   tensor spread, same magnitude distribution as K). Marks sit at large magnitudes (the codec
 *   raises them to the q-quantile), so a random subset is not a fair baseline: matched controls are.
 * - **Rise.** Two-sided, so the linear term cancels: (L(θ+ε) + L(θ−ε))/2 − L(θ), averaged over
 *   `draws` noise draws; BatchNorm in inference mode (moving statistics), nothing is written.
 *
 * The ratio keyRise / controlRise says how much sharper K is than weights like it in the same
 * model. What WaterMAS training did is the *paired* comparison: the same numbers for the marked
 * model and its R = 0 twin (same key, init and data order), see `pairedGain`.
 */
export interface KeyVsControlOptions {
  readonly model: Model;
  readonly batch: EvalBatch;
  readonly positions: readonly PositionList[];
  /** α: each weight moves by α·|w_i|·N(0, 1). */
  readonly relativeRadius: number;
  /** Number of matched control subsets (default 4). */
  readonly controls?: number;
  /** Noise draws per subset (default 4). */
  readonly draws?: number;
  /** Fraction of the subset whose signs are flipped for the flip cost (default 0.5; 0 = skip). */
  readonly flipFraction?: number;
  /**
   * Random halves (draws of the flipped fraction) of K for the flip cost (default 4). One draw can
   * mislead: on trained pairs the cost of flipping half of the marks ranged from 0 to 34 points
   * over 4 draws on one key (docs/experiments/sharpness.md, "Which half").
   */
  readonly flipDraws?: number;
  readonly seed: number;
  readonly signal?: CancelSignal;
}

export interface KeyVsControl {
  readonly relativeRadius: number;
  readonly baseLoss: number;
  readonly baseAccuracy: number;
  /** Mean two-sided loss rise with K perturbed. */
  readonly keyRise: number;
  /** Spread (std) of the key rise over the noise draws. */
  readonly keyRiseSpread: number;
  /** Mean over control subsets of their mean rise. */
  readonly controlRise: number;
  /** Std over control subsets of their mean rise. */
  readonly controlRiseSpread: number;
  /** keyRise / controlRise (Infinity when controlRise ≤ 0 < keyRise). */
  readonly ratio: number;
  readonly controls: number;
  readonly draws: number;
  /**
   * Accuracy and loss after flipping the signs of a fraction of K (mean over `flip.draws` random
   * choices of the flipped marks, `flipDraws`), and of each control subset (one choice each, mean over subsets).
   */
  readonly flip?: {
    readonly fraction: number;
    readonly draws: number;
    readonly key: LossPoint;
    readonly control: LossPoint;
    /** baseAccuracy − key.accuracy (points of accuracy as a fraction, e.g. 0.2 = 20 points). */
    readonly keyAccuracyDrop: number;
    /** The drop of each draw (the first is the single draw measured before flipDraws existed). */
    readonly keyAccuracyDrops: readonly number[];
    /** Std of the drop over the draws. */
    readonly keyAccuracyDropSpread: number;
    readonly controlAccuracyDrop: number;
  };
  readonly cancelled: boolean;
}

/** Flat values per key tensor, read once. */
async function readTensors(model: Model, positions: readonly PositionList[]): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const g of positions) {
    const v = model.params.get(g.tensor);
    if (!v) throw new Error(`The model has no parameter '${g.tensor}'.`);
    out.set(g.tensor, new Float32Array(await v.data()));
  }
  return out;
}

/**
 * Matched control subsets: for each mark, an unmarked weight of the same tensor whose |w| rank
 * among the unmarked weights is nearest to the mark's, picked at random in a window of
 * ±`window` ranks (default 8) around it, never twice in one subset.
 */
export function matchedControls(
  weights: ReadonlyMap<string, Float32Array>,
  positions: readonly PositionList[],
  count: number,
  seed: number,
  window = 8,
): PositionList[][] {
  const rng = new Rng(seed);
  const perTensor = positions.map((g) => {
    const w = weights.get(g.tensor);
    if (!w) throw new Error(`no weights for '${g.tensor}'`);
    const marked = new Set(Array.from(g.indices));
    const free: number[] = [];
    for (let i = 0; i < w.length; i++) if (!marked.has(i)) free.push(i);
    if (free.length < g.indices.length) throw new RangeError(`Tensor '${g.tensor}' has too few unmarked weights for a control subset.`);
    free.sort((a, b) => Math.abs(w[a]) - Math.abs(w[b]) || a - b);
    const mags = free.map((i) => Math.abs(w[i]));
    // rank of each mark's magnitude among the unmarked weights (lower bound)
    const ranks = Array.from(g.indices, (i) => {
      const m = Math.abs(w[i]);
      let lo = 0;
      let hi = mags.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (mags[mid] < m) lo = mid + 1;
        else hi = mid;
      }
      return Math.min(lo, mags.length - 1);
    });
    return { tensor: g.tensor, free, ranks };
  });
  const subsets: PositionList[][] = [];
  for (let c = 0; c < count; c++) {
    subsets.push(
      perTensor.map(({ tensor, free, ranks }) => {
        const used = new Set<number>();
        const picked: number[] = [];
        for (const r of ranks) {
          let chosen = -1;
          // widen the window until a free rank is found (there always is one: free.length >= ranks.length)
          for (let h = window; chosen < 0; h *= 2) {
            const lo = Math.max(0, r - h);
            const hi = Math.min(free.length - 1, r + h);
            for (let tries = 0; tries < 8 && chosen < 0; tries++) {
              const k = lo + rng.int(hi - lo + 1);
              if (!used.has(k)) chosen = k;
            }
            if (chosen < 0 && hi - lo + 1 >= free.length) {
              for (let k = 0; k < free.length && chosen < 0; k++) if (!used.has(k)) chosen = k;
            }
          }
          used.add(chosen);
          picked.push(free[chosen]);
        }
        return { tensor, indices: Int32Array.from(picked.sort((a, b) => a - b)) };
      }),
    );
  }
  return subsets;
}

/** Loss and accuracy of the fixed batch with the given tensors replaced (inference mode). */
async function evaluateWith(model: Model, batch: EvalBatch, replaced: ReadonlyMap<string, Float32Array>): Promise<LossPoint> {
  const [loss, acc] = tf.tidy(() => {
    const overrides = new Map<string, tf.Tensor>();
    for (const [name, values] of replaced) overrides.set(name, tf.tensor(values, model.params.get(name)!.shape));
    const logits = model.forward(batch.x, { training: false, overrides });
    return [crossEntropy(logits, batch.y), tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(batch.y, 'int32')), 'float32'))];
  });
  const [l, a] = await Promise.all([loss.data(), acc.data()]);
  tf.dispose([loss, acc]);
  return { loss: l[0], accuracy: a[0] };
}

/** Copies of the subset's tensors with w_i + sign·α·|w_i|·z_i at its positions. */
function perturbed(weights: ReadonlyMap<string, Float32Array>, subset: readonly PositionList[], alpha: number, z: readonly Float32Array[], sign: 1 | -1) {
  const out = new Map<string, Float32Array>();
  subset.forEach((g, t) => {
    const w = Float32Array.from(weights.get(g.tensor)!);
    for (let j = 0; j < g.indices.length; j++) {
      const i = g.indices[j];
      w[i] += sign * alpha * Math.abs(w[i]) * z[t][j];
    }
    out.set(g.tensor, w);
  });
  return out;
}

/** Copies of the subset's tensors with the signs of `fraction` of its positions flipped (a seeded choice). */
function flipped(weights: ReadonlyMap<string, Float32Array>, subset: readonly PositionList[], fraction: number, rng: Rng) {
  const n = subset.reduce((s, g) => s + g.indices.length, 0);
  const chosen = new Set(rng.permutation(n).subarray(0, Math.round(fraction * n)));
  const out = new Map<string, Float32Array>();
  let k = 0;
  for (const g of subset) {
    const w = Float32Array.from(weights.get(g.tensor)!);
    for (let j = 0; j < g.indices.length; j++, k++) if (chosen.has(k)) w[g.indices[j]] = -w[g.indices[j]];
    out.set(g.tensor, w);
  }
  return out;
}

const mean = (a: readonly number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const std = (a: readonly number[]) => {
  const m = mean(a);
  return Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / a.length);
};

/** Key-vs-matched-control sharpness (and flip cost) of one model; see the module comment. */
export async function keyVsControl(o: KeyVsControlOptions): Promise<KeyVsControl> {
  const controls = o.controls ?? 4;
  const draws = o.draws ?? 4;
  const fraction = o.flipFraction ?? 0.5;
  const flipDraws = o.flipDraws ?? 4;
  if (!(o.relativeRadius >= 0) || !Number.isFinite(o.relativeRadius)) throw new RangeError(`relative radius must be finite and >= 0, got ${o.relativeRadius}`);
  if (!(controls >= 1 && Number.isInteger(controls))) throw new RangeError(`controls must be a whole number >= 1, got ${controls}`);
  if (!(draws >= 1 && Number.isInteger(draws))) throw new RangeError(`draws must be a whole number >= 1, got ${draws}`);
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`flip fraction must be in [0, 1], got ${fraction}`);
  if (!(flipDraws >= 1 && Number.isInteger(flipDraws))) throw new RangeError(`flip draws must be a whole number >= 1, got ${flipDraws}`);
  const weights = await readTensors(o.model, o.positions);
  const base = await evaluateWith(o.model, o.batch, new Map());
  const subsets = matchedControls(weights, o.positions, controls, hashSeed(o.seed, 'controls'));
  let cancelled = false;

  /** Mean two-sided rise of one subset over the draws (the same z for every subset of a draw). */
  const riseOf = async (subset: readonly PositionList[]): Promise<number[]> => {
    const rises: number[] = [];
    for (let d = 0; d < draws; d++) {
      if (o.signal?.aborted) {
        cancelled = true;
        break;
      }
      const rng = new Rng(hashSeed(o.seed, `noise/${d}`));
      const z = subset.map((g) => rng.fillNormal(new Float32Array(g.indices.length)));
      if (o.relativeRadius === 0) {
        rises.push(0);
        continue;
      }
      const plus = await evaluateWith(o.model, o.batch, perturbed(weights, subset, o.relativeRadius, z, 1));
      const minus = await evaluateWith(o.model, o.batch, perturbed(weights, subset, o.relativeRadius, z, -1));
      rises.push((plus.loss + minus.loss) / 2 - base.loss);
    }
    return rises;
  };

  const keyRises = await riseOf(o.positions);
  const controlMeans: number[] = [];
  for (let c = 0; c < subsets.length && !cancelled; c++) {
    const r = await riseOf(subsets[c]);
    if (r.length) controlMeans.push(mean(r));
  }
  const keyRise = keyRises.length ? mean(keyRises) : NaN;
  const controlRise = controlMeans.length ? mean(controlMeans) : NaN;
  const ratio = controlRise > 0 ? keyRise / controlRise : keyRise > 0 ? Infinity : NaN;

  let flip: KeyVsControl['flip'];
  if (fraction > 0 && !cancelled) {
    const keyDraws: LossPoint[] = [];
    for (let d = 0; d < flipDraws; d++) {
      const rng = new Rng(hashSeed(o.seed, d === 0 ? 'flip/key' : `flip/key/${d}`));
      keyDraws.push(await evaluateWith(o.model, o.batch, flipped(weights, o.positions, fraction, rng)));
    }
    const key = { loss: mean(keyDraws.map((p) => p.loss)), accuracy: mean(keyDraws.map((p) => p.accuracy)) };
    const keyAccuracyDrops = keyDraws.map((p) => base.accuracy - p.accuracy);
    const ctl: LossPoint[] = [];
    for (let c = 0; c < subsets.length; c++) {
      ctl.push(await evaluateWith(o.model, o.batch, flipped(weights, subsets[c], fraction, new Rng(hashSeed(o.seed, `flip/control/${c}`)))));
    }
    const control = { loss: mean(ctl.map((p) => p.loss)), accuracy: mean(ctl.map((p) => p.accuracy)) };
    flip = {
      fraction,
      draws: flipDraws,
      key,
      control,
      keyAccuracyDrop: base.accuracy - key.accuracy,
      keyAccuracyDrops,
      keyAccuracyDropSpread: std(keyAccuracyDrops),
      controlAccuracyDrop: base.accuracy - control.accuracy,
    };
  }
  return {
    relativeRadius: o.relativeRadius,
    baseLoss: base.loss,
    baseAccuracy: base.accuracy,
    keyRise,
    keyRiseSpread: keyRises.length ? std(keyRises) : NaN,
    controlRise,
    controlRiseSpread: controlMeans.length ? std(controlMeans) : NaN,
    ratio,
    controls: controlMeans.length,
    draws,
    ...(flip ? { flip } : {}),
    cancelled,
  };
}

/**
 * The paired comparison of a marked model and its R = 0 twin (same key, init, data order), both
 * measured with the same options: how many times K's rise grew (keyGain), and the same for the
 * matched controls (controlGain, ≈ 1 when training changed only K's neighbourhood).
 */
export function pairedGain(marked: KeyVsControl, twin: KeyVsControl): { keyGain: number; controlGain: number; flipCostGain?: number } {
  const div = (a: number, b: number) => (b > 0 ? a / b : a > 0 ? Infinity : NaN);
  return {
    keyGain: div(marked.keyRise, twin.keyRise),
    controlGain: div(marked.controlRise, twin.controlRise),
    ...(marked.flip && twin.flip ? { flipCostGain: marked.flip.keyAccuracyDrop - twin.flip.keyAccuracyDrop } : {}),
  };
}
