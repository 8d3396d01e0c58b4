#!/usr/bin/env node
// The table of docs/experiments/warmup.md from a finished `wmlab sweep examples/sweeps/warmup.json`:
// per setting (lr, warm-up), over its seeds, the worst loss of the first 20 steps relative to the
// first step's (the spike), the final training loss and the test accuracy.
//   node scripts/warmup-table.mjs runs/warmup
//   node scripts/warmup-table.mjs docs/experiments/warmup-data     (the committed results)
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const out = process.argv[2];
if (!out || !existsSync(join(out, 'cells'))) {
  console.error('usage: node scripts/warmup-table.mjs OUT   (OUT: the folder of a finished warm-up sweep)');
  process.exit(2);
}

const groups = new Map();
for (const id of readdirSync(join(out, 'cells')).sort()) {
  const dir = join(out, 'cells', id);
  const cell = JSON.parse(readFileSync(join(dir, 'cell.json'), 'utf8'));
  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
  const losses = [];
  // a sweep's cells keep train.log; the copy in docs/experiments/warmup-data names it train.txt
  const log = existsSync(join(dir, 'train.log')) ? join(dir, 'train.log') : join(dir, 'train.txt');
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    const m = /^step (\d+)\/\d+ .* loss ([\d.]+|NaN|Infinity)/.exec(line);
    if (m) losses[Number(m[1]) - 1] = Number(m[2]);
  }
  const first = losses[0];
  const spike = Math.max(...losses.slice(0, 20)) / first;
  const warmup = report.warmupSteps ?? cell.train.warmup ?? 0;
  const key = `lr ${cell.train.lr}, warm-up ${warmup}${cell.train.warmup === 'auto' ? ' (auto)' : ''}`;
  const g = groups.get(key) ?? Object.assign([], { order: [-cell.train.lr, warmup] });
  g.push({ seed: cell.train.seed, spike, final: report.trainLoss, accuracy: report.testAccuracy });
  groups.set(key, g);
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs) => Math.sqrt(xs.reduce((a, b) => a + (b - mean(xs)) ** 2, 0) / Math.max(1, xs.length - 1));
const pm = (xs, f) => `${f(mean(xs))} ± ${f(sd(xs))}`;
console.log('| setting | seeds | worst loss / first loss (steps 1–20) | final training loss | test accuracy |');
console.log('|---|---|---|---|---|');
const byLrThenWarmup = ([, a], [, b]) => a.order[0] - b.order[0] || a.order[1] - b.order[1];
for (const [key, g] of [...groups].sort(byLrThenWarmup)) {
  const spikes = g.map((r) => r.spike);
  console.log(`| ${key} | ${g.map((r) => r.seed).join(', ')} | ${spikes.map((s) => s.toFixed(2)).join(', ')} | ${pm(g.map((r) => r.final), (v) => v.toFixed(3))} | ${pm(g.map((r) => 100 * r.accuracy), (v) => `${v.toFixed(1)} %`)} |`);
}
