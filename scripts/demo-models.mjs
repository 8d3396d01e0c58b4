#!/usr/bin/env node
// Trains the demo models shipped in public/models/demo/, from `wmlab` commands only.
//
//   CIFAR10_DIR=… node scripts/demo-models.mjs run     [--work DIR]   trains and measures what is missing (resumable)
//   node scripts/demo-models.mjs publish [--work DIR]                 copies the models to public/models/demo/ + index.json
//   CIFAR10_DIR=… node scripts/demo-models.mjs remeasure             measures the published pair again (index.json's pair)
//
// Every step is a `wmlab` command whose arguments are written below; each writes its folder under
// the work directory (default runs/demo/, not committed) and is skipped once its report.json
// exists. Long trainings run with `wmlab train --checkpoint`, so a killed run continues from its
// last finished epoch, bit for bit, when the script is started again.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { flag, root, runWmlab } from './lib/wmlab.mjs';

const args = process.argv.slice(2);
const command = args[0];
const work = resolve(flag(args, 'work', join(root, 'runs', 'demo')));
const data = resolve(process.env.CIFAR10_DIR ?? join(root, 'public', 'datasets', 'cifar10'));

/**
 * The unmarked model: the default `cnn` (591,466 parameters), 18 epochs on all 50,000 training
 * images with augmentation, SGD momentum 0.9, lr 0.05 with the default warm-up and a cosine
 * schedule, batch 128, weight decay 5e-4; tested on all 10,000 test images.
 */
export const BASE = ['--model', 'cnn', '--epochs', '18', '--batch', '128', '--lr', '0.05', '--augment', '--seed', '1', '--test-limit', '10000'];

/** The demo pair: the R = 0 twin and the WaterMAS model, fine-tuned from the base with the same key, init and data order. */
const KEY_SEED = '0'.repeat(63) + '7';
const FINETUNE = ['--model', 'cnn', '--epochs', '1', '--batch', '128', '--lr', '0.01', '--warmup', '0', '--augment', '--seed', '7', '--test-limit', '10000',
  '--method', 'watermas', '--key-seed', KEY_SEED, '--bits', '256'];
/**
 * WaterMAS settings of the marked model (since 2026-12-06; docs/experiments/sharpness.md, "Balancing
 * the push"): R = 4 sign-flip replicas on slices of the batch, λ 1 as a share of the task gradient's
 * norm, hinge m 2. The pair shipped before (the 2020 recipe, R = 2) measured a paired key gain of
 * 0.94 and no flip cost: no valley.
 */
export const PAIR = {
  twin: [...FINETUNE, '--replicas', '0'],
  watermas: [...FINETUNE, '--replicas', '4', '--replica-mode', 'flip', '--sigma', '0.5', '--lambda', '1', '--margin', '2', '--replica-batch', 'split', '--balance', 'gradient'],
};
// --flip-draws 4 since 2026-12-07 (one random half of the marks can mislead: docs/experiments/sharpness.md, "Which half")
const MEASURE = ['--eval-size', '1000', '--radius', '0.5', '--controls', '4', '--draws', '8', '--flip', '0.5', '--flip-draws', '4'];
const PUBLISHED = join(root, 'public', 'models', 'demo');

async function train(name, argv) {
  const dir = join(work, name);
  if (existsSync(join(dir, 'report.json'))) return;
  mkdirSync(dir, { recursive: true });
  process.stderr.write(`train ${name}\n`);
  await runWmlab(['train', '--data', data, '--out', dir, '--checkpoint', join(work, `${name}.checkpoint`), '--backend', 'wasm', '--log-every', '50', ...argv], join(dir, 'result.json'), { stream: true });
}

async function measure(dir = work, layout = (name) => join(name, 'model', 'model.json'), key = join('twin', 'key.json')) {
  const path = join(dir, 'pair.sharpness.json');
  if (existsSync(path)) return path;
  process.stderr.write('measure the pair\n');
  await runWmlab(['compare-sharpness', '--marked', join(dir, layout('watermas')), '--twin', join(dir, layout('twin')),
    '--key', join(dir, key), '--data', data, ...MEASURE], path, { stream: true });
  return path;
}

