/**
 * `wmlab sweep` end to end, as users run it: real `wmlab` processes on synthetic data (cpu
 * backend, tiny models), in parallel, killed and resumed, sharded, emitted for Slurm/Kubernetes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const bin = join(root, 'bin', 'wmlab.mjs');

/** Runs `wmlab` as a process (the sweep spawns wmlab processes of its own). */
function wmlab(...argv: string[]) {
  const r = spawnSync(process.execPath, [bin, ...argv], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const spec = {
  name: 'cli-test',
  data: 'synthetic',
  train: { model: 'cnn', modelOptions: { width: 4, hidden: 16 }, epochs: 1, batch: 16, trainLimit: 64, testLimit: 32, method: 'watermas', bits: 32, backend: 'cpu' },
  grid: { replicas: [0, 1], seed: [1, 2] },
  attacks: [{ attack: 'noise', strengths: [0, 1], testLimit: 32 }],
  verify: true,
};

/** A key file without its creation time (the only field the clock, not the seeds, fixes). */
function stableKey(dir: string) {
  const { createdAt: _c, ...rest } = JSON.parse(readFileSync(join(dir, 'key.json'), 'utf8')) as Record<string, unknown>;
  return rest;
}

/** Training reports without what depends on the clock. */
function stableReport(dir: string) {
  const { seconds: _s, imagesPerSecond: _i, ...rest } = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Record<string, unknown>;
  return rest;
}

const cellsOf = (out: string) => readdirSync(join(out, 'cells')).sort();
const jsonlIds = (out: string) => readFileSync(join(out, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id);

describe('wmlab sweep', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wmlab-sweep-'));
  const specPath = join(dir, 'spec.json');
  writeFileSync(specPath, JSON.stringify(spec));
  const full = join(dir, 'full');

  beforeAll(() => {
    // builds dist-node/ once if the sources are newer: the sweep's children then share it
    expect(wmlab('help').code).toBe(0);
  }, 300_000);

  it('runs a 2x2 grid with --jobs 2: every cell trained, attacked, verified, recorded once', () => {
    const r = wmlab('sweep', specPath, '--out', full, '--jobs', '2');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ sweep: 'cli-test', cells: 4, ran: 4, skipped: 0, jobs: 2 });
    expect(r.err).toMatch(/\[4\/4\] .*: done in/);
    const ids = cellsOf(full);
    expect(ids).toHaveLength(4);
    expect(jsonlIds(full).sort()).toEqual(ids);
    for (const id of ids) {
      const cell = join(full, 'cells', id);
      for (const f of ['model/model.json', 'model/weights.bin', 'key.json', 'report.json', 'verify.json', 'result.json']) expect(existsSync(join(cell, f)), `${id}/${f}`).toBe(true);
      const result = JSON.parse(readFileSync(join(cell, 'result.json'), 'utf8'));
      expect(result.report).toMatchObject({ method: 'watermas', ber: 0, frozenUnchanged: true });
      expect(result.attacks[0].rows.map((row: { strength: number }) => row.strength)).toEqual([0, 1]);
      expect(result.attacks[0].rows[0].ber).toBe(0); // strength 0 changes nothing
      expect(result.verify).toMatchObject({ ber: 0, detected: true });
    }
    expect(readdirSync(join(full, 'partial'))).toEqual([]);

    // a re-run does nothing and rewrites nothing
    const before = ids.map((id) => statSync(join(full, 'cells', id, 'result.json')).mtimeMs);
    const again = wmlab('sweep', specPath, '--out', full, '--jobs', '2');
    expect(again.code, again.err).toBe(0);
    expect(JSON.parse(again.out)).toMatchObject({ ran: 0, skipped: 4 });
    expect(ids.map((id) => statSync(join(full, 'cells', id, 'result.json')).mtimeMs)).toEqual(before);
    expect(jsonlIds(full)).toHaveLength(4);

    // the report: one table row per cell, and the plots
    const rep = wmlab('sweep', 'report', full);
    expect(rep.code, rep.err).toBe(0);
    const csv = readFileSync(join(full, 'report', 'table.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(5);
    expect(csv[0]).toMatch(/^id,replicas,seed,method,model,testAccuracy,ber,pValue,detected,trainSeconds,noise@0 accuracy,noise@0 ber,noise@1 accuracy,noise@1 ber/);
    for (const f of ['accuracy-vs-replicas.svg', 'ber-vs-noise.svg']) expect(readFileSync(join(full, 'report', f), 'utf8')).toMatch(/^<\?xml[^]*<svg[^]*<polyline[^]*<\/svg>\n$/);
  }, 300_000);

  it('resumes a killed sweep without redoing finished cells', async () => {
    const out = join(dir, 'killed');
    const child = spawn(process.execPath, [bin, 'sweep', specPath, '--out', out, '--jobs', '1'], { cwd: root, detached: true, stdio: 'ignore' });
    // wait for the first finished cell, then kill the sweep and its wmlab children at once
    const t0 = Date.now();
    while (!(existsSync(join(out, 'results.jsonl')) && readFileSync(join(out, 'results.jsonl'), 'utf8').includes('\n'))) {
      if (Date.now() - t0 > 120_000) throw new Error('no cell finished in 120 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    process.kill(-child.pid!, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 1500));
    const finished = cellsOf(out);
    expect(finished.length).toBeGreaterThanOrEqual(1);
    expect(finished.length).toBeLessThan(4);
    const stamps = finished.map((id) => statSync(join(out, 'cells', id, 'result.json')).mtimeMs);

    const r = wmlab('sweep', specPath, '--out', out, '--jobs', '2');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ cells: 4, skipped: finished.length, ran: 4 - finished.length });
    for (const id of finished) expect(r.err).toContain(`skip ${id} (finished)`);
    expect(finished.map((id) => statSync(join(out, 'cells', id, 'result.json')).mtimeMs)).toEqual(stamps);
    expect(cellsOf(out)).toEqual(cellsOf(full));
    expect(jsonlIds(out).sort()).toEqual(cellsOf(full));
    for (const id of cellsOf(out)) expect(stableReport(join(out, 'cells', id)), id).toEqual(stableReport(join(full, 'cells', id)));
  }, 300_000);

  it('runs shards 0/2 and 1/2 as separate processes into one folder: the cells of the unsharded run, bit for bit', async () => {
    const out = join(dir, 'sharded');
    const run = (shard: string) =>
      new Promise<number | null>((resolve) => {
        const c = spawn(process.execPath, [bin, 'sweep', specPath, '--out', out, '--shard', shard, '--jobs', '1'], { cwd: root, stdio: 'ignore' });
        c.on('close', resolve);
      });
    expect(await Promise.all([run('0/2'), run('1/2')])).toEqual([0, 0]);
    expect(cellsOf(out)).toEqual(cellsOf(full));
    expect(jsonlIds(out).sort()).toEqual(cellsOf(full));
    for (const id of cellsOf(out)) {
      const [a, b] = [out, full].map((o) => join(o, 'cells', id));
      expect(stableReport(a), id).toEqual(stableReport(b));
      expect(readFileSync(join(a, 'model', 'weights.bin')).equals(readFileSync(join(b, 'model', 'weights.bin'))), `${id} weights`).toBe(true);
      expect(stableKey(a), `${id} key`).toEqual(stableKey(b));
      for (const f of readdirSync(a).filter((n) => n.startsWith('attack-') && n.endsWith('.json'))) {
        expect(readFileSync(join(a, f), 'utf8')).toBe(readFileSync(join(b, f), 'utf8'));
      }
    }
  }, 300_000);

  it('refuses a malformed spec with one line naming the field', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...spec, grid: { replicas: [0, 'two'] } }));
    const r = wmlab('sweep', bad, '--out', join(dir, 'never'));
    expect(r.code).toBe(2);
    expect(r.err.trim()).toMatch(/^wmlab sweep: .*bad\.json: grid\.replicas\[1\]: /);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(dir, 'never'))).toBe(false);
    writeFileSync(bad, '{ "name": ');
    expect(wmlab('sweep', bad).err).toMatch(/bad\.json: not valid JSON/);
  });

  it('emits a Slurm array script that bash parses and a Kubernetes Indexed Job that YAML parses', () => {
    const slurm = wmlab('sweep', '--emit', 'slurm', specPath, '--shards', '3', '--out', '/shared/sweeps/cli-test');
    expect(slurm.code, slurm.err).toBe(0);
    expect(slurm.out).toMatch(/^#!\/bin\/bash\n/);
    expect(slurm.out).toContain('#SBATCH --array=0-2');
    expect(slurm.out).toContain('--shard "$SHARD"');
    const script = join(dir, 'job.sh');
    writeFileSync(script, slurm.out);
    const check = spawnSync('bash', ['-n', script], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);

    const k8s = wmlab('sweep', '--emit', 'k8s', specPath, '--shards', '3', '--jobs-per-task', '2');
    expect(k8s.code, k8s.err).toBe(0);
    const docs = parseAllDocuments(k8s.out);
    expect(docs.map((d) => d.errors)).toEqual([[], []]);
    const [configMap, job] = docs.map((d) => d.toJS());
    expect(configMap).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'wmlab-cli-test-spec' } });
    expect(JSON.parse(configMap.data['spec.json'])).toEqual(spec);
    expect(job).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job', spec: { completionMode: 'Indexed', completions: 3, parallelism: 3 } });
    const container = job.spec.template.spec.containers[0];
    expect(container.args[0]).toContain('--shard "$JOB_COMPLETION_INDEX/3" --jobs 2');
    expect(container.resources.requests.cpu).toBe('2');
    expect(job.spec.template.spec.volumes.map((v: { name: string }) => v.name)).toEqual(['spec', 'results']);
  });
});
