/** IEEE 754 binary16 (F16) bits → number. */
export function f16ToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // zero / subnormal
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const bf16Scratch = new DataView(new ArrayBuffer(4));

/** bfloat16 (BF16) bits → number: the upper 16 bits of a float32. */
export function bf16ToNumber(b: number): number {
  bf16Scratch.setUint32(0, (b & 0xffff) << 16, false);
  return bf16Scratch.getFloat32(0, false);
}
