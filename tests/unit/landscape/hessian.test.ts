import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import {
  finiteDifferenceHvp,
  keySubspace,
  complementSubspace,
  powerIteration,
  subspaceGradient,
  subspaceTopEigen,
  gatherSubspace,
} from '../../../src/engine/landscape';
import { Rng } from '../../../src/engine/random/rng';
import { createTinyModel, randomBatch, snapshot } from '../../fixtures/tinyModel';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A = Q diag(eig) Q^T with a seeded random orthogonal Q (Gram-Schmidt), row-major Float64. */
function spdMatrix(eig: number[], seed: number): Float64Array {
  const n = eig.length;
  const rng = new Rng(seed);
  const q: number[][] = [];
  while (q.length < n) {
    const v = Array.from({ length: n }, () => rng.normal());
    for (const u of q) {
      const d = u.reduce((s, x, i) => s + x * v[i], 0);
      for (let i = 0; i < n; i++) v[i] -= d * u[i];
    }
    const nv = Math.hypot(...v);
    q.push(v.map((x) => x / nv));
  }
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) a[i * n + j] += q[k][i] * eig[k] * q[k][j];
  return a;
}

const matvec = (a: Float64Array, n: number) => (v: Float32Array) => {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += a[i * n + j] * v[j];
    out[i] = s;
  }
  return out;
};

describe('Hessian power iteration', () => {
  const eig = [10, 6, 4, 3, 2, 1, 0.5, 0.25, 0.1, 0.05, 0.02, 0.01];
  const n = eig.length;
  const A = spdMatrix(eig, 1);

  it('recovers the known top eigenvalue of a quadratic within 1% (exact matvec)', async () => {
    const r = await powerIteration(matvec(A, n), n, { seed: 2, iters: 200, tol: 1e-7 });
    expect(Math.abs(r.eigenvalue - 10) / 10).toBeLessThan(0.01);
    // the vector is an eigenvector: A v ≈ λ v
    const av = matvec(A, n)(r.vector);
    for (let i = 0; i < n; i++) expect(av[i]).toBeCloseTo(r.eigenvalue * r.vector[i], 2);
  });

  it('recovers it within 1% through finite-difference HVPs of a tfjs gradient', async () => {
    // f(x) = 0.5 x^T A x + b^T x + 0.1 * sum(x)^2 / n ... kept quadratic: grad = A x + b
    const At = tf.tensor2d(Float32Array.from(A), [n, n]);
    const b = tf.tensor1d(Array.from({ length: n }, (_, i) => Math.sin(i)));
    const f = (x: tf.Tensor) => tf.add(tf.mul(0.5, tf.sum(tf.mul(x, tf.reshape(tf.matMul(At, tf.reshape(x, [n, 1])), [n])))), tf.sum(tf.mul(b, x)));
    const grad = async (theta: Float32Array) => {
      const g = tf.tidy(() => tf.grad(f as (x: tf.Tensor) => tf.Scalar)(tf.tensor1d(theta)));
      const out = Float32Array.from(await g.data());
      g.dispose();
      return out;
    };
    const theta = Float32Array.from({ length: n }, (_, i) => Math.cos(i));
    const r = await powerIteration(finiteDifferenceHvp(grad, theta, 1e-2), n, { seed: 3, iters: 200, tol: 1e-7 });
    expect(Math.abs(r.eigenvalue - 10) / 10).toBeLessThan(0.01);
    tf.dispose([At, b]);
  });

  it('model subspace HVPs are symmetric and never write the model; the top eigenvalue bounds Rayleigh quotients', async () => {
    const model = createTinyModel(4, { c1: 4, c2: 6 });
    const { x, y } = randomBatch(5, 16);
    const positions = [{ tensor: 'conv2/kernel', indices: [0, 5, 17, 40, 99, 150] }, { tensor: 'head/dense/kernel', indices: [3, 30, 300] }];
    const before = await snapshot(model);
    const n0 = tf.memory().numTensors;
    const sub = keySubspace(model, positions);
    expect(sub.dim).toBe(9);
    const theta = await gatherSubspace(model.params, sub);
    const hvp = finiteDifferenceHvp(await subspaceGradient(model, { x, y }, sub), theta, 1e-4);
    const rng = new Rng(6);
    const u = rng.fillNormal(new Float32Array(9)), v = rng.fillNormal(new Float32Array(9));
    const hu = await hvp(u), hv = await hvp(v);
    const uhv = u.reduce((s, a, i) => s + a * hv[i], 0), vhu = v.reduce((s, a, i) => s + a * hu[i], 0);
    expect(Math.abs(uhv - vhu)).toBeLessThan(0.05 * Math.max(Math.abs(uhv), 1e-3));
    const top = await subspaceTopEigen(model, { x, y }, sub, { seed: 7, iters: 100, tol: 1e-6 });
    expect(top.converged).toBe(true);
    expect(top.residual).toBeLessThan(0.05); // near an eigenvector
    const early = await subspaceTopEigen(model, { x, y }, sub, { seed: 7, iters: 1, tol: 1e-6 });
    expect(early.converged).toBe(false);
    expect(early.residual).toBeGreaterThan(top.residual); // a random start is far from one
    for (const w of [u, v]) {
      const hw = await hvp(w);
      const rq = w.reduce((s, a, i) => s + a * hw[i], 0) / w.reduce((s, a) => s + a * a, 0);
      expect(Math.abs(rq)).toBeLessThanOrEqual(Math.abs(top.eigenvalue) * 1.02);
    }
    // the complement subspace works too (bigger)
    const comp = complementSubspace(model, positions);
    const topC = await subspaceTopEigen(model, { x, y }, comp, { seed: 8, iters: 5 });
    expect(Number.isFinite(topC.eigenvalue)).toBe(true);
    expect(tf.memory().numTensors).toBe(n0);
    expect(await snapshot(model)).toEqual(before);
    tf.dispose([x, y]);
    model.dispose();
  });
});
