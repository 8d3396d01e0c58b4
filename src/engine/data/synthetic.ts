import { Rng } from '../random/rng';
import type { Dataset, ImageSet } from './types';

/**
 * The embedded default data set: procedurally generated, seeded 10-class 32x32 RGB images,
 * so that the whole lab works offline. Labelled "synthetic" everywhere it is shown.
 *
 * Each image (our choice of recipe):
 *  - background: a linear gradient between two random colours, in a random direction;
 *  - clutter: 0-3 random rectangles / thin bars of random colours;
 *  - the class shape, at a random position (centre 10..22), scale (radius 6..11 px) and
 *    rotation (+-0.5 rad; blobs are random per image), in a jittered class colour
 *    (hue near the class's hue, but a fully random colour 40 % of the time, so colour
 *    alone is a weak cue);
 *  - per-pixel Gaussian-like noise of random strength (sigma about 5..15 of 255).
 * Shapes with textures (stripes, checker) show the background between their bars.
 * Generation is deterministic for a seed; train and test come from independent streams,
 * and a smaller count gives a prefix of a larger one.
 */
export const SYNTHETIC_CLASS_NAMES: readonly string[] = [
  'circle', 'square', 'triangle', 'h-stripes', 'v-stripes', 'checker', 'cross', 'ring', 'diamond', 'blobs',
];

export const SYNTHETIC_LABEL = 'synthetic (embedded default)';

export interface SyntheticOptions {
  readonly seed: number;
  readonly trainCount: number;
  readonly testCount: number;
}

const SIZE = 32;
const PIXELS = SIZE * SIZE;
const NOISE_TABLE_SIZE = 1 << 16;
const NOISE_TABLE_SIGMA = 10;

/** Generates the synthetic data set (train and test splits) for a seed. */
export function generateSynthetic(opts: SyntheticOptions): Dataset {
  for (const k of ['trainCount', 'testCount'] as const) {
    const v = opts[k];
    if (!(v >= 0 && Number.isInteger(v))) throw new RangeError(`generateSynthetic: ${k} must be a non-negative integer, got ${v}`);
  }
  const root = new Rng(opts.seed);
  const noise = makeNoiseTable(root.fork('synthetic/noise'));
  return {
    name: 'synthetic',
    label: SYNTHETIC_LABEL,
    classNames: SYNTHETIC_CLASS_NAMES,
    train: generateSplit(root.fork('synthetic/train'), opts.trainCount, noise),
    test: generateSplit(root.fork('synthetic/test'), opts.testCount, noise),
  };
}

function makeNoiseTable(rng: Rng): Float32Array {
  const t = new Float32Array(NOISE_TABLE_SIZE);
  for (let i = 0; i < t.length; i++) t[i] = Math.max(-40, Math.min(40, NOISE_TABLE_SIGMA * rng.normal()));
  return t;
}

function generateSplit(rng: Rng, count: number, noise: Float32Array): ImageSet {
  const images = new Uint8Array(count * PIXELS * 3);
  const labels = new Uint8Array(count);
  // Labels: each consecutive block of 10 images is a random permutation of the classes,
  // so every prefix is class-balanced to within one image.
  const block = new Int32Array(10);
  const canvas = new Float32Array(PIXELS * 3);
  const clamped = new Uint8ClampedArray(images.buffer, images.byteOffset, images.length);
  for (let i = 0; i < count; i++) {
    if (i % 10 === 0) {
      for (let c = 0; c < 10; c++) block[c] = c;
      rng.shuffle(block);
    }
    const label = block[i % 10];
    labels[i] = label;
    drawImage(rng, label, canvas, noise);
    // Uint8ClampedArray.set clamps to 0..255 and rounds (half to even), natively.
    clamped.set(canvas, i * PIXELS * 3);
  }
  return { images, labels, count, height: SIZE, width: SIZE, channels: 3 };
}

type Rgb = [number, number, number];

function randomColour(rng: Rng): Rgb {
  return [rng.float() * 255, rng.float() * 255, rng.float() * 255];
}

/** HSV (all in [0, 1]) to RGB in [0, 255]. */
function hsv(h: number, s: number, v: number): Rgb {
  h = ((h % 1) + 1) % 1;
  const i = Math.floor(h * 6), f = h * 6 - i;
  const p = v * (1 - s), q = v * (1 - f * s), t = v * (1 - (1 - f) * s);
  const rgb: Rgb = [[v, t, p], [q, v, p], [p, v, t], [p, q, v], [t, p, v], [v, p, q]][i % 6] as Rgb;
  return [rgb[0] * 255, rgb[1] * 255, rgb[2] * 255];
}

