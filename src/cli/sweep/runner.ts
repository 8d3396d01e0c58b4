/**
 * Runs a sweep's cells on this machine: `jobs` cells at a time, each a sequence of `wmlab`
 * processes (train, then the spec's attacks, landscapes and verification), resumable and
 * idempotent:
 *
 * - A cell works in `OUT/partial/<id>/`; every step's output is complete before it is kept
 *   (`wmlab train` writes report.json last; other steps' JSON is written to a temporary name and
 *   renamed), so a killed cell resumes at its first unfinished step.
 * - When all its steps are done the cell writes result.json, its folder is renamed to
 *   `OUT/cells/<id>/` in one step and its record is appended to `OUT/results.jsonl`.
 * - A cell whose `cells/<id>/result.json` exists is finished: it is skipped (and appended to
 *   results.jsonl if a crash came between the rename and the append). Nothing finished is
 *   ever rewritten; a failed cell leaves its partial folder and an error.txt for inspection.
 *
 * Children get WMLAB_NO_REBUILD (one bundle for the whole sweep, even if sources change) and
 * WMLAB_PARENT_PID (a child exits when its sweep is killed, even by SIGKILL).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  cellSteps,
  optionsToArgv,
  trainArgv,
  parseCellResult,
  stepApplies,
  type CellResult,
  type CellStep,
  type SweepCell,
  type SweepSpec,
} from '../../engine/sweep';

export interface RunSweepOptions {
  readonly spec: SweepSpec;
  readonly cells: readonly SweepCell[];
  readonly out: string;
  readonly jobs: number;
  /** CIFAR-10 folder or "synthetic" (the spec's, or --data). */
  readonly data: string;
  /** The command that runs `wmlab`, e.g. [node, <root>/bin/wmlab.mjs]. */
  readonly wmlab: readonly string[];
  readonly log: (line: string) => void;
  /** Aborting kills the running children and stops scheduling (finished cells stay). */
  readonly signal?: AbortSignal;
}

export interface SweepRunSummary {
  readonly cells: number;
  readonly ran: number;
  readonly skipped: number;
  readonly failed: readonly { readonly id: string; readonly error: string }[];
  readonly seconds: number;
  readonly cancelled: boolean;
}

/** Writes a file under a temporary name and renames it: readers never see half a file. */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** The finished record of a cell, or null when the cell has not finished (or its record is unreadable). */
export function readFinished(out: string, id: string): CellResult | null {
  const path = join(out, 'cells', id, 'result.json');
  if (!existsSync(path)) return null;
  try {
    return parseCellResult(JSON.parse(readFileSync(path, 'utf8')), path);
  } catch {
    return null;
  }
}

/** Ids already in results.jsonl (unreadable lines ignored: the cells' result.json files are the truth). */
function appendedIds(out: string): Set<string> {
  const path = join(out, 'results.jsonl');
  const ids = new Set<string>();
  if (!existsSync(path)) return ids;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    try {
      const id = (JSON.parse(line) as { id?: unknown }).id;
      if (typeof id === 'string') ids.add(id);
    } catch {
      /* a torn or blank line */
    }
  }
  return ids;
}

/** One line, one write: concurrent shards on a local file system append whole lines. */
function appendResult(out: string, result: CellResult): void {
  appendFileSync(join(out, 'results.jsonl'), `${JSON.stringify(result)}\n`);
}

