/**
 * Browser test page: gradients of one batch through a small model (engine createModel('cnn')
 * + the cross-entropy objective), computed on webgpu and on cpu in the same page, compared
 * entry by entry. Query options: `?batch=N` (default 16), `?nojitter`, `?ops`. The result is published on `globalThis.__gradcheck` (read by run.mjs)
 * and printed into the page.
 *
 * Compiled by tsconfig.node.json (no DOM lib), so it touches the page only through a
 * minimal structural type.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgpu';
import { createModel } from '../../../src/engine/models';
import { crossEntropyObjective } from '../../../src/engine/train/crossEntropy';
import { generateSynthetic } from '../../../src/engine/data/synthetic';
import { BatchStream } from '../../../src/engine/data/batches';
import { computeNormalization } from '../../../src/engine/data/normalize';
import { Rng } from '../../../src/engine/random/rng';

const query = new URLSearchParams((globalThis as { location?: { search: string } }).location?.search ?? '');
/** `?nojitter` reproduces the raw-batch comparison (max-pool ties make it differ, see below). */
const NO_JITTER = query.has('nojitter');

interface GradcheckResult {
  readonly ok: boolean;
  readonly maxAbsDiff: number;
  readonly worstParam: string;
  readonly maxAbsGrad: number;
  readonly lossCpu: number;
  readonly lossWebgpu: number;
  readonly params: number;
  readonly entries: number;
  readonly batch: number;
  /** Per tensor: max |cpu - webgpu| and max |cpu gradient|. */
  readonly perParam: Record<string, { maxAbsDiff: number; maxAbsGrad: number }>;
  readonly error?: string;
  /** Relative max diffs of single ops (only with `?ops=1`). */
  readonly ops?: Record<string, number>;
}

const SEED = 7;
/** Std of the tie-breaking jitter in normalised units (one grey level is about 0.016). */
const JITTER = NO_JITTER ? 0 : 1e-3;
/** Batch size: `?batch=N` in the page URL, default 16. */
const BATCH = (() => {
  const n = Number(query.get('batch') ?? 16);
  return Number.isInteger(n) && n >= 1 ? n : 16;
})();

