import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { expandCells, trainArgv, parseShard, parseSweepSpec, shardCells, SweepSpecError, type SweepSpec } from '../../engine/sweep';
import { num, oneOf, RawText, UsageError } from '../args';
import { emitK8s, emitSlurm } from '../sweep/emit';
import { writeSweepReport } from '../sweep/report';
import { runSweepCells } from '../sweep/runner';

export const SWEEP_USAGE = `wmlab sweep SPEC.json|.yaml [--out OUT (default runs/<name>)] [--jobs N (default: cores)] [--shard i/N] [--data DIR|synthetic] [--dry-run]
wmlab sweep --emit slurm|k8s SPEC [--shards N] [--jobs-per-task N] [--out OUT] [--data DIR] [--image IMAGE] [--hours H] [--memory GiB]
            [--results-claim PVC] [--data-claim PVC]   (prints a Slurm array script / Kubernetes Indexed Job)
wmlab sweep report OUT   (table.csv, table.json and SVG plots in OUT/report/)
  (spec format, resuming, shards and clusters: docs/sweeps.md)`;

/** The spec file, JSON or YAML, validated; errors name the file and the field. */
export function readSpecFile(path: string): { spec: SweepSpec; text: string } {
  if (!existsSync(path)) throw new UsageError(`${path}: no such spec file`);
  const text = readFileSync(path, 'utf8');
  let doc: unknown;
  try {
    doc = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path}: not valid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'} (${(e as Error).message.split('\n')[0]})`);
  }
  try {
    return { spec: parseSweepSpec(doc, path), text };
  } catch (e) {
    if (e instanceof SweepSpecError) throw new UsageError(e.message);
    throw e;
  }
}

/** The command that runs this lab's `wmlab`: the repository's bin/wmlab.mjs under this Node. */
function wmlabCommand(): string[] {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'bin', 'wmlab.mjs'))) return [process.execPath, join(dir, 'bin', 'wmlab.mjs')];
    dir = dirname(dir);
  }
  throw new Error('cannot find bin/wmlab.mjs above the running bundle');
}

/** `wmlab sweep`: runs a spec's cells (resumable, in parallel, sharded), emits cluster jobs, or reports. */
export async function sweepCommand(argv: string[], log: (line: string) => void): Promise<Record<string, unknown> | RawText> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: {
        out: { type: 'string' }, jobs: { type: 'string' }, shard: { type: 'string' }, data: { type: 'string' }, 'dry-run': { type: 'boolean' },
        emit: { type: 'string' }, shards: { type: 'string' }, 'jobs-per-task': { type: 'string' }, image: { type: 'string' }, hours: { type: 'string' },
        memory: { type: 'string' }, 'results-claim': { type: 'string' }, 'data-claim': { type: 'string' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
  const { values: o, positionals } = parsed;
  if (positionals[0] === 'report') {
    if (positionals.length !== 2) throw new UsageError('usage: wmlab sweep report OUT');
    const out = positionals[1];
    const r = writeSweepReport(out);
    for (const f of r.files) log(`wrote ${join(out, f)}`);
    return { out, ...r };
  }
  if (positionals.length !== 1) throw new UsageError(`give one spec file (got ${positionals.length ? positionals.join(' ') : 'none'}); usage: wmlab sweep SPEC.json --out OUT`);
  const specPath = positionals[0];
  const { spec, text } = readSpecFile(specPath);
  const cells = expandCells(spec);
  const data = o.data ?? spec.data;
  const out = o.out ?? join('runs', spec.name);

  if (o.emit !== undefined) {
    const target = oneOf(o.emit, 'emit', ['slurm', 'k8s'] as const, 'slurm');
    const shards = num(o.shards, 'shards', { int: true, min: 1, max: 100_000, default: Math.min(cells.length, 16) });
    const emitOptions = {
      spec, specText: text, specPath: resolve(specPath), shards,
      jobsPerTask: num(o['jobs-per-task'], 'jobs-per-task', { int: true, min: 1, max: 256, default: 1 }),
      out: o.out ?? resolve(out), data,
      image: o.image ?? 'watermas-lab:latest',
      hours: num(o.hours, 'hours', { min: 0.1, max: 720, default: 24 }),
      memoryGiB: num(o.memory, 'memory', { int: true, min: 1, max: 4096, default: 8 }),
      resultsClaim: o['results-claim'] ?? 'wmlab-results',
      dataClaim: o['data-claim'] ?? 'cifar10',
    };
    log(`${spec.name}: ${cells.length} cells in ${shards} ${target === 'slurm' ? 'array tasks' : 'pods'}`);
    return new RawText(target === 'slurm' ? emitSlurm(emitOptions) : emitK8s(emitOptions));
  }

  const jobs = num(o.jobs, 'jobs', { int: true, min: 1, max: 256, default: availableParallelism() });
  const shard = o.shard === undefined ? undefined : (() => {
    try {
      return parseShard(o.shard);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  })();
  const mine = shard ? shardCells(cells, shard) : cells;
  if (o['dry-run']) {
    return {
      sweep: spec.name, cells: cells.length, ...(shard ? { shard: `${shard.index}/${shard.count}` } : {}),
      run: mine.map((c) => ({ id: c.id, argv: ['train', ...trainArgv(c.train), '--data', data, '--out', join(out, 'cells', c.id)] })),
    };
  }
  if (data !== 'synthetic' && !existsSync(data)) throw new UsageError(`data ${data}: no such folder (the spec's "data" or --data: a CIFAR-10 binary folder or "synthetic")`);

  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const summary = await runSweepCells({ spec, cells: mine, out, jobs, data, wmlab: wmlabCommand(), log, signal: controller.signal });
    if (summary.cancelled) throw new Error(`stopped: ${summary.ran} cells finished in this run, ${summary.skipped} before; run the same command to resume`);
    if (summary.failed.length) {
      throw new Error(`${summary.failed.length} of ${mine.length} cells failed (${summary.failed.map((f) => `${f.id}: ${f.error}`).join('; ')}); their logs are in ${join(out, 'partial')}`);
    }
    return { sweep: spec.name, out, ...(shard ? { shard: `${shard.index}/${shard.count}` } : {}), cells: summary.cells, ran: summary.ran, skipped: summary.skipped, seconds: summary.seconds, jobs };
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
