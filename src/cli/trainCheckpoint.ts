import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Model } from '../engine/models/types';
import type { OptimizerState } from '../engine/train/optimizers';
import { readModelFile, writeModelDir } from './modelFiles';
import { UsageError } from './args';

/**
 * Resumable `wmlab train` runs (`--checkpoint DIR`). After every epoch the run writes
 * DIR/step-NNNNNNN/ (model/, optimizer.bin, state.json, key.json for a marked run) and then
 * points DIR/checkpoint.json at it (written to a temporary name and renamed, so a run killed
 * mid-write leaves the previous checkpoint intact); older step folders are then removed.
 * The data order, augmentation and replica noise are functions of (seed, epoch, batch / step),
 * so a resumed run continues exactly where the saved one stood.
 */
export const CHECKPOINT_VERSION = 1;

export interface TrainCheckpointState {
  readonly version: typeof CHECKPOINT_VERSION;
  /** The run's settings (options other than --out, --checkpoint, --backend, --log-every): a resume must match. */
  readonly run: Readonly<Record<string, string | boolean>>;
  /** Steps done. */
  readonly step: number;
  /** Epochs done. */
  readonly epoch: number;
  /** Training seconds so far (all sessions). */
  readonly seconds: number;
  readonly optimizer: {
    readonly optimizer: OptimizerState['optimizer'];
    readonly iterations: number;
    /** The order and lengths of the slots in optimizer.bin (float32, little-endian). */
    readonly layout: readonly { readonly name: string; readonly kind: 'm' | 'v'; readonly length: number }[];
  };
}

export interface LoadedCheckpoint {
  readonly state: TrainCheckpointState;
  readonly model: Model;
  readonly optimizer: OptimizerState;
  /** The key file of a marked run. */
  readonly keyJson?: string;
}

const POINTER = 'checkpoint.json';

/** The settings a resume must match, from the parsed options. */
export function runSettings(options: Readonly<Record<string, string | boolean | undefined>>): Record<string, string | boolean> {
  const ignored = new Set(['out', 'checkpoint', 'backend', 'log-every']);
  const out: Record<string, string | boolean> = {};
  for (const k of Object.keys(options).sort()) {
    const v = options[k];
    if (v !== undefined && !ignored.has(k)) out[k] = v;
  }
  return out;
}

/** Writes a checkpoint of the run into `dir` and makes it the current one. */
export async function writeTrainCheckpoint(
  dir: string,
  model: Model,
  state: Omit<TrainCheckpointState, 'version' | 'optimizer'>,
  optimizer: OptimizerState,
  keyJson?: string,
): Promise<void> {
  const name = `step-${String(state.step).padStart(7, '0')}`;
  const folder = join(dir, name);
  await rm(folder, { recursive: true, force: true });
  await mkdir(folder, { recursive: true });
  await writeModelDir(model, join(folder, 'model'));
  const layout: { name: string; kind: 'm' | 'v'; length: number }[] = [];
  const parts: Float32Array[] = [];
  for (const [param, slot] of Object.entries(optimizer.slots)) {
    for (const kind of ['m', 'v'] as const) {
      const values = slot[kind];
      if (!values) continue;
      layout.push({ name: param, kind, length: values.length });
      parts.push(values);
    }
  }
  const bytes = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    bytes.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), offset);
    offset += p.byteLength;
  }
  await writeFile(join(folder, 'optimizer.bin'), bytes);
  const full: TrainCheckpointState = { version: CHECKPOINT_VERSION, ...state, optimizer: { optimizer: optimizer.optimizer, iterations: optimizer.iterations, layout } };
  await writeFile(join(folder, 'state.json'), JSON.stringify(full, null, 2) + '\n');
  if (keyJson !== undefined) await writeFile(join(folder, 'key.json'), keyJson);
  const tmp = join(dir, `${POINTER}.tmp`);
  await writeFile(tmp, JSON.stringify({ current: name }) + '\n');
  await rename(tmp, join(dir, POINTER));
  for (const entry of await readdir(dir)) {
    if (entry.startsWith('step-') && entry !== name) await rm(join(dir, entry), { recursive: true, force: true });
  }
}

/**
 * The current checkpoint in `dir`, or null when there is none. Throws a UsageError naming the
 * difference when it belongs to another run (other settings), and when its files are damaged.
 */
export async function readTrainCheckpoint(dir: string, run: Readonly<Record<string, string | boolean>>): Promise<LoadedCheckpoint | null> {
  const pointerText = await readFile(join(dir, POINTER), 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    throw e;
  });
  if (pointerText === null) return null;
  const damaged = (why: string) => new UsageError(`--checkpoint ${dir}: the checkpoint is damaged (${why}); delete the folder to start over`);
  let current: unknown;
  try {
    current = (JSON.parse(pointerText) as { current?: unknown }).current;
  } catch {
    throw damaged(`${POINTER} is not JSON`);
  }
  if (typeof current !== 'string' || !/^step-\d{7}$/.test(current)) throw damaged(`${POINTER} names no step folder`);
  const folder = join(dir, current);
  let state: TrainCheckpointState;
  try {
    state = JSON.parse(await readFile(join(folder, 'state.json'), 'utf8')) as TrainCheckpointState;
  } catch (e) {
    throw damaged(`${current}/state.json: ${(e as Error).message}`);
  }
  if (state.version !== CHECKPOINT_VERSION) throw damaged(`version ${String(state.version)}, expected ${CHECKPOINT_VERSION}`);
  const differences = [...new Set([...Object.keys(run), ...Object.keys(state.run ?? {})])]
    .filter((k) => run[k] !== state.run?.[k])
    .map((k) => `--${k} ${JSON.stringify(state.run?.[k] ?? null)} there, ${JSON.stringify(run[k] ?? null)} now`);
  if (differences.length > 0) {
    throw new UsageError(`--checkpoint ${dir} holds a checkpoint of another run (${differences.join('; ')}): use another folder, or delete it to start over`);
  }
  const bin = await readFile(join(folder, 'optimizer.bin')).catch(() => {
    throw damaged(`${current}/optimizer.bin is missing`);
  });
  const expected = state.optimizer.layout.reduce((s, l) => s + l.length * 4, 0);
  if (bin.byteLength !== expected) throw damaged(`optimizer.bin has ${bin.byteLength} bytes, expected ${expected}`);
  const slots: Record<string, { m?: Float32Array; v?: Float32Array }> = {};
  let offset = 0;
  for (const l of state.optimizer.layout) {
    const values = new Float32Array(l.length);
    new Uint8Array(values.buffer).set(bin.subarray(offset, offset + l.length * 4));
    offset += l.length * 4;
    (slots[l.name] ??= {})[l.kind] = values;
  }
  const keyJson = await readFile(join(folder, 'key.json'), 'utf8').catch(() => undefined);
  const model = await readModelFile(join(folder, 'model', 'model.json'));
  return { state, model, optimizer: { optimizer: state.optimizer.optimizer, iterations: state.optimizer.iterations, slots }, ...(keyJson !== undefined ? { keyJson } : {}) };
}
