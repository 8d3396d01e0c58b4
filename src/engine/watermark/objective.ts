import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_BN_MOMENTUM } from '../models/functionalModel';
import { disposeStats } from '../models/layers';
import type { BatchNormStats, Model } from '../models/types';
import { Rng } from '../random/rng';
import { softmaxCrossEntropy } from '../train/crossEntropy';
import { paramGradients } from '../train/gradients';
import type { Batch, FrozenPositions, GradientResult, Objective, StepContext } from '../train/types';
import type { Key } from './keyFile';
import { toFrozenPositions } from './keys';
import { DEFAULT_WATERMAS_SETTINGS, settingsFromKey, validateSettings, type WaterMASSettings } from './settings';

export type LossFn = (logits: tf.Tensor2D, labels: tf.Tensor1D) => tf.Scalar;

export interface WaterMASObjectiveOptions {
  /** Seed of the replica noise; the noise of step s is drawn from Rng(seed).fork(`replicas/${s}`). */
  readonly seed: number;
  readonly settings?: Partial<WaterMASSettings>;
  /** Task loss (default: the trainer's mean softmax cross-entropy). */
  readonly loss?: LossFn;
  /** BatchNorm momentum passed to model.updateRunningStats (default DEFAULT_BN_MOMENTUM, as the trainer's CE objective). */
  readonly bnMomentum?: number;
}

interface KeyTensor {
  readonly name: string;
  readonly shape: number[];
  readonly size: number;
  readonly count: number;
  /** [k, 1] int32 flat indices (kept until dispose). */
  readonly indices: tf.Tensor2D;
  /** 0/1 mask of the key positions, built on first use by the adversarial mode. */
  mask: tf.Tensor | null;
  /** [k] the marked values (frozen, so read once), built on first use by the relative and flip modes. */
  marks: tf.Tensor1D | null;
}

/**
 * The WaterMAS objective (methods.md §1.5), minimised over the unmarked weights:
 *
 *   bounded (default):  J = L(θ) + λ · (1/R) Σ_r max(0, m − (L(θ + ε_r) − L(θ)))
 *   m = ∞ (the limit):  J = (1 + λ) · L(θ) − λ · (1/R) Σ_r L(θ + ε_r)
 *
 * (the m = ∞ form is the limit of the bounded one, every replica active; it is not the 2020 form
 * L − λ·mean L_r, whose task term has weight 1 − λ in the gradient: docs/experiments/sharpness.md).
 * ε_r is supported on the key positions K only, drawn as the settings' mode says (settings.ts):
 * Gaussian (absolute σ), relative (σ·|w_i|·z_i), flip (a fraction σ of the marks' signs), each
 * optionally in antithetic pairs (ε, −ε), or one adversarial replica ε = ρ · g_K / ‖g_K‖. The hinge
 * is differentiated literally (both L(θ+ε_r) and L(θ) inside it carry gradient); a replica beyond
 * the margin contributes nothing.
 *
 * Cost: one forward+backward for the clean pass and one per replica, each replica on the whole
 * batch (replicaBatch 'full') or on its slice of it ('split': the replicas together cost about one
 * pass, and a replica's gap L(θ+ε_r) − L(θ) is its slice's loss minus the whole batch's clean loss,
 * the same objective in expectation over the data); the gradients are
 * accumulated pass by pass (never R+1 tapes at once). Replica passes run in
 * training mode, with no statsSink, so BatchNorm running statistics only see the clean pass
 * (updated once per step here, as the Objective contract asks); with replicaBn = 'clean' they are
 * normalised with the clean pass's batch statistics (constants) instead of their own, as the
 * perturbed model would be at test time. Gradients returned include the key positions; the
 * trainer masks them. R = 0 is exactly the plain loss and its gradient.
 *
 * Random draws come from the seeded Rng in JavaScript (reproducible across backends) and are
 * scattered into dense per-tensor tensors of fixed shapes. Settings may change between steps.
 */
export class WaterMASObjective implements Objective {
  readonly name = 'watermas';
  private settings: WaterMASSettings;
  private readonly keyTensors: KeyTensor[] = [];
  private readonly baseRng: Rng;
  private readonly loss: LossFn;
  private disposed = false;

