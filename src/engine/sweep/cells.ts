/**
 * From a sweep spec to its cells: one per (run × grid point), each with the full train options
 * and a stable id derived from them, so that the same settings always land in the same
 * `cells/<id>/` whatever machine, shard or order runs them.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { methodInfo } from '../methods/info';
import type { AttackStep, LandscapeStep, SweepSpec, TrainOptions } from './spec';

/** One run of the sweep. */
export interface SweepCell {
  /** `<varying settings>-<hash>`: readable, and unique to the full train options. */
  readonly id: string;
  /** Position in the spec's expansion order (runs outer, grid axes in spec order, last fastest). */
  readonly index: number;
  /** The full `wmlab train` options of this cell (spec.train ← run ← grid point). */
  readonly train: TrainOptions;
  /** The options that vary across the sweep's cells, with this cell's values (for labels). */
  readonly varying: Readonly<Record<string, unknown>>;
}

/** JSON with object keys sorted at every depth: the same settings give the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  }
  return v;
}

/** First `hexChars` hex digits of SHA-256 of the canonical JSON of `value`. */
export function settingsHash(value: unknown, hexChars = 10): string {
  return bytesToHex(sha256(utf8ToBytes(canonicalJson(value)))).slice(0, hexChars);
}

/** The cross product of the grid axes, in spec order (the last axis varies fastest). */
export function gridPoints(grid: Readonly<Record<string, readonly unknown[]>>): Record<string, unknown>[] {
  let points: Record<string, unknown>[] = [{}];
  for (const [name, values] of Object.entries(grid)) {
    points = points.flatMap((p) => values.map((v) => ({ ...p, [name]: v })));
  }
  return points;
}

/** Every cell of the spec, in expansion order. Duplicate settings (same id) are kept once. */
export function expandCells(spec: SweepSpec): SweepCell[] {
  const merged: TrainOptions[] = [];
  for (const run of spec.runs ?? [{}]) {
    for (const point of gridPoints(spec.grid)) merged.push({ ...spec.train, ...run, ...point } as TrainOptions);
  }
  const varyingNames = Object.keys(Object.assign({}, ...merged)).filter((name) => {
    const seen = new Set(merged.map((m) => canonicalJson((m as Record<string, unknown>)[name] ?? null)));
    return seen.size > 1;
  });
  const cells: SweepCell[] = [];
  const ids = new Set<string>();
  for (const train of merged) {
    const varying = Object.fromEntries(varyingNames.map((n) => [n, (train as Record<string, unknown>)[n]]).filter(([, v]) => v !== undefined));
    const id = cellId(train, varying);
    if (ids.has(id)) continue;
    ids.add(id);
    cells.push({ id, index: cells.length, train, varying });
  }
  return cells;
}

