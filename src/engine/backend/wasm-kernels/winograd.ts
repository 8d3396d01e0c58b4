import type { TensorInfo } from '@tensorflow/tfjs-core';
import { heapOffset, wasmAccess } from './array-access';
import { compose } from './composer';
import type { ConvGeometry } from './geometry';
import type { LabSimdKernels } from './simd/labSimd';

// Winograd F(2x2, 3x3) for the 3x3 stride-1 'same' convolutions (every ResNet convolution but the
// downsampling ones): the forward pass, the input gradient (the same convolution of dy with the
// flipped, transposed filter) and the filter gradient, on lab-simd.wat's winogradConv3x3 and
// winogradFilterGrad3x3. 16 multiplies per channel pair and 2x2 output tile instead of 36; the
// filter transforms (G g Gᵀ and back) are small and run here. Why and how fast:
// docs/wasm-training.md, section 9.

/** Tiles per block in the kernels' scratch, V [16][TB][C] and M [16][TB][K]: of 8, 12, 16, 32 and 64 tiles, 16 ran the three stage shapes fastest (docs/wasm-training.md, section 9). */
const TILES_PER_BLOCK = 16;

/**
 * True where the Winograd kernels compute a convolution of this geometry: 3x3, stride 1,
 * padding 1 on every side (output the size of the input), with `c` input and `k` output channels
 * of the convolution the kernel runs (for the input gradient, the layer's output and input
 * channels) in SIMD tiles: c % 4 = 0, k % 8 = 0.
 */
export function winogradApplies(g: ConvGeometry, c: number, k: number): boolean {
  return (
    g.kh === 3 && g.kw === 3 && g.sh === 1 && g.sw === 1 && g.padTop === 1 && g.padLeft === 1 &&
    g.outH === g.inH && g.outW === g.inW && c > 0 && k > 0 && c % 4 === 0 && k % 8 === 0
  );
}

/**
 * U[ξ][a][b] = (G g Gᵀ)[ξ] for each 3x3 slice g of the filter w [3,3,Ci,Co] (HWIO). With `flip`,
 * the filter of the input gradient: a runs over Co, b over Ci and g[i][j] = w[2−i][2−j][b][a].
 * G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]]. The source is read in order.
 */
export function winogradFilter(w: Float32Array, Ci: number, Co: number, flip: boolean, U: Float32Array): void {
  const CC = Ci * Co;
  // where tap k of the transformed slice is read: w's tap k, or 8 − k for the flipped filter
  const [o0, o1, o2, o3, o4, o5, o6, o7, o8] = Array.from({ length: 9 }, (_, k) => (flip ? 8 - k : k) * CC);
  for (let ci = 0; ci < Ci; ci++) {
    for (let co = 0; co < Co; co++) {
      const p = ci * Co + co;
      const q = flip ? co * Ci + ci : p;
      const t00 = w[o0 + p], t01 = w[o1 + p], t02 = w[o2 + p];
      const t10 = w[o3 + p], t11 = w[o4 + p], t12 = w[o5 + p];
      const t20 = w[o6 + p], t21 = w[o7 + p], t22 = w[o8 + p];
      // rows of T = G g (4x3), each row r then gives U[r][0..3] = (row) Gᵀ
      row(U, q, 0, CC, t00, t01, t02);
      row(U, q, 4, CC, 0.5 * (t00 + t10 + t20), 0.5 * (t01 + t11 + t21), 0.5 * (t02 + t12 + t22));
      row(U, q, 8, CC, 0.5 * (t00 - t10 + t20), 0.5 * (t01 - t11 + t21), 0.5 * (t02 - t12 + t22));
      row(U, q, 12, CC, t20, t21, t22);
    }
  }
}

/** U[xi0 + s][q] = ((a, b, c) Gᵀ)[s], s = 0..3: (a, ½(a + b + c), ½(a − b + c), c). */
function row(U: Float32Array, q: number, xi0: number, plane: number, a: number, b: number, c: number): void {
  const o = xi0 * plane + q;
  U[o] = a;
  U[o + plane] = 0.5 * (a + b + c);
  U[o + 2 * plane] = 0.5 * (a - b + c);
  U[o + 3 * plane] = c;
}

/**
 * dW [3,3,C,K] = Gᵀ dU G for each channel pair of dU [16][C][K], the filter gradient in the
 * transformed domain. Gᵀ = [[1, ½, ½, 0], [0, ½, −½, 0], [0, ½, ½, 1]].
 */