  constructor(
    frozen: FrozenPositions,
    private readonly opts: WaterMASObjectiveOptions,
    shapes: ReadonlyMap<string, readonly number[]>,
  ) {
    this.settings = { ...DEFAULT_WATERMAS_SETTINGS, ...opts.settings };
    validateSettings(this.settings);
    this.baseRng = new Rng(opts.seed);
    this.loss = opts.loss ?? softmaxCrossEntropy;
    for (const [name, idx] of frozen) {
      if (idx.length === 0) continue;
      const shape = shapes.get(name);
      if (!shape) throw new Error(`WaterMAS objective: the model has no parameter '${name}'.`);
      const size = shape.reduce((a, b) => a * b, 1);
      for (const i of idx) if (i < 0 || i >= size) throw new RangeError(`Key index ${i} out of range for '${name}'.`);
      this.keyTensors.push({
        name,
        shape: [...shape],
        size,
        count: idx.length,
        indices: tf.keep(tf.tensor2d(idx, [idx.length, 1], 'int32')),
        mask: null,
        marks: null,
      });
    }
  }

  /** Current settings (a copy). */
  getSettings(): WaterMASSettings {
    return { ...this.settings };
  }

  /** Changes settings for the following steps (the UI sliders drive this live). */
  setSettings(partial: Partial<WaterMASSettings>): void {
    const next = { ...this.settings, ...partial };
    validateSettings(next);
    this.settings = next;
  }

  /** Number of replica passes per step under the current settings. */
  replicaPasses(): number {
    const s = this.settings;
    if (s.replicas === 0 || s.lambda === 0 || this.keyTensors.length === 0) return 0;
    return s.mode === 'adversarial' ? 1 : s.replicas;
  }

  computeGradients(model: Model, batch: Batch, ctx: StepContext): GradientResult {
    if (this.disposed) throw new Error('WaterMAS objective used after dispose().');
    const s = this.settings;
    const names = model.paramInfo.map((p) => p.name);

    // clean pass: loss, logits, gradient, BatchNorm batch statistics (exactly the trainer's
    // cross-entropy objective when R = 0)
    const passes = this.replicaPasses();
    const sink: BatchNormStats[] = [];
    let logits: tf.Tensor2D | undefined;
    let clean: { value: tf.Scalar; grads: Map<string, tf.Tensor> };
    // the clean pass's batch statistics, kept for the replicas when replicaBn = 'clean'
    const cleanStats = new Map<string, { mean: tf.Tensor; variance: tf.Tensor }>();
    try {
      clean = paramGradients(model, () => {
        const out = model.forward(batch.x, { training: true, statsSink: sink });
        logits = tf.keep(out);
        return this.loss(out, batch.y);
      });
      if (passes > 0 && s.replicaBn === 'clean') {
        for (const st of sink) cleanStats.set(st.layer, { mean: tf.clone(st.mean), variance: tf.clone(st.variance) });
      }
      model.updateRunningStats(sink, this.opts.bnMomentum ?? DEFAULT_BN_MOMENTUM);
    } catch (e) {
      disposeStats(sink);
      for (const st of cleanStats.values()) tf.dispose([st.mean, st.variance]);
      logits?.dispose();
      throw e;
    }
    const g0 = clean.grads;

    if (passes === 0) return { loss: clean.value, logits, grads: g0 };

    const rng = this.baseRng.fork(`replicas/${ctx.step}`);
    const hinge = Number.isFinite(s.margin);
    const acc = new Map<string, tf.Tensor>(); // Σ_r coef_r · g_r
    let coefSum: tf.Scalar = tf.scalar(0);
    let replicaLossSum: tf.Scalar = tf.scalar(0);
    const disposeCleanStats = () => {
      for (const st of cleanStats.values()) tf.dispose([st.mean, st.variance]);
    };
    let previous: Map<string, tf.Tensor> | null = null; // the last replica's ε, for its antithetic twin
    for (let r = 0; r < passes; r++) {
      ctx.onPhase?.({ kind: 'replica', index: r, of: passes });
      let eps: Map<string, tf.Tensor>;
      try {
        eps = this.replicaNoise(model, rng, g0, previous);
      } catch (e) {
        tf.dispose([...g0.values(), ...acc.values(), clean.value, coefSum, replicaLossSum, ...(previous?.values() ?? [])]);
        disposeCleanStats();
        logits?.dispose();
        throw e;
      }
      if (previous) for (const e of previous.values()) e.dispose();
      previous = null;
      let rep: { value: tf.Scalar; grads: Map<string, tf.Tensor> };
      const rows = this.replicaRows(r, passes, batch.x.shape[0]);
      try {
        rep = paramGradients(model, () => {
          const overrides = new Map<string, tf.Tensor>();
          for (const [name, e] of eps) overrides.set(name, tf.add(model.params.get(name)!, e));
          const opts = cleanStats.size > 0 ? { training: true, overrides, batchStats: cleanStats } : { training: true, overrides };
          const x = rows ? tf.slice(batch.x, [rows.start, 0, 0, 0], [rows.size, -1, -1, -1]) : batch.x;
          const y = rows ? tf.slice(batch.y, [rows.start], [rows.size]) : batch.y;
          return this.loss(model.forward(x, opts), y);
        });
      } catch (e) {
        tf.dispose([...eps.values(), ...g0.values(), ...acc.values(), clean.value, coefSum, replicaLossSum]);
        disposeCleanStats();
        logits?.dispose();
        throw e;
      }
      if (s.antithetic && r % 2 === 0 && (s.mode === 'gaussian' || s.mode === 'relative')) previous = eps;
      else for (const e of eps.values()) e.dispose();
      const coef = tf.tidy(() => {
        const base = tf.scalar(s.lambda / passes);
        if (!hinge) return base;
        const gap = tf.sub(rep.value, clean.value);
        return tf.mul(base, tf.step(tf.sub(tf.scalar(s.margin), gap)));
      }) as tf.Scalar;
      for (const [name, g] of rep.grads) {
        const prev = acc.get(name);
        const next = tf.tidy(() => (prev ? tf.add(prev, tf.mul(coef, g)) : tf.mul(coef, g)));
        prev?.dispose();
        g.dispose();
        acc.set(name, next);
      }
      const nextCoef = tf.add(coefSum, coef) as tf.Scalar;
      const nextLoss = tf.add(replicaLossSum, rep.value) as tf.Scalar;
      coefSum.dispose();
      replicaLossSum.dispose();
      coef.dispose();
      rep.value.dispose();
      coefSum = nextCoef;
      replicaLossSum = nextLoss;
    }

    if (previous) for (const e of (previous as Map<string, tf.Tensor>).values()) e.dispose();
    disposeCleanStats();
    // J gradient, bounded or not: (1 + Σ coef_r) g0 − Σ coef_r g_r (coef_r = λ/R for an active replica, 0 otherwise)
    const grads = new Map<string, tf.Tensor>();
    for (const name of names) {
      const a = g0.get(name);
      const b = acc.get(name);
      if (!a && !b) continue;
      grads.set(
        name,
        tf.tidy(() => {
          const clean0 = a ? tf.mul(tf.add(tf.scalar(1), coefSum), a) : null;
          if (!b) return clean0!;
          return clean0 ? tf.sub(clean0, b) : tf.neg(b);
        }),
      );
      a?.dispose();
      b?.dispose();
    }
    const replicaLossMean = tf.tidy(() => tf.div(replicaLossSum, tf.scalar(passes))) as tf.Scalar;
    const gap = tf.sub(replicaLossMean, clean.value) as tf.Scalar;
    // fraction of replicas still pushing (inside the hinge margin); 1 in the unbounded form
    const activeFraction = tf.tidy(() => tf.div(coefSum, tf.scalar(s.lambda))) as tf.Scalar;
    replicaLossSum.dispose();
    coefSum.dispose();
    return { loss: clean.value, logits, grads, metrics: { replicaLossMean, gap, activeFraction } };
  }

