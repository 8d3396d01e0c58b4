/**
 * Pixel-level fusion of two uint8 HWC images (FCW triggers, methods.md §3). Pure functions.
 */

/**
 * 2×2 box-average downsampling of one H×W×C image (H, W even) to H/2 × W/2 × C.
 * Rounding (our choice): round half up, i.e. floor((a + b + c + d + 2) / 4).
 */
export function downsample2x2(src: Uint8Array, height: number, width: number, channels: number): Uint8Array {
  if (height % 2 !== 0 || width % 2 !== 0) throw new RangeError(`downsample2x2: height and width must be even, got ${height}x${width}`);
  if (src.length !== height * width * channels) throw new RangeError(`downsample2x2: ${src.length} values for ${height}x${width}x${channels}`);
  const h2 = height / 2, w2 = width / 2;
  const out = new Uint8Array(h2 * w2 * channels);
  for (let y = 0; y < h2; y++) {
    for (let x = 0; x < w2; x++) {
      for (let c = 0; c < channels; c++) {
        const p = ((2 * y) * width + 2 * x) * channels + c;
        const sum = src[p] + src[p + channels] + src[p + width * channels] + src[p + width * channels + channels];
        out[(y * w2 + x) * channels + c] = (sum + 2) >> 2;
      }
    }
  }
  return out;
}

/**
 * Direct fusion: a 2×2 mosaic of the same size as the inputs. Top-left quadrant = `a`
 * downsampled 2×2, bottom-right = `b` downsampled 2×2, top-right and bottom-left = white (255).
 * This equals building the 2H×2W mosaic and resizing it back to H×W by 2×2 box averaging
 * (white quadrants stay exactly 255).
 */
export function directFusion(a: Uint8Array, b: Uint8Array, height: number, width: number, channels: number): Uint8Array {
  const da = downsample2x2(a, height, width, channels);
  const db = downsample2x2(b, height, width, channels);
  const h2 = height / 2, w2 = width / 2;
  const out = new Uint8Array(height * width * channels).fill(255);
  const row = w2 * channels;
  for (let y = 0; y < h2; y++) {
    out.set(da.subarray(y * row, (y + 1) * row), y * width * channels);
    out.set(db.subarray(y * row, (y + 1) * row), ((y + h2) * width + w2) * channels);
  }
  return out;
}

/**
 * Invisible fusion: (1 − r)·a + r·b per pixel value, rounded to the nearest integer
 * (our choice: half up, Math.round) and clamped to [0, 255]. With r = 0.5 this is
 * floor((a + b + 1) / 2).
 */
export function invisibleFusion(a: Uint8Array, b: Uint8Array, ratio: number): Uint8Array {
  if (!(ratio >= 0 && ratio <= 1)) throw new RangeError(`invisibleFusion: ratio must be in [0, 1], got ${ratio}`);
  if (a.length !== b.length) throw new RangeError('invisibleFusion: images of different sizes');
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = Math.min(255, Math.max(0, Math.round((1 - ratio) * a[i] + ratio * b[i])));
  return out;
}