/** `replicas=4_seed=2-3f9a0c21d7`: the varying settings (for people) and the hash of all of them. */
export function cellId(train: TrainOptions, varying: Readonly<Record<string, unknown>> = {}): string {
  const label = Object.entries(varying)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? canonicalJson(v) : String(v)}`)
    .join('_')
    .replace(/[^A-Za-z0-9=._,+-]+/g, '')
    .slice(0, 80);
  const hash = settingsHash(train);
  return label ? `${label}-${hash}` : hash;
}

/** `--shard i/N` → { index: i, count: N }, 0 ≤ i < N. */
export function parseShard(text: string): { readonly index: number; readonly count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count) throw new Error(`--shard must be i/N with 0 <= i < N (e.g. 0/4), got "${text}"`);
  return { index, count };
}

/** The cells of shard i of N: every N-th cell of the expansion order, starting at i (stable, balanced). */
export function shardCells(cells: readonly SweepCell[], shard: { readonly index: number; readonly count: number }): SweepCell[] {
  return cells.filter((c) => c.index % shard.count === shard.index);
}

/** A post-training step of a cell, with the file its JSON result is kept in. */
export type CellStep =
  | { readonly kind: 'attack'; readonly file: string; readonly options: AttackStep }
  | { readonly kind: 'landscape'; readonly file: string; readonly options: LandscapeStep }
  | { readonly kind: 'verify'; readonly file: string; readonly options: Readonly<Record<string, number>> };

/**
 * The steps after training, each named by its own settings (`attack-noise-<hash>.json`), so that
 * adding an attack to a finished sweep runs only the new one. Landscapes and the key-subspace
 * measures need a WaterMAS key: cells of other methods skip them (and say so in their result).
 */
export function cellSteps(spec: SweepSpec): CellStep[] {
  const steps: CellStep[] = [];
  for (const a of spec.attacks) steps.push({ kind: 'attack', file: `attack-${a.attack}-${settingsHash(a, 8)}.json`, options: a });
  for (const l of spec.landscapes) steps.push({ kind: 'landscape', file: `landscape-${settingsHash(l, 8)}.json`, options: l });
  if (spec.verify !== false) steps.push({ kind: 'verify', file: 'verify.json', options: spec.verify === true ? {} : spec.verify });
  return steps;
}

/** Whether a step applies to a cell of this method (landscapes and key interception read key positions: WaterMAS). */
export function stepApplies(step: CellStep, method: string): boolean {
  if (method === 'none') return false;
  const positions = methodInfo(method)?.hasKeyPositions === true;
  if (step.kind === 'landscape') return positions;
  if (step.kind === 'attack' && step.options.attack === 'intercept') return positions;
  return true;
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The WaterMAS objective's own settings: an R = 0 twin differs from its marked model only in these. */
export const OBJECTIVE_FIELDS: readonly string[] = ['replicas', 'sigma', 'lambda', 'replicaMode', 'rho', 'margin', 'antithetic', 'replicaBn', 'replicaBatch', 'balance'];

/** A cell's settings up to its objective: cells with the same key, init, data order and training. */
export function twinIdentity(train: Readonly<Record<string, unknown>>): string {
  return canonicalJson(Object.fromEntries(Object.entries(train).filter(([k]) => !OBJECTIVE_FIELDS.includes(k))));
}

/**
 * The key seed of a cell that names none (no `keySeed`, no `passphrase`): derived from its
 * settings up to the objective, so a sweep is reproducible (a re-run, another shard or machine
 * trains the same model) and a marked cell and its R = 0 twin share their key. Such keys are
 * not secret (anyone with the spec can derive them): give `keySeed` or `passphrase` for a
 * model that is to be released.
 */
export function derivedKeySeed(train: TrainOptions): string {
  return bytesToHex(sha256(utf8ToBytes(`wmlab-sweep/key-seed/v1\n${twinIdentity(train as Record<string, unknown>)}`)));
}

/** The `wmlab train` arguments of a cell (without --data and --out). */
export function trainArgv(train: TrainOptions): string[] {
  const keyed = methodInfo(train.method)?.keySeeded === true && train.keySeed === undefined && train.passphrase === undefined;
  return optionsToArgv(keyed ? { ...train, keySeed: derivedKeySeed(train) } : train);
}

/** camelCase options → `wmlab` flags (`trainLimit: 64` → `--train-limit 64`; `augment: true` → `--augment`). */
export function optionsToArgv(options: Readonly<Record<string, unknown>>): string[] {
  const argv: string[] = [];
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined || value === false && name === 'augment') continue;
    const flag = `--${kebab(name)}`;
    if (name === 'augment') argv.push(flag);
    else if (name === 'antithetic') argv.push(flag, value ? 'on' : 'off');
    else if (name === 'modelOptions') {
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.length) argv.push(flag, entries.map(([k, v]) => `${k}=${String(v)}`).join(','));
    } else if (Array.isArray(value)) argv.push(flag, value.join(','));
    else argv.push(flag, String(value));
  }
  return argv;
}