  /**
   * The rows of the batch replica r of `passes` sees: null for the whole batch (replicaBatch 'full',
   * or one pass); with 'split', slice r of `passes` near-equal slices, or slice ⌊r/2⌋ of ⌈passes/2⌉
   * when replicas come in antithetic pairs (the pair shares its images). A batch smaller than the
   * number of slices gives each replica one row (rows repeat).
   */
  private replicaRows(r: number, passes: number, n: number): { start: number; size: number } | null {
    const s = this.settings;
    if (s.replicaBatch === 'full' || passes <= 1) return null;
    const paired = s.antithetic && (s.mode === 'gaussian' || s.mode === 'relative');
    const slices = paired ? Math.ceil(passes / 2) : passes;
    const i = paired ? Math.floor(r / 2) : r;
    if (slices <= 1) return null;
    if (n < slices) return { start: i % n, size: 1 };
    const start = Math.floor((i * n) / slices);
    return { start, size: Math.floor(((i + 1) * n) / slices) - start };
  }

  /** Replica r's ε on K under the current settings (the antithetic twin −previous when one is given). */
  private replicaNoise(model: Model, rng: Rng, g0: ReadonlyMap<string, tf.Tensor>, previous: Map<string, tf.Tensor> | null): Map<string, tf.Tensor> {
    const s = this.settings;
    if (s.mode === 'adversarial') return this.adversarialNoise(g0, s.rho);
    if (previous) return new Map([...previous].map(([name, e]) => [name, tf.neg(e)]));
    if (s.mode === 'gaussian') return this.scatterPerMark((kt) => rng.fillNormal(new Float32Array(kt.count), 0, s.sigma));
    this.readMarks(model);
    if (s.mode === 'relative') {
      return this.scatterPerMark((kt) => rng.fillNormal(new Float32Array(kt.count), 0, s.sigma), (kt, z) => tf.mul(z, tf.abs(kt.marks!)));
    }
    // flip: exactly round(σ·n) marks over the whole key, a fresh uniform subset per replica
    const n = this.keyTensors.reduce((acc, kt) => acc + kt.count, 0);
    const flips = Math.round(s.sigma * n);
    const chosen = rng.permutation(n).subarray(0, flips);
    const mask = new Float32Array(n);
    for (const i of chosen) mask[i] = 1;
    let offset = 0;
    return this.scatterPerMark(
      (kt) => {
        const m = mask.subarray(offset, offset + kt.count);
        offset += kt.count;
        return m;
      },
      (kt, m) => tf.mul(tf.mul(m, kt.marks!), tf.scalar(-2)),
    );
  }