async function gradientsOn(backend: 'cpu' | 'webgpu'): Promise<{ loss: number; grads: Map<string, Float32Array> }> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} could not be initialised`);
  await tf.ready();
  const data = generateSynthetic({ seed: SEED, trainCount: BATCH, testCount: 0 });
  const stream = new BatchStream(data.train, { batchSize: BATCH, seed: SEED, normalization: computeNormalization(data.train), shuffle: false });
  const item = stream.epoch(0).next();
  if (item.done) throw new Error('no batch');
  const clean = item.value.batch;
  // Tiny seeded jitter (computed on the CPU, identical for both backends): 8-bit images have
  // flat, clipped patches whose activations tie exactly inside max-pool windows, and the
  // max-pool gradient of a tie is not unique (cpu and webgpu route it to different, equally
  // valid positions). The jitter removes exact ties without changing the check's scale.
  const jitter = new Rng(SEED).fork('gradcheck/jitter');
  const xs = (await clean.x.data()) as Float32Array;
  const jittered = Float32Array.from(xs, (v) => v + JITTER * jitter.normal());
  const batch = { x: tf.tensor4d(jittered, clean.x.shape), y: clean.y };
  clean.x.dispose();
  const model = createModel('cnn', { seed: SEED });
  try {
    const res = crossEntropyObjective().computeGradients(model, batch, { step: 0, epoch: 0 });
    const loss = (await res.loss.data())[0];
    const grads = new Map<string, Float32Array>();
    for (const [name, g] of res.grads) grads.set(name, (await g.data()) as Float32Array);
    res.loss.dispose();
    res.logits?.dispose();
    for (const g of res.grads.values()) g.dispose();
    return { loss, grads };
  } finally {
    model.dispose();
    batch.x.dispose();
    batch.y.dispose();
  }
}

/** Max |cpu - webgpu| of single ops at the first stage's shapes (diagnostics, `?ops=1`). */
async function opDiagnostics(): Promise<Record<string, number>> {
  const ops: Record<string, (x: tf.Tensor4D, dy: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor> = {
    conv2dBackpropFilter: (x, dy, w) => tf.grad((k: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, k as tf.Tensor4D, 1, 'same'), dy)))(w),
    conv2dBackpropInput: (x, dy, w) => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(t as tf.Tensor4D, w, 1, 'same'), dy)))(x),
    conv2d: (x, _dy, w) => tf.conv2d(x, w, 1, 'same'),
    sumOverBatchSpatial: (x) => tf.sum(x, [0, 1, 2]),
    momentsGrad: (x, dy) => tf.grad((t: tf.Tensor) => { const m = tf.moments(t, [0, 1, 2]); return tf.sum(tf.mul(tf.div(tf.sub(t, m.mean), tf.sqrt(tf.add(m.variance, 1e-3))), dy)); })(x),
  };
  const out: Record<string, number> = {};
  const values: Record<string, Record<string, Float32Array>> = { cpu: {}, webgpu: {} };
  for (const backend of ['cpu', 'webgpu'] as const) {
    await tf.setBackend(backend);
    const mk = (seed: number, shape: number[]) => tf.randomNormal(shape, 0, 1, 'float32', seed);
    const x = tf.relu(mk(1, [BATCH, 32, 32, 32])) as tf.Tensor4D;
    const dy = mk(2, [BATCH, 32, 32, 32]) as tf.Tensor4D;
    const w = mk(3, [3, 3, 32, 32]) as tf.Tensor4D;
    for (const [name, f] of Object.entries(ops)) {
      const r = f(x, dy, w);
      values[backend][name] = (await r.data()) as Float32Array;
      r.dispose();
    }
    tf.dispose([x, dy, w]);
  }
  for (const name of Object.keys(ops)) {
    const a = values.cpu[name], b = values.webgpu[name];
    let d = 0, m = 0;
    for (let i = 0; i < a.length; i++) { d = Math.max(d, Math.abs(a[i] - b[i])); m = Math.max(m, Math.abs(a[i])); }
    out[name] = d / Math.max(m, 1e-30);
  }
  return out;
}

async function run(): Promise<GradcheckResult> {
  const cpu = await gradientsOn('cpu');
  const gpu = await gradientsOn('webgpu');
  let maxAbsDiff = 0;
  let maxAbsGrad = 0;
  let worstParam = '';
  let entries = 0;
  const perParam: Record<string, { maxAbsDiff: number; maxAbsGrad: number }> = {};
  for (const [name, a] of cpu.grads) {
    const b = gpu.grads.get(name);
    if (!b || b.length !== a.length) throw new Error(`gradient of ${name} is missing or has another size on webgpu`);
    let pd = 0;
    let pg = 0;
    for (let i = 0; i < a.length; i++) {
      const d = Math.abs(a[i] - b[i]);
      pd = Math.max(pd, Number.isNaN(d) ? Infinity : d);
      pg = Math.max(pg, Math.abs(a[i]));
      if (!(d <= maxAbsDiff)) {
        maxAbsDiff = Number.isNaN(d) ? Infinity : d;
        worstParam = name;
      }
      maxAbsGrad = Math.max(maxAbsGrad, Math.abs(a[i]));
    }
    entries += a.length;
    perParam[name] = { maxAbsDiff: pd, maxAbsGrad: pg };
  }
  if (gpu.grads.size !== cpu.grads.size) throw new Error(`webgpu has ${gpu.grads.size} gradients, cpu ${cpu.grads.size}`);
  return {
    ok: maxAbsDiff < 1e-4 && cpu.grads.size > 0,
    maxAbsDiff,
    worstParam,
    maxAbsGrad,
    lossCpu: cpu.loss,
    lossWebgpu: gpu.loss,
    params: cpu.grads.size,
    entries,
    batch: BATCH,
    perParam,
    ...(wantOps ? { ops: await opDiagnostics() } : {}),
  };
}

/** `?ops` adds single-op comparisons at the first stage's shapes to the result. */
const wantOps = query.has('ops');

interface PageLike {
  getElementById(id: string): { textContent: string | null } | null;
}

function publish(result: GradcheckResult): void {
  (globalThis as { __gradcheck?: GradcheckResult }).__gradcheck = result;
  const doc = (globalThis as { document?: PageLike }).document;
  const out = doc?.getElementById('out');
  if (out) out.textContent = JSON.stringify(result, null, 2);
}

run().then(publish, (e: unknown) =>
  publish({
    ok: false,
    maxAbsDiff: NaN,
    worstParam: '',
    maxAbsGrad: NaN,
    lossCpu: NaN,
    lossWebgpu: NaN,
    params: 0,
    entries: 0,
    batch: BATCH,
    perParam: {},
    error: e instanceof Error ? e.message : String(e),
  }),
);
