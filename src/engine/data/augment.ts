import type { Rng } from '../random/rng';

/**
 * Training augmentation (the standard CIFAR recipe): random crop with 4-pixel zero padding,
 * then a horizontal flip with probability 1/2.
 *
 * Our choice: augmentation runs in plain JS on the uint8 images, fused with normalisation
 * (through a byte->float lookup table) while the batch's float32 buffer is filled, so each
 * batch is one upload and no tfjs kernels run for it. This is faster than doing it with tfjs
 * ops on the cpu/wasm backends and avoids per-image kernel launches (slice/pad/reverse) on
 * webgl/webgpu; the cost is a float32 upload (B x 12 KiB) instead of a uint8 one.
 * "Zero padding" pads with black pixels (byte 0) before normalisation, as torchvision's
 * RandomCrop(32, padding=4) does before Normalize.
 */
export const CROP_PADDING = 4;

/** One image's augmentation: the crop's shift (in -padding..padding) and whether to mirror. */
export interface AugmentParams {
  /** out(y, x) reads source pixel (y + dy, x + dx) before the flip; outside -> zero. */
  readonly dx: number;
  readonly dy: number;
  readonly flip: boolean;
}

export const IDENTITY_AUGMENT: AugmentParams = { dx: 0, dy: 0, flip: false };

/** Draws the crop shift and flip for one image. */
export function drawAugmentParams(rng: Rng, padding = CROP_PADDING): AugmentParams {
  const dx = rng.int(2 * padding + 1) - padding;
  const dy = rng.int(2 * padding + 1) - padding;
  return { dx, dy, flip: rng.float() < 0.5 };
}

/**
 * Writes one augmented, normalised HWC image (3 channels) into `out` at `outOffset`.
 * `src` holds the uint8 image at `srcOffset`; `lut` is normalizationLut(...) (3 x 256).
 * out(y, x) = normalise(src(y + dy, xs + dx)) with xs = flip ? w - 1 - x : x, and the
 * normalised value of byte 0 where (y + dy, xs + dx) falls outside the image.
 */
export function augmentNormalizeInto(
  src: Uint8Array, srcOffset: number, height: number, width: number,
  params: AugmentParams, lut: Float32Array, out: Float32Array, outOffset: number,
): void {
  const { dx, dy, flip } = params;
  const z0 = lut[0], z1 = lut[256], z2 = lut[512];
  for (let y = 0; y < height; y++) {
    const sy = y + dy;
    const rowOut = outOffset + y * width * 3;
    if (sy < 0 || sy >= height) {
      for (let x = 0, o = rowOut; x < width; x++, o += 3) { out[o] = z0; out[o + 1] = z1; out[o + 2] = z2; }
      continue;
    }
    const rowSrc = srcOffset + sy * width * 3;
    for (let x = 0, o = rowOut; x < width; x++, o += 3) {
      const sx = (flip ? width - 1 - x : x) + dx;
      if (sx < 0 || sx >= width) { out[o] = z0; out[o + 1] = z1; out[o + 2] = z2; continue; }
      const s = rowSrc + sx * 3;
      out[o] = lut[src[s]];
      out[o + 1] = lut[256 + src[s + 1]];
      out[o + 2] = lut[512 + src[s + 2]];
    }
  }
}

/** The uint8 version of the same transform (zero outside), for previews and tests. */
export function augmentImage(image: Uint8Array, height: number, width: number, channels: number, params: AugmentParams): Uint8Array {
  const out = new Uint8Array(height * width * channels);
  const { dx, dy, flip } = params;
  for (let y = 0; y < height; y++) {
    const sy = y + dy;
    if (sy < 0 || sy >= height) continue;
    for (let x = 0; x < width; x++) {
      const sx = (flip ? width - 1 - x : x) + dx;
      if (sx < 0 || sx >= width) continue;
      const s = (sy * width + sx) * channels, o = (y * width + x) * channels;
      for (let c = 0; c < channels; c++) out[o + c] = image[s + c];
    }
  }
  return out;
}
