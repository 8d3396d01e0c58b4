import { parseArgs } from 'node:util';

/** A bad command line: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A command result printed as it is (a job script, a manifest), not as JSON. */
export class RawText {
  constructor(readonly text: string) {}
}

type OptionSpec = { type: 'string' | 'boolean'; short?: string; default?: string | boolean };

/** Strict option parsing: unknown options and stray positionals are usage errors. */
export function parseOptions<T extends Record<string, OptionSpec>>(argv: string[], options: T): { [K in keyof T]: T[K]['type'] extends 'boolean' ? boolean | undefined : string | undefined } {
  try {
    const { values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false });
    return values as never;
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
}

/** A finite number within [min, max] (integer when asked), or the default. */
export function num(value: string | undefined, name: string, opts: { min?: number; max?: number; int?: boolean; default: number }): number {
  if (value === undefined) return opts.default;
  const v = Number(value);
  if (value.trim() === '' || !Number.isFinite(v)) throw new UsageError(`--${name} must be a number, got "${value}"`);
  if (opts.int && !Number.isInteger(v)) throw new UsageError(`--${name} must be an integer, got ${value}`);
  if (opts.min !== undefined && v < opts.min) throw new UsageError(`--${name} must be >= ${opts.min}, got ${value}`);
  if (opts.max !== undefined && v > opts.max) throw new UsageError(`--${name} must be <= ${opts.max}, got ${value}`);
  return v;
}

/** One of the allowed words, or the default. */
export function oneOf<T extends string>(value: string | undefined, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${allowed.join('|')}, got "${value}"`);
  return value as T;
}

/** A comma-separated list of numbers. */
export function numList(value: string | undefined, name: string): number[] | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(',').map((s) => s.trim());
  return parts.map((p) => num(p, name, { default: NaN }));
}

export function required(value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}
