import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_BN_MOMENTUM } from '../models/functionalModel';
import { disposeStats } from '../models/layers';
import type { BatchNormStats, Model } from '../models/types';
import { Rng } from '../random/rng';
import { softmaxCrossEntropy } from '../train/crossEntropy';
import { paramGradients } from '../train/gradients';
import type { Batch, FrozenPositions, GradientResult, Objective, StepContext } from '../train/types';
import type { WatermasKey } from './keyFile';
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

/** One replica's noise and its index among the step's replicas. */
interface ReplicaNoise {
  readonly r: number;
  readonly eps: Map<string, tf.Tensor>;
}

/** The replica term's reported values: sums over the replicas of one tape (kept scalars). */
interface ReplicaTermValues {
  /** Σ L_r over the tape's replicas. */
  readonly lossSum: tf.Scalar;
  /** Σ (L_r − B_r). */
  readonly gapSum: tf.Scalar;
  /** Σ c_r / λ: the replicas inside the hinge margin, each weighted 1/R. */
  readonly activeFraction: tf.Scalar;
}

/**
 * balance 'gradient': a replica push smaller than this fraction of the task gradient's norm is
 * treated as zero (our choice). With ε = 0 the push is the float32 rounding between two passes of
 * the same model, which rescaled would be noise as large as the task gradient (replicaModes.test.ts
 * fails without the floor); 1e-4 sits well above float32's relative precision (6e-8).
 */
const PUSH_FLOOR = 1e-4;