export function winogradFilterBack(dU: Float32Array, CK: number, dW: Float32Array): void {
  for (let p = 0; p < CK; p++) {
    // T = Gᵀ dU (3x4), one column s at a time (a_s, b_s, c_s); then each row of T times G
    const u = (xi: number) => dU[xi * CK + p];
    const a0 = u(0) + 0.5 * (u(4) + u(8)), b0 = 0.5 * (u(4) - u(8)), c0 = 0.5 * (u(4) + u(8)) + u(12);
    const a1 = u(1) + 0.5 * (u(5) + u(9)), b1 = 0.5 * (u(5) - u(9)), c1 = 0.5 * (u(5) + u(9)) + u(13);
    const a2 = u(2) + 0.5 * (u(6) + u(10)), b2 = 0.5 * (u(6) - u(10)), c2 = 0.5 * (u(6) + u(10)) + u(14);
    const a3 = u(3) + 0.5 * (u(7) + u(11)), b3 = 0.5 * (u(7) - u(11)), c3 = 0.5 * (u(7) + u(11)) + u(15);
    rowBack(dW, p, 0, CK, a0, a1, a2, a3);
    rowBack(dW, p, 3, CK, b0, b1, b2, b3);
    rowBack(dW, p, 6, CK, c0, c1, c2, c3);
  }
}

/** dW[k0 + j][p] = ((t0, t1, t2, t3) G)[j], j = 0..2: (t0 + ½(t1 + t2), ½(t1 − t2), ½(t1 + t2) + t3). */
function rowBack(dW: Float32Array, p: number, k0: number, plane: number, t0: number, t1: number, t2: number, t3: number): void {
  const o = k0 * plane + p;
  dW[o] = t0 + 0.5 * (t1 + t2);
  dW[o + plane] = 0.5 * (t1 - t2);
  dW[o + 2 * plane] = 0.5 * (t1 + t2) + t3;
}

/** Floats of the kernels' scratch for C input and K output channels. */
const scratchFloats = (C: number, K: number): number => 16 * TILES_PER_BLOCK * (C + K) + 16 * C;

/**
 * The 3x3 stride-1 'same' convolution of x [N,H,W,C] with the filter w (HWIO [3,3,C,K]; with
 * `flip`, the input gradient's: w is the layer's [3,3,K,C] filter, x its dy) → [N,H,W,K].
 */
export function winogradConv(simd: LabSimdKernels, backend: unknown, x: TensorInfo, w: TensorInfo, flip: boolean): TensorInfo {
  const [N, H, W, C] = x.shape;
  const K = flip ? w.shape[2] : w.shape[3];
  const io = wasmAccess(backend);
  return compose(backend, (c) => {
    // every allocation before the first view: one may grow (and detach) the heap
    const { infos, arrays } = io.outputs([[N, H, W, K], [16, C, K], [scratchFloats(C, K)]]);
    const [out, U, scratch] = infos.map((t) => c.own(t));
    winogradFilter(io.read(w), flip ? K : C, flip ? C : K, flip, arrays[1]);
    const at = (t: TensorInfo) => heapOffset(backend, t);
    simd.winogradConv3x3(at(x), at(U), at(out), N, H, W, C, K, at(scratch), TILES_PER_BLOCK);
    c.release(U);
    c.release(scratch);
    return out;
  });
}

/** The filter gradient [3,3,C,K] of the 3x3 stride-1 'same' convolution from x [N,H,W,C] and dy [N,H,W,K]. */
export function winogradFilterGrad(simd: LabSimdKernels, backend: unknown, x: TensorInfo, dy: TensorInfo): TensorInfo {
  const [N, H, W, C] = x.shape;
  const K = dy.shape[3];
  const io = wasmAccess(backend);
  return compose(backend, (c) => {
    const { infos, arrays } = io.outputs([[3, 3, C, K], [16, C, K], [scratchFloats(C, K)]]);
    const [dW, dU, scratch] = infos.map((t) => c.own(t));
    arrays[1].fill(0);
    const at = (t: TensorInfo) => heapOffset(backend, t);
    simd.winogradFilterGrad3x3(at(x), at(dy), at(dU), N, H, W, C, K, at(scratch), TILES_PER_BLOCK);
    winogradFilterBack(arrays[1], C * K, arrays[0]);
    c.release(dU);
    c.release(scratch);
    return dW;
  });
}