const fmtSeconds = (s: number) => (s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${s.toFixed(1)}s`);

/** Runs the cells (already sharded); returns what ran, what was skipped and what failed. */
export async function runSweepCells(o: RunSweepOptions): Promise<SweepRunSummary> {
  const t0 = performance.now();
  mkdirSync(join(o.out, 'cells'), { recursive: true });
  mkdirSync(join(o.out, 'partial'), { recursive: true });
  const inJsonl = appendedIds(o.out);
  const todo: SweepCell[] = [];
  let skipped = 0;
  for (const cell of o.cells) {
    const done = readFinished(o.out, cell.id);
    if (!done) {
      todo.push(cell);
      continue;
    }
    skipped++;
    if (!inJsonl.has(cell.id)) appendResult(o.out, done);
    o.log(`skip ${cell.id} (finished)`);
  }
  o.log(`sweep ${o.spec.name}: ${o.cells.length} cells, ${skipped} finished, ${todo.length} to run with ${o.jobs} job${o.jobs > 1 ? 's' : ''}`);

  const steps = cellSteps(o.spec);
  const failed: { id: string; error: string }[] = [];
  const durations: number[] = [];
  let started = 0;
  let next = 0;
  const children = new Set<ChildProcess>();
  const timeByCost = new CellTimes();
  const running = new Set<SweepCell>();
  /** Cells not finished: still queued, or running (counted whole: a rough, conservative ETA). */
  const pendingCells = () => [...running, ...todo.slice(next)];
  const onAbort = () => {
    for (const c of children) c.kill('SIGTERM');
  };
  o.signal?.addEventListener('abort', onAbort);

  const worker = async () => {
    while (next < todo.length && !o.signal?.aborted) {
      const cell = todo[next++];
      const n = ++started;
      const c0 = performance.now();
      o.log(`[${n}/${todo.length}] ${cell.id}: start`);
      running.add(cell);
      try {
        const result = await runCell(cell, steps, o, children);
        running.delete(cell);
        const s = (performance.now() - c0) / 1000;
        durations.push(s);
        timeByCost.add(costClass(cell), s);
        const pending = pendingCells();
        const eta = pending.length > 0 ? ` · ETA ${fmtSeconds(timeByCost.estimate(pending) / Math.min(o.jobs, pending.length))}` : '';
        o.log(`[${n}/${todo.length}] ${cell.id}: done in ${fmtSeconds(s)}${describe(result)}${eta}`);
      } catch (e) {
        running.delete(cell);
        if (o.signal?.aborted) return;
        const error = (e as Error).message;
        failed.push({ id: cell.id, error });
        o.log(`[${n}/${todo.length}] ${cell.id}: FAILED: ${error}`);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(o.jobs, todo.length)) }, worker));
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
  return { cells: o.cells.length, ran: durations.length, skipped, failed, seconds: (performance.now() - t0) / 1000, cancelled: Boolean(o.signal?.aborted) };
}

/**
 * What mostly sets a cell's time: its model and its replica count (a WaterMAS step costs one
 * forward+backward per replica on top of the clean one). Cells of one class take about as long.
 */
function costClass(cell: SweepCell): string {
  return `${String(cell.train.model ?? 'cnn')}/R${String(cell.train.replicas ?? 0)}`;
}

/** Finished cells' times by cost class, for the ETA: a class not seen yet counts at the overall mean. */
class CellTimes {
  private readonly byClass = new Map<string, number[]>();
  private readonly all: number[] = [];

  add(cls: string, seconds: number): void {
    this.all.push(seconds);
    const list = this.byClass.get(cls) ?? [];
    list.push(seconds);
    this.byClass.set(cls, list);
  }

  /** Sum of the expected times of `cells`. */
  estimate(cells: readonly SweepCell[]): number {
    const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const overall = this.all.length > 0 ? mean(this.all) : 0;
    return cells.reduce((sum, c) => {
      const seen = this.byClass.get(costClass(c));
      return sum + (seen ? mean(seen) : overall);
    }, 0);
  }
}

function describe(r: CellResult): string {
  const acc = r.report.testAccuracy;
  const ber = r.report.ber;
  return `${typeof acc === 'number' ? ` · accuracy ${(100 * acc).toFixed(1)}%` : ''}${typeof ber === 'number' ? ` · BER ${ber.toFixed(3)}` : ''}`;
}

/** Runs (or resumes) one cell in its partial folder and moves it into cells/<id>/ when complete. */
async function runCell(cell: SweepCell, steps: readonly CellStep[], o: RunSweepOptions, children: Set<ChildProcess>): Promise<CellResult> {
  const dir = join(o.out, 'partial', cell.id);
  mkdirSync(dir, { recursive: true });
  rmSync(join(dir, 'error.txt'), { force: true });
  writeFileAtomic(join(dir, 'cell.json'), `${JSON.stringify({ sweep: o.spec.name, id: cell.id, index: cell.index, varying: cell.varying, train: cell.train }, null, 2)}\n`);
  const t0 = performance.now();
  try {
    // 1. train (report.json is written last by `wmlab train`: present means model and key are complete)
    if (!existsSync(join(dir, 'report.json'))) {
      await runWmlab(o, children, ['train', ...trainArgv(cell.train), '--data', o.data, '--out', dir], join(dir, 'train.log'));
    }
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Record<string, unknown>;
    const method = String(report.method ?? 'none');
    const model = join(dir, 'model', 'model.json');
    const key = join(dir, 'key.json');
    // 2. the steps, each kept in its own file
    const notApplicable: string[] = [];
    const outputs = new Map<CellStep, Record<string, unknown>>();
    for (const step of steps) {
      if (!stepApplies(step, method)) {
        notApplicable.push(step.file);
        continue;
      }
      const path = join(dir, step.file);
      if (!existsSync(path)) {
        const argv = step.kind === 'verify'
          ? ['verify', '--model', model, '--key', key, ...optionsToArgv(step.options)]
          : [step.kind, '--model', model, '--key', key, '--data', o.data, ...optionsToArgv(step.options)];
        const stdout = await runWmlab(o, children, argv, join(dir, `${step.file.replace(/\.json$/, '')}.log`));
        JSON.parse(stdout); // the command's result must be JSON before it is kept
        writeFileAtomic(path, stdout);
      }
      outputs.set(step, JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>);
    }
    const result: CellResult = {
      sweep: o.spec.name,
      id: cell.id,
      index: cell.index,
      varying: cell.varying,
      train: cell.train,
      report,
      attacks: steps.flatMap((s) => (s.kind === 'attack' && outputs.has(s) ? [{ file: s.file, options: s.options, rows: outputs.get(s)!.rows as Record<string, unknown>[] }] : [])),
      landscapes: steps.flatMap((s) => (s.kind === 'landscape' && outputs.has(s) ? [{ file: s.file, options: s.options, sharpness: (outputs.get(s)!.sharpness ?? {}) as Record<string, unknown> }] : [])),
      ...(steps.some((s) => s.kind === 'verify' && outputs.has(s)) ? { verify: outputs.get(steps.find((s) => s.kind === 'verify')!)! } : {}),
      notApplicable,
      seconds: (performance.now() - t0) / 1000,
      finishedAt: new Date().toISOString(),
    };
    writeFileAtomic(join(dir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
    // 3. publish: one rename; a cell finished meanwhile by another process is kept as it is
    const final = join(o.out, 'cells', cell.id);
    if (existsSync(join(final, 'result.json'))) {
      o.log(`${cell.id}: finished elsewhere meanwhile; keeping that result`);
      rmSync(dir, { recursive: true, force: true });
      return readFinished(o.out, cell.id) ?? result;
    }
    rmSync(final, { recursive: true, force: true }); // a folder without result.json is no finished cell
    renameSync(dir, final);
    appendResult(o.out, result);
    return result;
  } catch (e) {
    if (existsSync(dir)) writeFileSync(join(dir, 'error.txt'), `${new Date().toISOString()} on ${hostname()}: ${(e as Error).message}\n`);
    throw e;
  }
}

/** Runs one wmlab command; resolves with its stdout, rejects with its last stderr line. Stderr goes to `logPath`. */
function runWmlab(o: RunSweepOptions, children: Set<ChildProcess>, argv: readonly string[], logPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    if (o.signal?.aborted) return reject(new Error('cancelled'));
    const log = createWriteStream(logPath, { flags: 'a' });
    log.write(`$ wmlab ${argv.join(' ')}\n`);
    const child = spawn(o.wmlab[0], [...o.wmlab.slice(1), ...argv], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WMLAB_NO_REBUILD: '1', WMLAB_PARENT_PID: String(process.pid) },
    });
    children.add(child);
    const out: Buffer[] = [];
    let lastErr = '';
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => {
      log.write(b);
      const lines = b.toString('utf8').split('\n').filter((l) => l.trim());
      if (lines.length) lastErr = lines[lines.length - 1];
    });
    child.on('error', (e) => {
      children.delete(child);
      log.end();
      reject(new Error(`could not start wmlab: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      children.delete(child);
      log.end();
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new Error(`wmlab ${argv[0]} ${signal ? `killed by ${signal}` : `exited ${code}`}: ${lastErr || '(no message)'}`));
    });
  });
}
