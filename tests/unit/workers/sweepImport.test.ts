import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { parseResultsJsonl, sweepTable, tableToCsv } from '../../../src/engine/sweep';
import { EngineService } from '../../../src/workers/engineService';
import { MAX_SWEEP_RESULTS_CHARS } from '../../../src/protocol/runs';
import { RunsService, type RunsHost } from '../../../src/workers/runs/runsService';
import { JobBoard } from '../../../src/workers/jobs';

/** One results.jsonl line as `wmlab sweep` appends it (src/cli/sweep/runner.ts): a 1 x 2 grid over R. */
function cell(index: number, replicas: number, o: { accuracy: number; ber: number; pValue: number; keyRise: number; noise: [number, number] }) {
  const train = { model: 'cnn', modelOptions: { width: 4 }, epochs: 1, batch: 16, trainLimit: 64, testLimit: 32, method: 'watermas', bits: 32, replicas, seed: 0 };
  return {
    sweep: 'tiny R study',
    id: `replicas=${replicas}-${index === 0 ? '0a1b2c3d4e5f' : '9f8e7d6c5b4a'}`,
    index,
    varying: { replicas },
    train,
    report: {
      model: 'cnn', parameters: 2314, backend: 'cpu', dataset: 'synthetic', method: 'watermas', epochs: 1, steps: 4, batchSize: 16,
      optimizer: 'sgd', lr: 0.01, seed: 0, trainImages: 64, testImages: 32, testAccuracy: o.accuracy, testLoss: 2.1, trainLoss: 2.2,
      imagesPerSecond: 410.5, seconds: 1.734, status: 'completed', replicas, sigma: 0.01, lambda: 1, replicaMode: 'gaussian', rho: 0,
      margin: 0, antithetic: false, replicaBn: 'clean', allocation: 'proportional', bits: 32, ber: o.ber, pValue: o.pValue,
      detected: o.pValue < 1e-6, frozenUnchanged: true,
    },
    attacks: [{
      file: 'attack-noise-1a2b3c4d.json',
      options: { attack: 'noise', strengths: [0, 1] },
      rows: [
        { attack: 'noise', strength: 0, accuracy: o.accuracy, ber: o.ber, pValue: o.pValue, log10PValue: Math.log10(o.pValue), detected: o.pValue < 1e-6 },
        { attack: 'noise', strength: 1, accuracy: o.noise[0], ber: o.noise[1], pValue: 0.3, log10PValue: -0.52, detected: false },
      ],
    }],
    landscapes: [{
      file: 'landscape-5e6f7a8b.json',
      options: { grid: 5, controls: 2 },
      sharpness: { key: 0.01, complement: 0.002, ratio: 5, keyVsControl: { radius: 0.1, keyRise: o.keyRise, keyRiseSpread: 0, controlRise: 0.01, controlRiseSpread: 0.001, ratio: o.keyRise / 0.01, controls: 2 } },
    }],
    verify: { ber: o.ber, pValue: o.pValue, detected: o.pValue < 1e-6 },
    notApplicable: [],
    seconds: 3.2,
    finishedAt: '2026-01-02T03:04:05.000Z',
  };
}

const twin = cell(0, 0, { accuracy: 0.40625, ber: 0, pValue: 2.3283064365386963e-10, keyRise: 0.02, noise: [0.375, 0.28125] });
const marked = cell(1, 2, { accuracy: 0.4375, ber: 0, pValue: 2.3283064365386963e-10, keyRise: 0.08, noise: [0.40625, 0.125] });
/** As the runner writes it: one JSON line per cell, the second cell appended twice (a re-run after a crash), a trailing newline. */
const RESULTS = [twin, { ...marked, seconds: 99 }, marked].map((c) => JSON.stringify(c)).join('\n') + '\n';

describe('worker: import of a sweep results.jsonl (Runs comparison)', () => {
  it('returns the same table and CSV as `wmlab sweep report`, as plain cloneable data', async () => {
    const engine = new EngineService('http://localhost');
    const r = await engine.importSweepResults(RESULTS, 'results.jsonl');
    const expected = sweepTable(parseResultsJsonl(RESULTS));
    expect(r.table).toEqual(expected);
    expect(r.csv).toBe(tableToCsv(expected));
    expect(r.cells).toBe(2);
    expect(r.sweeps).toEqual(['tiny R study']);
    expect(r.source).toBe('results.jsonl');
    expect(structuredClone(r)).toEqual(r);
    expect(r.table.columns.slice(0, 4)).toEqual(['id', 'replicas', 'method', 'model']);
    for (const c of ['testAccuracy', 'ber', 'pValue', 'noise@1 accuracy', 'noise@1 ber', 'keyRise', 'keyVsControl', 'twin', 'pairedGain', 'verifyBer']) {
      expect(r.table.columns).toContain(c);
    }
    const [a, b] = r.table.rows;
    expect(a.id).toBe(twin.id);
    expect(a.replicas).toBe(0);
    expect(b.testAccuracy).toBe(0.4375);
    expect(b['noise@1 ber']).toBe(0.125);
    expect(b.twin).toBe(twin.id);
    expect(b.pairedGain).toBeCloseTo(4, 12);
    expect(r.csv.split('\n')[0]).toBe(r.table.columns.join(','));
    expect(r.csv.split('\n')).toHaveLength(4); // header, two cells, final newline
  });

  it('rejects a bad file with a one-line reason naming the file and the line', async () => {
    const engine = new EngineService('http://localhost');
    const lines = RESULTS.trimEnd().split('\n');
    await expect(engine.importSweepResults(`${lines[0]}\n{"sweep": "x", trunc`, 'mine.jsonl')).rejects.toThrow(/^mine\.jsonl line 2: not JSON$/);
    await expect(engine.importSweepResults(JSON.stringify(twin.report), 'report.json')).rejects.toThrow(/^report\.json line 1: not a sweep cell result \(sweep: /);
    await expect(engine.importSweepResults(JSON.stringify({ ...twin, attacks: 'none' }), 'r.jsonl')).rejects.toThrow(/line 1: not a sweep cell result \(attacks: /);
    await expect(engine.importSweepResults('', 'results.jsonl')).rejects.toThrow(/results\.jsonl: no cell results/);
    await expect(engine.importSweepResults('\n  \n', 'results.jsonl')).rejects.toThrow(/no cell results/);
    await expect(engine.importSweepResults('PK\u0003\u0004\u0000binary', 'run.wmrun.zip')).rejects.toThrow(/run\.wmrun\.zip line 1: not JSON/);
    await expect(engine.importSweepResults(null as unknown as string)).rejects.toThrow(/results\.jsonl: expected the file's text/);
    await expect(engine.importSweepResults(' '.repeat(MAX_SWEEP_RESULTS_CHARS + 1), 'huge.jsonl')).rejects.toThrow(/^huge\.jsonl: larger than the 64 MiB a sweep's results\.jsonl may have here/);
    // The worker is fine afterwards.
    expect((await engine.importSweepResults(RESULTS)).cells).toBe(2);
  });

  it('needs neither the tensor queue nor an idle engine (training or a comparison may be going)', async () => {
    const jobs = new JobBoard();
    jobs.begin('training', 'train');
    const host: RunsHost = {
      currentModel: () => null,
      setCurrentModel: () => undefined,
      currentData: () => null,
      backendName: () => 'cpu',
      jobs,
      exclusive: () => new Promise(() => undefined), // a queue that never frees up
    };
    const runs = new RunsService(host, null);
    const r = await runs.importSweepResults(RESULTS, 'results.jsonl');
    expect(r.table.rows).toHaveLength(2);
  });
});
