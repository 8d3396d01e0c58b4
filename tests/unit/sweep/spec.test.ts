import { describe, expect, it } from 'vitest';
import {
  cellId,
  cellSteps,
  derivedKeySeed,
  expandCells,
  optionsToArgv,
  parseResultsJsonl,
  parseShard,
  parseSweepSpec,
  shardCells,
  stepApplies,
  summaryToMarkdown,
  sweepSummary,
  sweepTable,
  trainArgv,
  tableToCsv,
  type CellResult,
} from '../../../src/engine/sweep';

const base = {
  name: 'unit',
  data: 'synthetic',
  train: { model: 'cnn', modelOptions: { width: 4 }, epochs: 1, method: 'watermas' },
  grid: { replicas: [0, 2], seed: [1, 2] },
  attacks: [{ attack: 'noise', strengths: [0, 1] }],
};

describe('sweep spec', () => {
  it('expands a 2x2 grid into 4 cells with stable, unique, readable ids', () => {
    const cells = expandCells(parseSweepSpec(base));
    expect(cells.map((c) => c.varying)).toEqual([
      { replicas: 0, seed: 1 }, { replicas: 0, seed: 2 }, { replicas: 2, seed: 1 }, { replicas: 2, seed: 2 },
    ]);
    expect(new Set(cells.map((c) => c.id)).size).toBe(4);
    expect(cells[0].id).toMatch(/^replicas=0_seed=1-[0-9a-f]{10}$/);
    expect(cells[3].train).toEqual({ model: 'cnn', modelOptions: { width: 4 }, epochs: 1, method: 'watermas', replicas: 2, seed: 2 });
    // the id depends on the settings only, not on key order or on the other cells
    const again = expandCells(parseSweepSpec({ ...base, train: { method: 'watermas', epochs: 1, modelOptions: { width: 4 }, model: 'cnn' }, grid: { seed: [2], replicas: [2] } }));
    expect(again[0].train).toEqual(cells[3].train);
    expect(cellId(again[0].train)).toBe(cellId(cells[3].train));
    expect(again[0].id.split('-').pop()).toBe(cells[3].id.split('-').pop());
  });

  it('crosses a list of runs with the grid, runs overriding train and the grid overriding runs', () => {
    const spec = parseSweepSpec({ ...base, grid: { seed: [1, 2] }, runs: [{ replicas: 0 }, { replicas: 4, sigma: 0.5, replicaMode: 'relative' }] });
    const cells = expandCells(spec);
    expect(cells).toHaveLength(4);
    expect(cells[2].train).toMatchObject({ replicas: 4, sigma: 0.5, replicaMode: 'relative', seed: 1 });
    expect(cells[0].varying).toEqual({ replicas: 0, seed: 1 });
  });

  it('gives each shard every N-th cell: shards partition the cells', () => {
    const cells = expandCells(parseSweepSpec({ ...base, grid: { seed: [1, 2, 3, 4, 5] } }));
    const parts = [0, 1, 2].map((i) => shardCells(cells, parseShard(`${i}/3`)).map((c) => c.id));
    expect(parts.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(parts.flat().sort()).toEqual(cells.map((c) => c.id).sort());
    for (const bad of ['3/3', '1', '-1/2', 'a/b', '0/0']) expect(() => parseShard(bad)).toThrow(/--shard must be i\/N/);
  });

  it('refuses a malformed spec with the path of the bad field', () => {
    const cases: [unknown, RegExp][] = [
      [{ ...base, grid: { replicas: [0, 'two'] } }, /grid\.replicas\[1\]: /],
      [{ ...base, grid: { replica: [0, 2] } }, /grid\.replica: "replica" is not a wmlab train option/],
      [{ ...base, train: { ...base.train, epochz: 3 } }, /train: unknown field "epochz"/],
      [{ ...base, train: { ...base.train, model: 'alexnet' } }, /train\.model: /],
      [{ ...base, attacks: [{ attack: 'melt' }] }, /attacks\[0\]\.attack: /],
      [{ ...base, name: 'has space' }, /name: letters, digits/],
      [{ ...base, data: undefined }, /data: /],
      [{ ...base, grid: { seed: [] } }, /grid\.seed: needs at least one value/],
      [{ ...base, extra: 1 }, /\(top level\): unknown field "extra"/],
      [[], /\(top level\): /],
    ];
    for (const [doc, message] of cases) expect(() => parseSweepSpec(doc, 'spec.json'), JSON.stringify(doc)).toThrow(message);
  });

  it('derives a key seed per cell that a marked cell shares with its R = 0 twin (and respects a given one)', () => {
    const [r0s1, r0s2, r2s1] = expandCells(parseSweepSpec({ ...base, grid: { replicas: [0, 2], seed: [1, 2] }, runs: [{ sigma: 0.01 }] }));
    const seedOf = (argv: string[]) => argv[argv.indexOf('--key-seed') + 1];
    expect(seedOf(trainArgv(r0s1.train))).toMatch(/^[0-9a-f]{64}$/);
    expect(seedOf(trainArgv(r0s1.train))).toBe(seedOf(trainArgv(r2s1.train)));
    expect(derivedKeySeed(r0s1.train)).not.toBe(derivedKeySeed(r0s2.train));
    expect(trainArgv({ ...r0s1.train, passphrase: 'pw' })).not.toContain('--key-seed');
    expect(seedOf(trainArgv({ ...r0s1.train, keySeed: 'ab'.repeat(32) }))).toBe('ab'.repeat(32));
    expect(trainArgv({ ...r0s1.train, method: 'none' })).not.toContain('--key-seed');
  });

  it('turns camelCase options into wmlab flags', () => {
    expect(optionsToArgv({ trainLimit: 64, augment: true, antithetic: false, modelOptions: { width: 4, batchNorm: false }, margin: 'inf', strengths: [0, 0.5] }))
      .toEqual(['--train-limit', '64', '--augment', '--antithetic', 'off', '--model-options', 'width=4,batchNorm=false', '--margin', 'inf', '--strengths', '0,0.5']);
    expect(optionsToArgv({ augment: false, seed: 0 })).toEqual(['--seed', '0']);
  });

  it('names each post-training step by its settings and skips what a method cannot do', () => {
    const steps = cellSteps(parseSweepSpec({ ...base, landscapes: [{ controls: 2 }], verify: true }));
    expect(steps.map((s) => s.kind)).toEqual(['attack', 'landscape', 'verify']);
    expect(steps[0].file).toMatch(/^attack-noise-[0-9a-f]{8}\.json$/);
    expect(stepApplies(steps[1], 'watermas')).toBe(true);
    expect(stepApplies(steps[1], 'uchida')).toBe(false);
    expect(stepApplies(steps[0], 'none')).toBe(false);
  });
});

function cell(id: string, index: number, replicas: number, keyRise: number): CellResult {
  return {
    sweep: 'unit', id, index, varying: { replicas, seed: 1 },
    train: { model: 'cnn', method: 'watermas', replicas, seed: 1 },
    report: { model: 'cnn', method: 'watermas', replicas, seed: 1, testAccuracy: 0.5, ber: 0, pValue: 1e-9, detected: true, seconds: 2 },
    attacks: [{ file: 'a.json', options: { attack: 'noise' }, rows: [{ attack: 'noise', strength: 1, accuracy: 0.25, ber: 0.125 }] }],
    landscapes: [{ file: 'l.json', options: {}, sharpness: { keyVsControl: { keyRise, controlRise: 0.01, ratio: keyRise / 0.01, flip: { keyAccuracyDrop: 0.02 } } } }],
    notApplicable: [], seconds: 3, finishedAt: '2026-12-03T00:00:00Z',
  };
}

describe('sweep results table', () => {
  it('flattens cells into one row each, pairs a marked cell with its R = 0 twin, and writes CSV', () => {
    const text = [cell('r0', 0, 0, 0.02), cell('r4', 1, 4, 0.05), cell('r4', 1, 4, 0.06)].map((c) => JSON.stringify(c)).join('\n') + '\n\n';
    const cells = parseResultsJsonl(text);
    expect(cells.map((c) => c.id)).toEqual(['r0', 'r4']); // the last line of a cell appended twice wins
    const t = sweepTable(cells);
    expect(t.columns.slice(0, 3)).toEqual(['id', 'replicas', 'seed']);
    expect(t.rows[1]).toMatchObject({ id: 'r4', 'noise@1 accuracy': 0.25, 'noise@1 ber': 0.125, keyRise: 0.06, twin: 'r0' });
    expect(t.rows[1].pairedGain).toBeCloseTo(3, 12);
    expect(t.rows[0].pairedGain).toBeNull();
    const csv = tableToCsv(t).split('\n');
    expect(csv[0].split(',')).toEqual([...t.columns]);
    expect(csv).toHaveLength(4);
  });

  it('summarises over seeds: one row per setting with mean ± sd, as a Markdown table', () => {
    const seeded = (id: string, index: number, replicas: number, seed: number, keyRise: number): CellResult => {
      const c = cell(id, index, replicas, keyRise);
      return { ...c, varying: { replicas, seed }, train: { ...c.train, seed }, report: { ...c.report, seed, testAccuracy: 0.5 + seed / 100 } };
    };
    const t = sweepTable([seeded('a1', 0, 0, 1, 0.02), seeded('a2', 1, 0, 2, 0.04), seeded('b1', 2, 4, 1, 0.06), seeded('b2', 3, 4, 2, 0.06)]);
    expect(t.settings).toEqual(['replicas', 'seed']);
    const s = sweepSummary(t);
    expect(s.map((r) => [r.setting, r.seeds])).toEqual([[{ replicas: 0 }, [1, 2]], [{ replicas: 4 }, [1, 2]]]);
    expect(s[0].metrics.keyRise.mean).toBeCloseTo(0.03, 12);
    expect(s[0].metrics.keyRise.sd).toBeCloseTo(Math.SQRT2 * 0.01, 12);
    expect(s[1].metrics.testAccuracy).toMatchObject({ n: 2 });
    expect(s[1].metrics.testAccuracy.mean).toBeCloseTo(0.515, 12);
    // each marked cell against its own seed's twin: 0.06 / 0.02 and 0.06 / 0.04
    expect(s[1].metrics.pairedGain.mean).toBeCloseTo((3 + 1.5) / 2, 12);
    expect(s[0].metrics.pairedGain).toBeUndefined();
    const md = summaryToMarkdown(s).split('\n');
    expect(md[0]).toBe('| replicas | seeds | testAccuracy | keyRise | controlRise | keyVsControl | flipAccuracyDrop | pairedGain | trainSeconds |');
    expect(md[2]).toMatch(/^\| 0 \| 1, 2 \| 0\.515 ± 0\.00707 \| 0\.03 ± 0\.0141 \|/);
    expect(md[2]).toContain('| – |'); // the twins have no paired gain
    const partial = summaryToMarkdown([{ setting: { replicas: 4 }, seeds: [1, 2, 3], metrics: { pairedGain: { mean: 2, sd: 1, n: 2 } } }]);
    expect(partial).toContain('| 2 ± 1 (2 of 3) |');
  });

  it('says which line of a results.jsonl is bad', () => {
    expect(() => parseResultsJsonl('{"id": 1}\n')).toThrow(/results\.jsonl line 1: not a sweep cell result/);
    expect(() => parseResultsJsonl(`${JSON.stringify(cell('a', 0, 0, 1))}\n{oops\n`)).toThrow(/line 2: not JSON/);
    expect(() => parseResultsJsonl('\n')).toThrow(/no cell results/);
  });
});
