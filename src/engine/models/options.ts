/** Architecture options as recorded in ModelConfig.options. */
export type ArchOptions = Readonly<Record<string, number | string | boolean>>;

/** Reads a numeric option, with a default; throws on a wrong type or a non-finite value. */
export function numberOption(options: ArchOptions | undefined, key: string, fallback: number): number {
  const v = options?.[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`option ${key} must be a finite number, got ${String(v)}`);
  return v;
}

/** Reads a positive integer option, with a default. */
export function intOption(options: ArchOptions | undefined, key: string, fallback: number): number {
  const v = numberOption(options, key, fallback);
  if (!Number.isInteger(v) || v < 1) throw new Error(`option ${key} must be a positive integer, got ${v}`);
  return v;
}

/** Reads a boolean option, with a default. */
export function boolOption(options: ArchOptions | undefined, key: string, fallback: boolean): boolean {
  const v = options?.[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new Error(`option ${key} must be a boolean, got ${String(v)}`);
  return v;
}

/** Reads a string option restricted to `allowed`, with a default. */
export function enumOption<T extends string>(options: ArchOptions | undefined, key: string, allowed: readonly T[], fallback: T): T {
  const v = options?.[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new Error(`option ${key} must be one of ${allowed.join(', ')}, got ${String(v)}`);
  }
  return v as T;
}

/** Rounds a channel count to a multiple of `divisor` (at least `divisor`), not below 90% (MobileNet's make_divisible). */
export function makeDivisible(v: number, divisor = 8): number {
  const r = Math.max(divisor, Math.floor(v + divisor / 2) - (Math.floor(v + divisor / 2) % divisor));
  return r < 0.9 * v ? r + divisor : r;
}
