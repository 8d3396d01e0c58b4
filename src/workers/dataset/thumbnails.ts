import type { ImageSet } from '../../engine/data/types';

/**
 * Converts images `indices` of a uint8 HWC RGB set into one RGBA buffer
 * (width x height x 4 per image, concatenated), ready for ImageData on a canvas.
 */
export function toRgba(set: ImageSet, indices: readonly number[]): ArrayBuffer {
  const { height, width, channels } = set;
  const pixels = height * width;
  const out = new Uint8ClampedArray(indices.length * pixels * 4);
  indices.forEach((idx, k) => {
    if (!(idx >= 0 && idx < set.count)) throw new RangeError(`image index ${idx} is outside 0..${set.count - 1}`);
    const src = idx * pixels * channels;
    const dst = k * pixels * 4;
    for (let p = 0; p < pixels; p++) {
      const s = src + p * channels;
      const d = dst + p * 4;
      out[d] = set.images[s];
      out[d + 1] = set.images[channels > 1 ? s + 1 : s];
      out[d + 2] = set.images[channels > 2 ? s + 2 : s];
      out[d + 3] = 255;
    }
  });
  return out.buffer;
}

/**
 * Picks `n` indices spread over the classes: round-robin over the labels so every class
 * shows up, starting at an offset that moves with `round` so "show other images" shows others.
 */
export function pickSpreadIndices(labels: Uint8Array, numClasses: number, n: number, round: number): number[] {
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] < numClasses) byClass[labels[i]].push(i);
  }
  const present = byClass.filter((list) => list.length > 0);
  if (present.length === 0) return [];
  const per = Math.ceil(n / present.length);
  const picked: number[] = [];
  for (let k = 0; k < per; k++) {
    for (const list of present) {
      if (picked.length < n) picked.push(list[(round * per + k) % list.length]);
    }
  }
  return picked;
}
