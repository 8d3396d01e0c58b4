import { Rng } from '../../../src/engine/random/rng';
import { arrayBatchSource } from '../../../src/engine/train';

/**
 * A small learnable set: class k images are noise plus a class-specific colour offset
 * and a bright patch at a class-specific place.
 */
export function makeSet(n: number, classes: number, size: number, seed = 3) {
  const rng = new Rng(seed);
  const per = size * size * 3;
  const images = new Float32Array(n * per);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % classes;
    labels[i] = k;
    for (let p = 0; p < size * size; p++) {
      const yy = Math.floor(p / size);
      const xx = p % size;
      const inPatch = Math.floor((yy * 2) / size) * 2 + Math.floor((xx * 2) / size) === k % 4;
      for (let c = 0; c < 3; c++) {
        images[i * per + p * 3 + c] = 0.5 * rng.normal() + (c === k % 3 ? 0.8 : -0.3) + (inPatch ? 1 : 0);
      }
    }
  }
  return { images, labels };
}

export function makeSource(n: number, classes: number, size: number, batch: number, seed = 3) {
  const { images, labels } = makeSet(n, classes, size, seed);
  return arrayBatchSource(images, labels, [size, size, 3], batch);
}

/** Bit patterns of a float array (for bitwise comparisons). */
export function bits(a: Float32Array | ArrayLike<number>): Uint32Array {
  const f = a instanceof Float32Array ? a : Float32Array.from(a);
  return new Uint32Array(f.buffer.slice(f.byteOffset, f.byteOffset + f.byteLength));
}
