#!/usr/bin/env node
// False-positive rates of the verdict on unmarked trained models, from `wmlab` commands only.
//
//   CIFAR10_DIR=… node scripts/false-positives.mjs run    [--work DIR] [--models N]   trains and verifies (resumable)
//   node scripts/false-positives.mjs report [--work DIR] [--jsonl FILE]             the table (Markdown); FILE: one line per verdict
//
// N unmarked models (default 24: cnn width 16, 2 epochs on 4,000 CIFAR-10 images, seeds 1..N)
// are each verified against keys they never carried: WaterMAS keys with random bits, a short
// text and 250 × '@' (2,000 bits, 12.5 % ones), Uchida keys with random bits and 250 × '@', and
// an FCW key (judged against 1 / classes, and against decoys of its recipe). The keys are made by `wmlab train --epochs 0` on a model of the same architecture
// (seed 1000), so they fit the null models. Each verdict records the p-value of the lab's test
// and, for WaterMAS, the plain binomial(n, 1/2) p-value beside it (report.calibration).
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { flag, root, runWmlab } from './lib/wmlab.mjs';

const args = process.argv.slice(2);
const command = args[0];
const work = resolve(flag(args, 'work', join(root, 'runs', 'false-positives')));
const count = Number(flag(args, 'models', '24'));
const data = resolve(process.env.CIFAR10_DIR ?? join(root, 'public', 'datasets', 'cifar10'));
const THRESHOLD = 1e-6;

const MODEL = ['--model', 'cnn', '--model-options', 'width=16,hidden=128', '--backend', 'wasm'];
const NULL_TRAINING = ['--epochs', '2', '--batch', '64', '--train-limit', '4000', '--test-limit', '500', '--augment'];
const AT = '@'.repeat(250);
export const KEYS = {
  'watermas-random-256': ['--method', 'watermas', '--bits', '256'],
  'watermas-text': ['--method', 'watermas', '--message', '© My Lab 2026'],
  'watermas-at-250': ['--method', 'watermas', '--message', AT],
  'uchida-random-64': ['--method', 'uchida', '--bits', '64'],
  'uchida-text': ['--method', 'uchida', '--message', '© My Lab 2026'],
  'uchida-at-250': ['--method', 'uchida', '--message', AT],
  fcw: ['--method', 'fcw'],
};

/** Each key verified as it is; the FCW key also against 300 decoys of its recipe (engine/fcw/decoys.ts). */
const VERIFICATIONS = [
  ...Object.keys(KEYS).map((name) => ({ name, key: name, extra: [] })),
  { name: 'fcw-decoys', key: 'fcw', extra: ['--decoys', '300', '--data', data] },
];

async function step(dir, argv, result) {
  if (existsSync(join(dir, result))) return;
  mkdirSync(dir, { recursive: true });
  process.stderr.write(`${argv[0]} ${dir}\n`);
  await runWmlab(argv, join(dir, result));
}

async function run() {
  mkdirSync(work, { recursive: true });
  for (const [name, flags] of Object.entries(KEYS)) {
    const dir = join(work, 'keys', name);
    const keySeed = flags[1] === 'fcw' ? [] : ['--key-seed', '1'.padStart(64, '0')]; // FCW triggers follow --seed
    await step(dir, ['train', '--data', data, '--out', dir, ...MODEL, '--epochs', '0', '--train-limit', '4000', '--test-limit', '100', '--seed', '1000', ...keySeed, ...flags], 'report.json');
  }
  for (let seed = 1; seed <= count; seed++) {
    const dir = join(work, 'null', `s${seed}`);
    await step(dir, ['train', '--data', data, '--out', dir, ...MODEL, ...NULL_TRAINING, '--seed', String(seed)], 'report.json');
    for (const { name, key, extra } of VERIFICATIONS) {
      await step(dir, ['verify', '--model', join(dir, 'model', 'model.json'), '--key', join(work, 'keys', key, 'key.json'), ...extra], `verify-${name}.json`);
    }
  }
}

function report() {
  const nullDir = join(work, 'null');
  const seeds = existsSync(nullDir) ? readdirSync(nullDir).filter((d) => existsSync(join(nullDir, d, 'report.json'))) : [];
  const read = (p) => (existsSync(p) ? JSON.parse(readFileSync(p, 'utf8')) : null);
  const accs = seeds.map((s) => read(join(nullDir, s, 'report.json')).testAccuracy);
  const lines = [
    `${seeds.length} unmarked models (cnn width 16, 2 epochs on 4,000 images; test accuracy ${(100 * Math.min(...accs)).toFixed(1)}–${(100 * Math.max(...accs)).toFixed(1)} % on 500 images), threshold p < ${THRESHOLD}.`,
    '',
    '| key | bits | detected (lab test) | smallest p (lab test) | detected (plain binomial ½) | smallest p (plain) | BER range | positive share of unmarked weights |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const { name } of VERIFICATIONS) {
    const rs = seeds.map((s) => read(join(nullDir, s, `verify-${name}.json`))).filter(Boolean);
    if (rs.length === 0) continue;
    const detected = rs.filter((r) => r.detected).length;
    const minLog = Math.min(...rs.map((r) => r.log10PValue));
    const plain = rs.map((r) => r.calibration?.uniformLog10PValue).filter((x) => x !== undefined);
    const plainDetected = plain.filter((l) => l < Math.log10(THRESHOLD)).length;
    const bers = rs.map((r) => r.ber).filter((b) => b !== undefined && b !== null);
    const shares = rs.flatMap((r) => (r.calibration?.signRates ?? []).map((s) => s.positiveFraction));
    const n = rs[0].bits ?? rs[0].n;
    lines.push(
      `| ${name} | ${n} | ${detected} of ${rs.length} | 1e${minLog.toFixed(1)} | ${plain.length ? `${plainDetected} of ${plain.length}` : '–'} | ${plain.length ? `1e${Math.min(...plain).toFixed(1)}` : '–'} | ${bers.length ? `${Math.min(...bers).toFixed(3)}–${Math.max(...bers).toFixed(3)}` : '–'} | ${shares.length ? `${(100 * Math.min(...shares)).toFixed(0)}–${(100 * Math.max(...shares)).toFixed(0)} %` : '–'} |`,
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
  const jsonl = flag(args, 'jsonl');
  if (jsonl) {
    const rows = [];
    for (const s of seeds) {
      for (const { name } of VERIFICATIONS) {
        const r = read(join(nullDir, s, `verify-${name}.json`));
        if (!r) continue;
        rows.push({
          model: s, testAccuracy: read(join(nullDir, s, 'report.json')).testAccuracy, key: name, method: r.method, bits: r.bits ?? r.n,
          ber: r.ber ?? null, hits: r.hits ?? null, log10PValue: r.log10PValue, detected: r.detected,
          plainLog10PValue: r.calibration?.uniformLog10PValue ?? null, decoys: r.decoys ?? null,
        });
      }
    }
    writeFileSync(jsonl, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  }
}

if (command === 'run') await run();
else if (command === 'report') report();
else {
  process.stderr.write('usage: node scripts/false-positives.mjs run|report [--work DIR] [--models N]\n');
  process.exit(2);
}