const pairEntry = (pair) => ({ measure: MEASURE.join(' '), evalSize: pair.evalSize, paired: pair.paired, marked: pair.marked, twin: pair.twin });

/** The published pair measured again with today's MEASURE (the weights are not touched); rewrites index.json's pair. */
async function remeasure() {
  const tmp = join(work, 'remeasure');
  mkdirSync(tmp, { recursive: true });
  for (const name of ['twin', 'watermas']) cpSync(join(PUBLISHED, name), join(tmp, name), { recursive: true });
  const path = await measure(tmp, (name) => join(name, 'model.json'), join('twin', 'key.json'));
  const index = JSON.parse(readFileSync(join(PUBLISHED, 'index.json'), 'utf8'));
  index.pair = pairEntry(JSON.parse(readFileSync(path, 'utf8')));
  writeFileSync(join(PUBLISHED, 'index.json'), JSON.stringify(index, null, 2) + '\n');
  process.stderr.write(`measured the published pair again: ${join(PUBLISHED, 'index.json')}\n`);
}

const sha256 = (path) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Copies the three models (and the pair's key) to public/models/demo/ and writes index.json with their checksums. */
function publish() {
  const models = [];
  const init = ['--init', 'runs/demo/base/model/model.json'];
  for (const [name, method, argv] of [['unmarked', 'none', BASE], ['twin', 'watermas', [...PAIR.twin, ...init]], ['watermas', 'watermas', [...PAIR.watermas, ...init]]]) {
    const from = join(work, name === 'unmarked' ? 'base' : name);
    const to = join(PUBLISHED, name);
    mkdirSync(to, { recursive: true });
    const files = ['model/model.json', 'model/weights.bin', ...(method === 'watermas' ? ['key.json'] : [])];
    for (const f of files) cpSync(join(from, f), join(to, basename(f)));
    const report = JSON.parse(readFileSync(join(from, 'report.json'), 'utf8'));
    models.push({
      name,
      method,
      command: ['wmlab', 'train', '--data', '$CIFAR10_DIR', ...argv].join(' '),
      settings: Object.fromEntries(Object.entries(report).filter(([k]) => ['replicas', 'sigma', 'lambda', 'replicaMode', 'margin', 'bits', 'epochs', 'lr', 'batchSize', 'seed'].includes(k))),
      testAccuracy: report.testAccuracy,
      testImages: report.testImages,
      files: Object.fromEntries(files.map((f) => [basename(f), sha256(join(to, basename(f)))])),
    });
  }
  const pair = existsSync(join(work, 'pair.sharpness.json')) ? JSON.parse(readFileSync(join(work, 'pair.sharpness.json'), 'utf8')) : null;
  const index = { generatedBy: 'scripts/demo-models.mjs', dataset: 'cifar10', models, ...(pair ? { pair: pairEntry(pair) } : {}) };
  writeFileSync(join(PUBLISHED, 'index.json'), JSON.stringify(index, null, 2) + '\n');
  process.stderr.write(`published ${models.length} models to ${PUBLISHED}\n`);
}

if (command === 'run') {
  mkdirSync(work, { recursive: true });
  await train('base', BASE);
  const init = ['--init', join(work, 'base', 'model', 'model.json')];
  // one core each (wasm runs one thread): the twin and the marked model train side by side
  await Promise.all([train('twin', [...PAIR.twin, ...init]), train('watermas', [...PAIR.watermas, ...init])]);
  await measure();
} else if (command === 'publish') {
  publish();
} else if (command === 'remeasure') {
  await remeasure();
} else {
  process.stderr.write('usage: node scripts/demo-models.mjs run|publish|remeasure [--work DIR]\n');
  process.exit(2);
}
