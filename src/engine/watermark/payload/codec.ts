/**
 * Payload codec (methods.md §1.2).
 *
 * Bits: v_i = (2 b_i − 1) · a_i, a_i = max(|w_i|, Q_q(|w|), MAGNITUDE_FLOOR), where Q_q(|w|) is the
 * q-quantile of |w| over the whole tensor at insertion time and q the mark strength. q = 0 gives
 * Q_0 = min |w|, so every magnitude is kept (the weight histogram only changes signs).
 * Decoding: b̂_i = [θ_i > 0]; an exact zero is an erasure (counted as an error by verification).
 *
 * Image (Tartaglione et al. 2020): v = s · (2p/255 − 1) per pixel channel; decoding inverts the
 * map, rounds and clamps to 0..255.
 */

/** Default mark strength q. */
export const DEFAULT_STRENGTH = 0.5;

/**
 * Smallest magnitude written for a bit (our choice): with q = 0 an exact zero weight would
 * otherwise be written as 0 and read back as an erasure. 1e-6 is far below the scale of
 * trained weights (~1e-2) yet clearly non-zero in float32.
 */
export const MAGNITUDE_FLOOR = 1e-6;

/**
 * Default image scale s (our choice): the image spans [−s, s], comparable to the typical
 * magnitude of conv kernels in the lab's small models (He init std ≈ 0.06 for fan-in 576).
 */
export const DEFAULT_IMAGE_SCALE = 0.05;

/**
 * q-quantile of |values| with linear interpolation between order statistics
 * (the "type 7" definition of R / numpy's default): position q·(N−1) in the sorted list.
 */
export function absQuantile(values: Float32Array, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`Quantile q must lie in [0, 1], got ${q}`);
  const n = values.length;
  if (n === 0) return 0;
  const abs = new Float64Array(n);
  for (let i = 0; i < n; i++) abs[i] = Math.abs(values[i]);
  abs.sort();
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  return abs[lo] + (pos - lo) * (abs[hi] - abs[lo]);
}

/**
 * Mark values for one tensor: `weights` is the whole tensor (flat, at insertion time), `indices`
 * the key positions in that tensor and `bits` their payload bits (same length).
 */
export function encodeSignValues(
  weights: Float32Array,
  indices: readonly number[],
  bits: ArrayLike<number>,
  strength: number = DEFAULT_STRENGTH,
): Float32Array {
  if (indices.length !== bits.length) throw new RangeError('encodeSignValues: indices and bits differ in length');
  const floor = Math.max(absQuantile(weights, strength), MAGNITUDE_FLOOR);
  const out = new Float32Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const a = Math.max(Math.abs(weights[indices[k]]), floor);
    out[k] = bits[k] ? a : -a;
  }
  return out;
}

/** Decodes signs: bit = [v > 0]; `erased[k] = 1` where v is exactly zero (or NaN). */
export function decodeSigns(values: ArrayLike<number>): { bits: Uint8Array; erased: Uint8Array } {
  const bits = new Uint8Array(values.length);
  const erased = new Uint8Array(values.length);
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (v > 0) bits[k] = 1;
    else if (!(v < 0)) erased[k] = 1;
  }
  return { bits, erased };
}

/** Image pixels (uint8, any layout) to mark values v = s·(2p/255 − 1). */
export function encodeImageValues(pixels: Uint8Array, scale: number = DEFAULT_IMAGE_SCALE): Float32Array {
  if (!(scale > 0)) throw new RangeError(`Image scale must be positive, got ${scale}`);
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = scale * ((2 * pixels[i]) / 255 - 1);
  return out;
}

/** Inverse image map: p = round(255·(v/s + 1)/2), clamped to 0..255 (NaN decodes to 0). */
export function decodeImageValues(values: ArrayLike<number>, scale: number = DEFAULT_IMAGE_SCALE): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const p = Math.round((255 * (values[i] / scale + 1)) / 2);
    out[i] = Number.isNaN(p) ? 0 : Math.min(255, Math.max(0, p));
  }
  return out;
}

/** The sign bits an image payload writes: [p ≥ 128] (v > 0 exactly when 2p > 255). */
export function imageSignBits(pixels: Uint8Array): Uint8Array {
  const bits = new Uint8Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) bits[i] = pixels[i] >= 128 ? 1 : 0;
  return bits;
}

/** Pearson correlation of two equal-length sequences (0 when either is constant). */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (n !== b.length) throw new RangeError('pearson: lengths differ');
  if (n === 0) return 0;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma, db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa === 0 || sbb === 0) return 0;
  return sab / Math.sqrt(saa * sbb);
}