  /** Per-key-tensor values [k] (from JS), optionally transformed on the device, scattered into dense tensors. */
  private scatterPerMark(values: (kt: KeyTensor) => Float32Array, transform?: (kt: KeyTensor, v: tf.Tensor1D) => tf.Tensor): Map<string, tf.Tensor> {
    const eps = new Map<string, tf.Tensor>();
    for (const kt of this.keyTensors) {
      const v = values(kt);
      eps.set(
        kt.name,
        tf.tidy(() => {
          const t = tf.tensor1d(v, 'float32');
          const u = transform ? transform(kt, t) : t;
          return tf.reshape(tf.scatterND(kt.indices, u, [kt.size]), kt.shape);
        }),
      );
    }
    return eps;
  }

  /** Caches the marked values (they are frozen, so one read serves every step). */
  private readMarks(model: Model): void {
    for (const kt of this.keyTensors) {
      if (kt.marks) continue;
      const p = model.params.get(kt.name);
      if (!p) throw new Error(`WaterMAS objective: the model has no parameter '${kt.name}'.`);
      kt.marks = tf.keep(tf.tidy(() => tf.reshape(tf.gatherND(tf.reshape(p, [kt.size]), kt.indices), [kt.count]) as tf.Tensor1D));
    }
  }

  /** ε = ρ · g_K / ‖g_K‖ over all key positions (zero when g_K = 0). */
  private adversarialNoise(g0: ReadonlyMap<string, tf.Tensor>, rho: number): Map<string, tf.Tensor> {
    const eps = new Map<string, tf.Tensor>();
    const masked = new Map<string, tf.Tensor>();
    for (const kt of this.keyTensors) {
      const g = g0.get(kt.name);
      if (!g) continue;
      if (!kt.mask) {
        kt.mask = tf.keep(tf.tidy(() => tf.reshape(tf.scatterND(kt.indices, tf.ones([kt.count], 'float32'), [kt.size]), kt.shape)));
      }
      masked.set(kt.name, tf.mul(g, kt.mask));
    }
    if (masked.size === 0) return eps;
    const scale = tf.tidy(() => {
      let sq: tf.Tensor = tf.scalar(0);
      for (const m of masked.values()) sq = tf.add(sq, tf.sum(tf.square(m)));
      return tf.div(tf.scalar(rho), tf.add(tf.sqrt(sq), tf.scalar(1e-12)));
    });
    for (const [name, m] of masked) {
      eps.set(name, tf.mul(m, scale));
      m.dispose();
    }
    scale.dispose();
    return eps;
  }

  /** Frees the cached index and mask tensors. */
  dispose(): void {
    for (const kt of this.keyTensors) {
      kt.indices.dispose();
      kt.mask?.dispose();
      kt.mask = null;
      kt.marks?.dispose();
      kt.marks = null;
    }
    this.disposed = true;
  }
}

/** Builds the objective for a model and its frozen key positions. */
export function createWaterMASObjective(
  model: Pick<Model, 'paramInfo'>,
  frozen: FrozenPositions,
  opts: WaterMASObjectiveOptions,
): WaterMASObjective {
  return new WaterMASObjective(frozen, opts, new Map(model.paramInfo.map((p) => [p.name, p.shape])));
}

/**
 * The objective a key file describes (its recorded settings, overridable), over the key's
 * positions. `seed` drives the replica noise.
 */
export function objectiveFromKey(
  model: Pick<Model, 'paramInfo'>,
  key: Pick<Key, 'positions' | 'objective'>,
  opts: Omit<WaterMASObjectiveOptions, 'settings'> & { readonly settings?: Partial<WaterMASSettings> },
): WaterMASObjective {
  return createWaterMASObjective(model, toFrozenPositions(key.positions), {
    ...opts,
    settings: { ...settingsFromKey(key.objective), ...opts.settings },
  });
}
