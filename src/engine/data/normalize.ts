import type { Dataset, ImageSet, Normalization } from './types';

/**
 * The standard CIFAR-10 per-channel statistics of the training set, in [0, 1] units
 * (mean 0.4914/0.4822/0.4465, std 0.2470/0.2435/0.2616 = the per-pixel population std,
 * not the often-copied 0.2023/0.1994/0.2010).
 */
export const CIFAR10_NORMALIZATION: Normalization = {
  mean: [0.4914, 0.4822, 0.4465],
  std: [0.247, 0.2435, 0.2616],
};

/** Per-channel mean and (population) std over every pixel of an HWC uint8 set, in [0, 1] units. */
export function computeNormalization(set: ImageSet): Normalization {
  if (set.channels !== 3) throw new Error(`computeNormalization: expected 3 channels, got ${set.channels}`);
  if (set.count === 0) throw new Error('computeNormalization: empty image set');
  // Histograms make this exact and fast (integer counts, no float accumulation drift).
  const hist = [new Float64Array(256), new Float64Array(256), new Float64Array(256)];
  const n = set.count * set.height * set.width * 3;
  const img = set.images;
  for (let i = 0; i < n; i += 3) {
    hist[0][img[i]]++;
    hist[1][img[i + 1]]++;
    hist[2][img[i + 2]]++;
  }
  const mean: number[] = [], std: number[] = [];
  for (const h of hist) {
    let s = 0, s2 = 0, c = 0;
    for (let v = 0; v < 256; v++) {
      const x = v / 255;
      s += h[v] * x;
      s2 += h[v] * x * x;
      c += h[v];
    }
    const m = s / c;
    mean.push(m);
    std.push(Math.sqrt(Math.max(s2 / c - m * m, 1e-12)));
  }
  return { mean: [mean[0], mean[1], mean[2]], std: [std[0], std[1], std[2]] };
}

/**
 * Constants for the synthetic set (measured on 10,000 images of seed 0; seeds differ by < 0.003).
 * Fixed, like CIFAR-10's, so that a model trained on any subset is evaluated, attacked and
 * verified with the same input scaling.
 */
export const SYNTHETIC_NORMALIZATION: Normalization = {
  mean: [0.498, 0.4964, 0.4972],
  std: [0.2473, 0.2472, 0.2485],
};

/**
 * The normalisation a data set is trained with: fixed constants per data set (so that models
 * are comparable across subsets and commands).
 */
export function normalizationFor(dataset: Dataset): Normalization {
  return dataset.name === 'cifar10' ? CIFAR10_NORMALIZATION : SYNTHETIC_NORMALIZATION;
}

/**
 * Lookup table byte -> normalised float for each channel: lut[c * 256 + v] = (v / 255 - mean[c]) / std[c].
 * Converting through it is exact to float32 and much faster than arithmetic per pixel.
 */
export function normalizationLut(norm: Normalization): Float32Array {
  const lut = new Float32Array(3 * 256);
  for (let c = 0; c < 3; c++) {
    if (!(norm.std[c] > 0)) throw new RangeError(`normalisation std[${c}] must be positive, got ${norm.std[c]}`);
    for (let v = 0; v < 256; v++) lut[c * 256 + v] = (v / 255 - norm.mean[c]) / norm.std[c];
  }
  return lut;
}

/** Normalises uint8 HWC pixels (3 channels) into float32 with the given constants. */
export function normalizePixels(pixels: Uint8Array, norm: Normalization, out = new Float32Array(pixels.length)): Float32Array {
  const lut = normalizationLut(norm);
  for (let i = 0; i < pixels.length; i += 3) {
    out[i] = lut[pixels[i]];
    out[i + 1] = lut[256 + pixels[i + 1]];
    out[i + 2] = lut[512 + pixels[i + 2]];
  }
  return out;
}