function drawImage(rng: Rng, label: number, canvas: Float32Array, noise: Float32Array): void {
  // Background gradient.
  const c0 = randomColour(rng), c1 = randomColour(rng);
  const angle = rng.float() * 2 * Math.PI;
  const gx = Math.cos(angle) / SIZE, gy = Math.sin(angle) / SIZE;
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const t = Math.min(1, Math.max(0, 0.5 + gx * (x - 15.5) + gy * (y - 15.5)));
      const o = (y * SIZE + x) * 3;
      canvas[o] = c0[0] + (c1[0] - c0[0]) * t;
      canvas[o + 1] = c0[1] + (c1[1] - c0[1]) * t;
      canvas[o + 2] = c0[2] + (c1[2] - c0[2]) * t;
    }
  }
  // Clutter.
  const clutter = rng.int(4);
  for (let k = 0; k < clutter; k++) {
    const col = randomColour(rng);
    const thin = rng.float() < 0.5;
    const w = thin ? 1 + rng.int(2) : 2 + rng.int(6);
    const h = thin ? 6 + rng.int(14) : 2 + rng.int(6);
    const [rw, rh] = rng.float() < 0.5 ? [w, h] : [h, w];
    const x0 = rng.int(SIZE), y0 = rng.int(SIZE);
    for (let y = y0; y < Math.min(SIZE, y0 + rh); y++) {
      for (let x = x0; x < Math.min(SIZE, x0 + rw); x++) {
        const o = (y * SIZE + x) * 3;
        canvas[o] = col[0]; canvas[o + 1] = col[1]; canvas[o + 2] = col[2];
      }
    }
  }
  // The class shape.
  const fg = rng.float() < 0.4
    ? randomColour(rng)
    : hsv(label / 10 + (rng.float() - 0.5) * 0.1, 0.45 + 0.55 * rng.float(), 0.45 + 0.55 * rng.float());
  const cx = 10 + rng.float() * 12, cy = 10 + rng.float() * 12;
  const r = 6 + rng.float() * 5;
  const rot = (rng.float() - 0.5);
  const cos = Math.cos(rot), sin = Math.sin(rot);
  const inside = shapeTest(rng, label, r);
  const x0 = Math.max(0, Math.floor(cx - r * 1.5)), x1 = Math.min(SIZE - 1, Math.ceil(cx + r * 1.5));
  const y0 = Math.max(0, Math.floor(cy - r * 1.5)), y1 = Math.min(SIZE - 1, Math.ceil(cy + r * 1.5));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const dx = (x - cx) / r, dy = (y - cy) / r;
      const u = cos * dx + sin * dy, v = -sin * dx + cos * dy;
      if (!inside(u, v)) continue;
      const o = (y * SIZE + x) * 3;
      canvas[o] = fg[0]; canvas[o + 1] = fg[1]; canvas[o + 2] = fg[2];
    }
  }
  // Pixel noise: a random window of the shared noise table, at a random strength.
  const strength = 0.5 + rng.float();
  let at = rng.int(NOISE_TABLE_SIZE);
  const step = 1 + 2 * rng.int(64);
  for (let p = 0; p < canvas.length; p++) {
    canvas[p] += strength * noise[at];
    at = (at + step) & (NOISE_TABLE_SIZE - 1);
  }
}

/** Membership test in shape-local coordinates (u, v), unit = the shape radius `r` in pixels. */
function shapeTest(rng: Rng, label: number, r: number): (u: number, v: number) => boolean {
  switch (label) {
    case 0: // circle
      return (u, v) => u * u + v * v <= 1;
    case 1: // square
      return (u, v) => Math.abs(u) <= 0.8 && Math.abs(v) <= 0.8;
    case 2: // triangle, apex up
      return (u, v) => v <= 0.7 && v >= -0.9 && Math.abs(u) <= 0.6 * (v + 0.9);
    case 3: { // horizontal stripes in a square patch
      const period = (3 + rng.int(3)) / r, phase = rng.float();
      return (u, v) => Math.abs(u) <= 1 && Math.abs(v) <= 1 && Math.floor(v / period + phase) % 2 === 0;
    }
    case 4: { // vertical stripes
      const period = (3 + rng.int(3)) / r, phase = rng.float();
      return (u, v) => Math.abs(u) <= 1 && Math.abs(v) <= 1 && Math.floor(u / period + phase) % 2 === 0;
    }
    case 5: { // checkerboard
      const cell = (2 + rng.int(3)) / r;
      return (u, v) => Math.abs(u) <= 1 && Math.abs(v) <= 1 && (Math.floor(u / cell + 8) + Math.floor(v / cell + 8)) % 2 === 0;
    }
    case 6: // cross (plus)
      return (u, v) => (Math.abs(u) <= 0.3 && Math.abs(v) <= 1) || (Math.abs(v) <= 0.3 && Math.abs(u) <= 1);
    case 7: // ring
      return (u, v) => { const d = u * u + v * v; return d <= 1 && d >= 0.3; };
    case 8: // diamond
      return (u, v) => Math.abs(u) + Math.abs(v) <= 1;
    default: { // blobs: 3-5 small discs scattered within the radius
      const n = 3 + rng.int(3);
      const bx: number[] = [], by: number[] = [], br: number[] = [];
      for (let k = 0; k < n; k++) {
        const a = rng.float() * 2 * Math.PI, d = 0.3 + 0.7 * rng.float();
        bx.push(Math.cos(a) * d); by.push(Math.sin(a) * d);
        const rr = 0.22 + 0.15 * rng.float();
        br.push(rr * rr);
      }
      return (u, v) => {
        for (let k = 0; k < n; k++) {
          const du = u - bx[k], dv = v - by[k];
          if (du * du + dv * dv <= br[k]) return true;
        }
        return false;
      };
    }
  }
}