interface KeyTensor {
  readonly name: string;
  readonly shape: number[];
  readonly size: number;
  readonly count: number;
  /** [k, 1] int32 flat indices (kept until dispose). */
  readonly indices: tf.Tensor2D;
  /** 0/1 mask of the key positions, built on first use (adversarial replica, balance 'gradient'). */
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
 * Each replica is compared with the same model at ε = 0 on the same images under the same
 * normalisation (its baseline, replicaTerm), so ε = 0 gives exactly the plain loss's gradient.
 * Replicas on slices of the batch (replicaBatch 'split', or 'half', the default: slices of its first
 * half) share one gradient tape with the clean pass: the replicas together cost about one pass
 * (half a pass with 'half'; with replicaBn 'batch' their slices' own-statistics baselines as much
 * again), and the tape holds two (one and a half) batches' worth of activations.
 * Replicas on the whole batch ('full') and the adversarial replica get one tape each after the clean
 * pass's: 1 + R passes with replicaBn 'batch', 1 + 2R with 'clean' (each tape repeats the clean
 * forward pass for the statistics), one pass's activations at a time. Replica passes never feed the
 * BatchNorm running statistics (the clean pass updates them once per step, as the Objective contract
 * asks); with replicaBn 'clean' a replica is normalised with the clean pass's batch statistics, as
 * the perturbed model would be at test time, differentiated through as the clean loss is. Gradients
 * returned include the key positions; the trainer masks them. R = 0 is exactly the plain loss and
 * its gradient.
 *
 * With balance 'gradient' (settings.ts) the replica term's gradient keeps its direction and is
 * resized each step to λ × the task gradient's norm (× the fraction of replicas inside the margin),
 * both over the unmarked weights (balanced); replicas on slices then take one more pass for the
 * task gradient on its own.
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
    const passes = this.replicaPasses();
    if (passes === 0) return this.cleanOnly(model, batch);
    return this.settings.mode === 'adversarial' ? this.adversarialStep(model, batch, ctx) : this.replicaStep(model, batch, ctx, passes);
  }

  /** R = 0 (or λ = 0): exactly the trainer's cross-entropy objective, loss, logits and gradient. */
  private cleanOnly(model: Model, batch: Batch): GradientResult {
    const sink: BatchNormStats[] = [];
    let logits: tf.Tensor2D | undefined;
    try {
      const { value, grads } = paramGradients(model, () => {
        const out = model.forward(batch.x, { training: true, statsSink: sink });
        logits = tf.keep(out);
        return this.loss(out, batch.y);
      });
      model.updateRunningStats(sink, this.opts.bnMomentum ?? DEFAULT_BN_MOMENTUM);
      return { loss: value, logits, grads };
    } catch (e) {
      logits?.dispose();
      throw e;
    } finally {
      disposeStats(sink);
    }
  }

  /**
   * Random replicas (Gaussian, relative, flip), their ε drawn first. With the batch split among them
   * (the default) the clean pass and every replica pass share one gradient tape, two batches' worth
   * of activations (sharedTape). With every replica on the whole batch, R + 1 passes on one tape
   * would not fit a ResNet-20 at batch 128 in wasm memory (measured: the process aborts at R = 4), so
   * the clean pass and each replica get tapes of their own (replicaTapes).
   */
  private replicaStep(model: Model, batch: Batch, ctx: StepContext, passes: number): GradientResult {
    const rng = this.baseRng.fork(`replicas/${ctx.step}`);
    const noise: ReplicaNoise[] = [];
    try {
      for (let r = 0; r < passes; r++) noise.push({ r, eps: this.replicaNoise(model, rng, r, noise.map((n) => n.eps)) });
      if (this.settings.replicaBatch !== 'full') return this.sharedTape(model, batch, ctx, passes, noise);
      return this.replicaTapes(model, batch, ctx, passes, noise, this.cleanOnly(model, batch));
    } finally {
      for (const { eps } of noise) tf.dispose([...eps.values()]);
    }
  }

  /** The clean pass and all replicas on one tape; each replica's baseline is the clean pass's loss on its rows. */
  private sharedTape(model: Model, batch: Batch, ctx: StepContext, passes: number, noise: readonly ReplicaNoise[]): GradientResult {
    const sink: BatchNormStats[] = [];
    let logits: tf.Tensor2D | undefined;
    let task: tf.Scalar | undefined;
    let term: ReplicaTermValues | undefined;
    try {
      const { value, grads } = paramGradients(model, () => {
        const out = model.forward(batch.x, { training: true, statsSink: sink });
        logits = tf.keep(out);
        const L = this.loss(out, batch.y);
        task = tf.keep(tf.clone(L));
        const replica = this.replicaTerm(model, batch, { logits: out, loss: L, stats: sink }, noise, passes, ctx);
        term = replica.values;
        return tf.add(L, replica.term) as tf.Scalar;
      });
      value.dispose();
      model.updateRunningStats(sink, this.opts.bnMomentum ?? DEFAULT_BN_MOMENTUM);
      const metrics = this.metrics([term!], passes);
      if (this.settings.balance === 'loss') return { loss: task!, logits, grads, metrics };
      // the task gradient on its own (one more pass; the running statistics were updated above)
      const cleanSink: BatchNormStats[] = [];
      let plain: Map<string, tf.Tensor>;
      try {
        const g = paramGradients(model, () => this.loss(model.forward(batch.x, { training: true, statsSink: cleanSink }), batch.y));
        g.value.dispose();
        plain = g.grads;
      } catch (e) {
        tf.dispose([...grads.values(), ...Object.values(metrics)]);
        throw e;
      } finally {
        disposeStats(cleanSink);
      }
      const push = new Map([...grads].map(([name, g]) => [name, tf.tidy(() => tf.sub(g, plain.get(name)!))] as const));
      tf.dispose([...grads.values()]);
      return { loss: task!, logits, grads: this.balanced(plain, push, metrics.activeFraction), metrics };
    } catch (e) {
      tf.dispose([...(logits ? [logits] : []), ...(task ? [task] : []), ...(term ? Object.values(term) : [])]);
      throw e;
    } finally {
      disposeStats(sink);
    }
  }

  /**
   * The adversarial replica needs the clean gradient first (ε = ρ·g_K/‖g_K‖), so it runs after the
   * clean pass on a tape of its own, as sharpness-aware minimisation does.
   */
  private adversarialStep(model: Model, batch: Batch, ctx: StepContext): GradientResult {
    const clean = this.cleanOnly(model, batch);
    let eps: Map<string, tf.Tensor> | undefined;
    try {
      eps = this.adversarialNoise(clean.grads, this.settings.rho);
    } catch (e) {
      tf.dispose([clean.loss, ...(clean.logits ? [clean.logits] : []), ...clean.grads.values()]);
      throw e;
    }
    try {
      return this.replicaTapes(model, batch, ctx, 1, [{ r: 0, eps }], clean);
    } finally {
      tf.dispose([...eps.values()]);
    }
  }

  /**
   * Whole-batch replicas after a clean pass already taken (`clean`, whose tensors this takes over),
   * one tape each. With replicaBn 'clean' a replica's tape repeats the clean forward pass (its
   * baseline and its statistics, differentiated through: two passes per replica); with 'batch' the
   * baseline is the clean loss itself, whose gradient g0 is known, so the tape is the replica pass
   * alone and g0 enters with the replicas' weights Σ c_r: (1 + Σ c_r)·g0 − Σ c_r·∇L_r.
   */
  private replicaTapes(model: Model, batch: Batch, ctx: StepContext, passes: number, noise: readonly ReplicaNoise[], clean: GradientResult): GradientResult {
    const ownStats = this.settings.replicaBn === 'batch';
    const parts: ReplicaTermValues[] = [];
    const acc = new Map<string, tf.Tensor>(); // Σ over the replica tapes of their gradients
    try {
      for (const one of noise) {
        const sink: BatchNormStats[] = [];
        try {
          const { value, grads } = paramGradients(model, () => {
            let base: { logits: tf.Tensor2D; loss: tf.Scalar; stats: readonly BatchNormStats[] };
            if (ownStats) base = { logits: clean.logits!, loss: clean.loss, stats: [] };
            else {
              const out = model.forward(batch.x, { training: true, statsSink: sink });
              base = { logits: out, loss: this.loss(out, batch.y), stats: sink };
            }
            const t = this.replicaTerm(model, batch, base, [one], passes, ctx);
            parts.push(t.values);
            return t.term;
          });
          value.dispose();
          for (const [name, g] of grads) {
            const prev = acc.get(name);
            if (!prev) acc.set(name, g);
            else {
              acc.set(name, tf.add(prev, g));
              tf.dispose([prev, g]);
            }
          }
        } finally {
          disposeStats(sink);
        }
      }
      const metrics = this.metrics(parts.splice(0), passes);
      const c = ownStats ? tf.mul(metrics.activeFraction, this.settings.lambda) : null;
      // the replica term's gradient: Σ c_r·g0 (baselines at the clean loss) plus the replica tapes'
      const push = new Map<string, tf.Tensor>();
      for (const [name, g] of clean.grads) {
        const r = acc.get(name);
        push.set(
          name,
          tf.tidy(() => {
            const baseline = c ? tf.mul(c, g) : tf.zerosLike(g);
            return r ? tf.add(baseline, r) : baseline;
          }),
        );
      }
      tf.dispose([...acc.values(), ...(c ? [c] : [])]);
      const grads =
        this.settings.balance === 'gradient'
          ? this.balanced(clean.grads, push, metrics.activeFraction)
          : new Map([...clean.grads].map(([name, g]) => [name, tf.tidy(() => tf.add(g, push.get(name)!))] as const));
      if (this.settings.balance === 'loss') tf.dispose([...clean.grads.values(), ...push.values()]);
      return { loss: clean.loss, logits: clean.logits, grads, metrics };
    } catch (e) {
      tf.dispose([clean.loss, ...(clean.logits ? [clean.logits] : []), ...clean.grads.values(), ...acc.values()]);
      tf.dispose(parts.flatMap((v) => [v.lossSum, v.gapSum, v.activeFraction]));
      throw e;
    }
  }

  /**
   * The replica term, built inside the caller's gradient tape from its clean forward pass:
   *
   *   term = Σ_r c_r · (B_r − L_r),   c_r = λ/R · [L_r − B_r < m]  (λ/R when m = ∞; a constant, step() has no gradient)
   *
   * whose gradient is the hinge's, λ/R · Σ_active ∇(B_r − L_r). L_r is replica r's loss at θ + ε_r on
   * its rows; B_r, its baseline, is the loss of the same model at ε = 0 on the same rows under the same
   * normalisation, so ε = 0 gives exactly L_r = B_r and a zero term with a zero gradient:
   *
   * - replicaBn 'clean': the replica is normalised with the clean pass's batch statistics, kept on the
   *   tape (differentiated through, as the clean loss is), and B_r is the clean pass's loss on r's rows.
   * - replicaBn 'batch': the replica is normalised with its own batch statistics; B_r is the clean loss
   *   for the whole batch, and for a slice (replicaBatch 'split') a clean pass over that slice with the
   *   slice's own statistics (one more pass in all, shared by an antithetic pair).
   *
   * Until 2026-12-06 the 'clean' statistics were constants and every baseline was the whole batch's
   * clean loss: at ε = 0 the term's gradient was then λ times the difference between a gradient
   * through the batch statistics and one without them, as large as the task gradient itself, which
   * drove training whatever the marks did (docs/experiments/sharpness.md, "The baseline bug").
   */
  private replicaTerm(
    model: Model,
    batch: Batch,
    clean: { readonly logits: tf.Tensor2D; readonly loss: tf.Scalar; readonly stats: readonly BatchNormStats[] },
    noise: readonly ReplicaNoise[],
    passes: number,
    ctx: StepContext,
  ): { term: tf.Scalar; values: ReplicaTermValues } {
    const s = this.settings;
    const n = batch.x.shape[0];
    const cleanStats = s.replicaBn === 'clean' ? new Map(clean.stats.map((st) => [st.layer, { mean: st.mean, variance: st.variance }])) : null;
    const baselines = new Map<number, tf.Scalar>(); // own-statistics slice baselines by first row (replicaBn 'batch')
    const rowsOf = <T extends tf.Tensor>(t: T, rows: { start: number; size: number }): T =>
      tf.slice(t, [rows.start, ...t.shape.slice(1).map(() => 0)], [rows.size, ...t.shape.slice(1).map(() => -1)]) as T;
    let term: tf.Scalar = tf.scalar(0);
    let replicaLossSum: tf.Scalar = tf.scalar(0);
    let gapSum: tf.Scalar = tf.scalar(0);
    let coefSum: tf.Scalar = tf.scalar(0);
    for (const { r, eps } of noise) {
      ctx.onPhase?.({ kind: 'replica', index: r, of: passes });
      const rows = this.replicaRows(r, passes, n);
      const x = rows ? rowsOf(batch.x, rows) : batch.x;
      const y = rows ? rowsOf(batch.y, rows) : batch.y;
      let baseline: tf.Scalar;
      if (!rows) baseline = clean.loss;
      else if (cleanStats) baseline = this.loss(rowsOf(clean.logits, rows), y);
      else {
        let b = baselines.get(rows.start);
        if (!b) {
          b = this.loss(model.forward(x, { training: true }), y);
          baselines.set(rows.start, b);
        }
        baseline = b;
      }
      const overrides = new Map<string, tf.Tensor>();
      for (const [name, e] of eps) overrides.set(name, tf.add(model.params.get(name)!, e));
      const Lr = this.loss(model.forward(x, cleanStats ? { training: true, overrides, batchStats: cleanStats } : { training: true, overrides }), y);
      const gap = tf.sub(Lr, baseline);
      const base = tf.scalar(s.lambda / passes);
      const coef = Number.isFinite(s.margin) ? tf.mul(base, tf.step(tf.sub(tf.scalar(s.margin), gap))) : base;
      term = tf.add(term, tf.mul(coef, tf.sub(baseline, Lr)));
      replicaLossSum = tf.add(replicaLossSum, Lr);
      gapSum = tf.add(gapSum, gap);
      coefSum = tf.add(coefSum, coef);
    }
    const values: ReplicaTermValues = {
      lossSum: tf.keep(replicaLossSum),
      gapSum: tf.keep(gapSum),
      activeFraction: tf.keep(tf.div(coefSum, s.lambda)) as tf.Scalar,
    };
    return { term, values };
  }

  /** The trainer's metrics from the tapes' sums: mean replica loss and gap, fraction of replicas active. */
  private metrics(parts: readonly ReplicaTermValues[], passes: number): Record<string, tf.Scalar> {
    const sum = (pick: (v: ReplicaTermValues) => tf.Scalar) => tf.tidy(() => parts.map(pick).reduce((a: tf.Scalar, b) => tf.add(a, b), tf.scalar(0)));
    const out = {
      replicaLossMean: tf.tidy(() => tf.div(sum((v) => v.lossSum), passes)) as tf.Scalar,
      gap: tf.tidy(() => tf.div(sum((v) => v.gapSum), passes)) as tf.Scalar,
      // fraction of replicas still pushing (inside the hinge margin); 1 in the unbounded form
      activeFraction: sum((v) => v.activeFraction),
    };
    tf.dispose(parts.flatMap((v) => [v.lossSum, v.gapSum, v.activeFraction]));
    return out;
  }


  /**
   * The rows of the batch replica r of `passes` sees: null for the whole batch (replicaBatch 'full',
   * the adversarial replica, or one pass on the whole batch); with 'split', slice r of `passes`
   * near-equal slices of the batch, with 'half' of its first ⌈n/2⌉ rows (or slice ⌊r/2⌋ of
   * ⌈passes/2⌉ when replicas come in antithetic pairs: the pair shares its images). Fewer rows than
   * slices give each replica one row (rows repeat).
   */
  private replicaRows(r: number, passes: number, n: number): { start: number; size: number } | null {
    const s = this.settings;
    if (s.replicaBatch === 'full' || s.mode === 'adversarial') return null;
    const rows = s.replicaBatch === 'half' ? Math.ceil(n / 2) : n;
    const paired = s.antithetic && (s.mode === 'gaussian' || s.mode === 'relative');
    const slices = paired ? Math.ceil(passes / 2) : passes;
    const i = paired ? Math.floor(r / 2) : r;
    if (slices <= 1) return rows === n ? null : { start: 0, size: rows };
    if (rows < slices) return { start: i % rows, size: 1 };
    const start = Math.floor((i * rows) / slices);
    return { start, size: Math.floor(((i + 1) * rows) / slices) - start };
  }

  /** Replica r's ε on K for the random modes (the antithetic twin −ε of the pair's first when its index is odd). */
  private replicaNoise(model: Model, rng: Rng, r: number, earlier: readonly Map<string, tf.Tensor>[]): Map<string, tf.Tensor> {
    const s = this.settings;
    const paired = s.antithetic && (s.mode === 'gaussian' || s.mode === 'relative');
    if (paired && r % 2 === 1) return new Map([...earlier[r - 1]].map(([name, e]) => [name, tf.neg(e)]));
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
      masked.set(kt.name, tf.mul(g, this.keyMask(kt)));
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

  /**
   * balance 'gradient': task + s·push with s = λ·a·‖task‖ / ‖push‖, both norms over the unmarked
   * weights (the key positions are frozen; the trainer drops their gradient), a the fraction of
   * replicas inside the margin. The push keeps its direction and gets a size set by the task's, not
   * by how far the replicas' loss has moved. Takes over (disposes) both maps.
   */
  private balanced(task: Map<string, tf.Tensor>, push: Map<string, tf.Tensor>, activeFraction: tf.Scalar): Map<string, tf.Tensor> {
    const out = new Map<string, tf.Tensor>();
    try {
      const scale = tf.tidy(() => {
        const free = (name: string, g: tf.Tensor): tf.Tensor => {
          const kt = this.keyTensors.find((k) => k.name === name);
          return kt ? tf.mul(g, tf.sub(1, this.keyMask(kt))) : g;
        };
        let taskSq: tf.Scalar = tf.scalar(0);
        let pushSq: tf.Scalar = tf.scalar(0);
        for (const [name, g] of task) {
          taskSq = tf.add(taskSq, tf.sum(tf.square(free(name, g))));
          pushSq = tf.add(pushSq, tf.sum(tf.square(free(name, push.get(name)!))));
        }
        const taskNorm = tf.sqrt(taskSq);
        const pushNorm = tf.sqrt(pushSq);
        // a push below PUSH_FLOOR × the task's is rounding, not a direction: dropped, as is a zero
        // push (no replica inside the margin)
        const real = tf.greater(pushNorm, tf.mul(taskNorm, PUSH_FLOOR));
        return tf.where(real, tf.div(tf.mul(taskNorm, tf.mul(activeFraction, this.settings.lambda)), tf.maximum(pushNorm, 1e-30)), tf.scalar(0));
      });
      for (const [name, g] of task) out.set(name, tf.tidy(() => tf.add(g, tf.mul(push.get(name)!, scale))));
      scale.dispose();
      return out;
    } catch (e) {
      tf.dispose([...out.values()]);
      throw e;
    } finally {
      tf.dispose([...task.values(), ...push.values()]);
    }
  }

  /** 0/1 mask of a tensor's key positions (built once, kept until dispose). */
  private keyMask(kt: KeyTensor): tf.Tensor {
    if (!kt.mask) kt.mask = tf.keep(tf.tidy(() => tf.reshape(tf.scatterND(kt.indices, tf.ones([kt.count], 'float32'), [kt.size]), kt.shape)));
    return kt.mask;
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
  key: Pick<WatermasKey, 'positions' | 'objective'>,
  opts: Omit<WaterMASObjectiveOptions, 'settings'> & { readonly settings?: Partial<WaterMASSettings> },
): WaterMASObjective {
  return createWaterMASObjective(model, toFrozenPositions(key.positions), {
    ...opts,
    settings: { ...settingsFromKey(key.objective), ...opts.settings },
  });
}
