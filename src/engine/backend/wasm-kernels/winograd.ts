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
 * G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]].
 */
export function winogradFilter(w: Float32Array, Ci: number, Co: number, flip: boolean, U: Float32Array): void {
  const [A, B] = flip ? [Co, Ci] : [Ci, Co];
  const AB = A * B;
  const CC = Ci * Co;
  const g = new Float64Array(9);
  const t = new Float64Array(12);
  for (let a = 0; a < A; a++) {
    for (let b = 0; b < B; b++) {
      const src = flip ? b * Co + a : a * Co + b;
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) g[i * 3 + j] = w[(flip ? (2 - i) * 3 + (2 - j) : i * 3 + j) * CC + src];
      // T = G g (4x3), then U = T Gᵀ (4x4)
      for (let j = 0; j < 3; j++) {
        const [g0, g1, g2] = [g[j], g[3 + j], g[6 + j]];
        t[j] = g0;
        t[3 + j] = 0.5 * (g0 + g1 + g2);
        t[6 + j] = 0.5 * (g0 - g1 + g2);
        t[9 + j] = g2;
      }
      const p = a * B + b;
      for (let r = 0; r < 4; r++) {
        const [t0, t1, t2] = [t[r * 3], t[r * 3 + 1], t[r * 3 + 2]];
        U[(r * 4) * AB + p] = t0;
        U[(r * 4 + 1) * AB + p] = 0.5 * (t0 + t1 + t2);
        U[(r * 4 + 2) * AB + p] = 0.5 * (t0 - t1 + t2);
        U[(r * 4 + 3) * AB + p] = t2;
      }
    }
  }
}

/**
 * dW [3,3,C,K] = Gᵀ dU G for each channel pair of dU [16][C][K], the filter gradient in the
 * transformed domain. Gᵀ = [[1, ½, ½, 0], [0, ½, −½, 0], [0, ½, ½, 1]].
 */
export function winogradFilterBack(dU: Float32Array, CK: number, dW: Float32Array): void {
  const u = new Float64Array(16);
  const t = new Float64Array(12);
  for (let p = 0; p < CK; p++) {
    for (let xi = 0; xi < 16; xi++) u[xi] = dU[xi * CK + p];
    // T = Gᵀ dU (3x4), then dW = T G (3x3)
    for (let s = 0; s < 4; s++) {
      const [u0, u1, u2, u3] = [u[s], u[4 + s], u[8 + s], u[12 + s]];
      t[s] = u0 + 0.5 * (u1 + u2);
      t[4 + s] = 0.5 * (u1 - u2);
      t[8 + s] = 0.5 * (u1 + u2) + u3;
    }
    for (let i = 0; i < 3; i++) {
      const [t0, t1, t2, t3] = [t[i * 4], t[i * 4 + 1], t[i * 4 + 2], t[i * 4 + 3]];
      dW[(i * 3) * CK + p] = t0 + 0.5 * (t1 + t2);
      dW[(i * 3 + 1) * CK + p] = 0.5 * (t1 - t2);
      dW[(i * 3 + 2) * CK + p] = 0.5 * (t1 + t2) + t3;
    }
  }
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
