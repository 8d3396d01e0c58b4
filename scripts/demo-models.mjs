#!/usr/bin/env node
// Trains the demo models shipped in public/models/demo/, from `wmlab` commands only.
//
//   CIFAR10_DIR=… node scripts/demo-models.mjs run   [--work DIR]   trains what is missing (resumable)
//
// Every step is a `wmlab` command whose arguments are written below; each writes its folder under
// the work directory (default runs/demo/, not committed) and is skipped once its report.json
// exists. Long trainings run with `wmlab train --checkpoint`, so a killed run continues from its
// last finished epoch, bit for bit, when the script is started again.
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
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

async function train(name, argv) {
  const dir = join(work, name);
  if (existsSync(join(dir, 'report.json'))) return;
  mkdirSync(dir, { recursive: true });
  process.stderr.write(`train ${name}\n`);
  await runWmlab(['train', '--data', data, '--out', dir, '--checkpoint', join(work, `${name}.checkpoint`), '--backend', 'wasm', '--log-every', '50', ...argv], join(dir, 'result.json'), { stream: true });
}

if (command === 'run') {
  mkdirSync(work, { recursive: true });
  await train('base', BASE);
} else {
  process.stderr.write('usage: node scripts/demo-models.mjs run [--work DIR]\n');
  process.exit(2);
}
