#!/usr/bin/env node
// The sharpness study of docs/experiments/sharpness.md, from `wmlab` commands and their JSON only.
//
//   node scripts/sharpness-study.mjs run    [--seeds 1,2] [--variants r0,flip] [--study quick|trained|lecture|replica-batch|baseline-fix|flip-long|flip-equal|flip-lambda|flip-balance|embed-live|embed-long|embed-epoch|embed-epoch-settle|lecture-flip] [--out DIR] [--jobs N] [--base MODEL.json]
//   node scripts/sharpness-study.mjs report [--study quick|trained|lecture|replica-batch|baseline-fix|flip-long|flip-equal|flip-lambda|flip-balance|embed-live|embed-long|embed-epoch|embed-epoch-settle|lecture-flip] [--out DIR]      prints the tables (Markdown)
//
// `run` needs CIFAR-10 (CIFAR10_DIR or public/datasets/cifar10). It first trains the unmarked base
// model (or reuses --base MODEL.json; the lecture study has none and trains from scratch with the
// same init seed), then, for every seed, fine-tunes the base with each
// objective of VARIANTS on the same key (key seed = seed), init (the base) and data order (seed):
// the R = 0 twin and the marked models. Each pair is measured with `wmlab compare-sharpness`.
// A cell whose report.json exists is skipped, so a killed run resumes where it stopped; cells are
// written to DIR/cells/<name>/ and nothing finished is ever rewritten.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { flag as flagIn, root, runWmlab } from './lib/wmlab.mjs';

const args = process.argv.slice(2);
const command = args[0];
const flag = (name, fallback) => flagIn(args, name, fallback);
let out;
const jobs = Number(flag('jobs', '2'));
const data = process.env.CIFAR10_DIR ?? join(root, 'public', 'datasets', 'cifar10');

/** Objectives compared; each is fine-tuned from the same base with the same key as its R = 0 twin. */
const OBJECTIVES = {
  r0: ['--replicas', '0'],
  'gaussian-2020': ['--replicas', '2', '--replica-mode', 'gaussian', '--sigma', '0.01', '--lambda', '0.5', '--margin', '0.5', '--antithetic', 'off', '--replica-bn', 'batch', '--replica-batch', 'full'],
  'relative-antithetic': ['--replicas', '2', '--replica-mode', 'relative', '--sigma', '0.5', '--antithetic', 'on', '--lambda', '1', '--margin', '2', '--replica-bn', 'clean', '--replica-batch', 'full'],
  flip: ['--replicas', '2', '--replica-mode', 'flip', '--sigma', '0.5', '--lambda', '1', '--margin', '2', '--replica-bn', 'clean', '--replica-batch', 'full'],
};
const pick = (...names) => Object.fromEntries(names.map((n) => [n, OBJECTIVES[n]]));

// quick's base, fine-tuning and measure, shared by the replica-batch study
const QUICK = {
  base: ['--model', 'cnn', '--model-options', 'width=16,hidden=128', '--epochs', '3', '--batch', '128', '--lr', '0.05', '--augment', '--seed', '2',
    '--train-limit', '10000', '--test-limit', '1000', '--warmup', '0'],
  finetune: ['--epochs', '1', '--batch', '128', '--lr', '0.02', '--augment', '--train-limit', '10000', '--test-limit', '10000', '--bits', '256', '--warmup', '0'],
  measure: ['--eval-size', '1000', '--radius', '0.5', '--controls', '4', '--draws', '4', '--flip', '0.5'],
};

/** Sign-flip replicas, R = 4 on slices of the batch, λ 1 as a share of the task gradient's norm (balance 'gradient'). */
const FLIP_BALANCED = ['--replicas', '4', ...OBJECTIVES.flip.slice(2, -2), '--replica-batch', 'split', '--balance', 'gradient'];
/** FLIP_BALANCED with the replicas on slices of half the batch (issue 16, "Cheaper replicas" in sharpness.md). */
const FLIP_HALF = ['--replicas', '4', ...OBJECTIVES.flip.slice(2, -2), '--replica-batch', 'half', '--balance', 'gradient'];

/**
 * The Embed live preset's fine-tuning (src/ui/lecture/presets.ts) from the shipped demo base
 * (scripts/demo-models.mjs trains it in runs/demo/base and publishes the same files as
 * public/models/demo/unmarked, committed), 31 steps on 2,000 images, R = 0 twin against FLIP_BALANCED.
 */
const EMBED_LIVE = {
  base: null,
  basePath: join(root, 'public', 'models', 'demo', 'unmarked', 'model.json'),
  finetune: ['--epochs', '1', '--batch', '64', '--lr', '0.01', '--augment', '--train-limit', '2000', '--test-limit', '10000', '--bits', '256', '--warmup', '0'],
  measure: QUICK.measure,
  seeds: [1, 2, 3],
  variants: { r0: OBJECTIVES.r0, 'flip-r4-split-gradient': FLIP_BALANCED },
};

/**
 * The studies: the base model, the fine-tuning, the measure, the seeds, the objectives. They were
 * run before `wmlab train` warmed the learning rate up by default: `--warmup 0` keeps them
 * reproducible (the lecture study is the sweep examples/sweeps/lecture-sharpness.json now).
 */
export const STUDIES = {
  // a quick base (3 epochs on 10,000 images, ~41 % test accuracy), 78 fine-tuning steps: every objective
  quick: {
    ...QUICK,
    seeds: [1, 2, 3],
    variants: pick('r0', 'gaussian-2020', 'relative-antithetic', 'flip'),
  },
  // a trained base (10 epochs on all 50,000 images), 4x longer fine-tuning (312 steps): the twin and the chosen objective
  trained: {
    base: ['--model', 'cnn', '--model-options', 'width=16,hidden=128', '--epochs', '10', '--batch', '128', '--lr', '0.05', '--augment', '--seed', '1',
      '--test-limit', '10000', '--warmup', '0'],
    finetune: ['--epochs', '2', '--batch', '128', '--lr', '0.02', '--augment', '--train-limit', '20000', '--test-limit', '10000', '--bits', '256', '--warmup', '0'],
    measure: ['--eval-size', '1000', '--radius', '0.5', '--controls', '4', '--draws', '8', '--flip', '0.5'],
    seeds: [1, 2, 3],
    variants: pick('r0', 'relative-antithetic'),
  },
  // issue 16: each replica on its slice of the batch (R = 4 for about 2 plain passes) against the full-batch replicas, quick's setting
  'replica-batch': {
    ...QUICK,
    seeds: [1, 2, 3],
    variants: {
      r0: OBJECTIVES.r0,
      'gaussian-2020-r4': ['--replicas', '4', ...OBJECTIVES['gaussian-2020'].slice(2)],
      'gaussian-2020-r4-split': ['--replicas', '4', ...OBJECTIVES['gaussian-2020'].slice(2, -2), '--replica-batch', 'split'],
      // twice the replicas of the quick study's relative objective at less than its cost
      'relative-antithetic-r4-split': ['--replicas', '4', ...OBJECTIVES['relative-antithetic'].slice(2, -2), '--replica-batch', 'split'],
    },
  },
  // 2026-12-06: the replica-batch study's replica objectives again after the baseline fix (objective.ts:
  // each replica compared with the same model at ε = 0; 'clean' statistics differentiated through), on its
  // base and R = 0 twins (copied from it: the R = 0 path did not change), plus sign-flip replicas
  'baseline-fix': {
    ...QUICK,
    seeds: [1, 2, 3],
    variants: {
      r0: OBJECTIVES.r0,
      'gaussian-2020-r4-split': ['--replicas', '4', ...OBJECTIVES['gaussian-2020'].slice(2, -2), '--replica-batch', 'split'],
      'relative-antithetic-r4-split': ['--replicas', '4', ...OBJECTIVES['relative-antithetic'].slice(2, -2), '--replica-batch', 'split'],
      'flip-r4-split': ['--replicas', '4', ...OBJECTIVES.flip.slice(2, -2), '--replica-batch', 'split'],
    },
  },
  // sign-flip replicas (the one objective that took off after the baseline fix: 2 of 3 seeds in 78 steps)
  // over twice the fine-tuning (2 epochs, 156 steps), against R = 0 twins trained as long
  'flip-long': {
    ...QUICK,
    finetune: ['--epochs', '2', ...QUICK.finetune.slice(2)],
    seeds: [1, 2, 3],
    variants: {
      r0: OBJECTIVES.r0,
      'flip-r4-split': ['--replicas', '4', ...OBJECTIVES.flip.slice(2, -2), '--replica-batch', 'split'],
    },
  },
  // where the key sits: every flip cell that took off held a mark in conv1, none without did. The same
  // fine-tuning with positions drawn equally per tensor (each of the 6 kernels gets ~43 of the 256 marks)
  // instead of in proportion to size (~95 % in fc1), against R = 0 twins with the same equal-allocation key;
  // 5 seeds, to tell "reliable" from "2 of 3"
  'flip-equal': {
    ...QUICK,
    seeds: [1, 2, 3, 4, 5],
    variants: {
      r0: [...OBJECTIVES.r0, '--allocation', 'equal'],
      'flip-r4-split': ['--replicas', '4', ...OBJECTIVES.flip.slice(2, -2), '--replica-batch', 'split', '--allocation', 'equal'],
    },
  },
  // λ: the baseline-fix study's sign-flip replicas (λ 1: 2 of 3 seeds took off) at λ 2 and 4, on its
  // base and R = 0 twins (copied from it), keys drawn in proportion to size as there
  'flip-lambda': {
    ...QUICK,
    seeds: [1, 2, 3],
    variants: {
      r0: OBJECTIVES.r0,
      'flip-r4-split-l2': ['--replicas', '4', ...OBJECTIVES.flip.slice(2, -2), '--replica-batch', 'split', '--lambda', '2'],
      'flip-r4-split-l4': ['--replicas', '4', ...OBJECTIVES.flip.slice(2, -2), '--replica-batch', 'split', '--lambda', '4'],
    },
  },
  // balance 'gradient' (settings.ts): the push resized each step to λ × the task gradient's norm,
  // whatever the key's gap; λ 1, the baseline-fix study's base and R = 0 twins (copied from it)
  'flip-balance': {
    ...QUICK,
    seeds: [1, 2, 3],
    variants: { r0: OBJECTIVES.r0, 'flip-r4-split-gradient': FLIP_BALANCED },
  },
  // what a class sees: the Embed live preset's fine-tuning from the shipped demo base, 31 steps
  'embed-live': EMBED_LIVE,
  // the same at 4× the steps (125: one epoch on 8,000 images)
  // (and, 2026-12-07, the cheaper replicas of issue 16 at the preset's own length)
  'embed-long': {
    ...EMBED_LIVE,
    finetune: EMBED_LIVE.finetune.map((a) => (a === '2000' ? '8000' : a)),
    variants: { ...EMBED_LIVE.variants, 'flip-r4-half-gradient': FLIP_HALF },
  },
  // the shipped demo pair's recipe (scripts/demo-models.mjs: one epoch on all 50,000 images, 390 steps
  // at batch 128) on three more keys: is the demo pair's 1-point accuracy cost typical?
  'embed-epoch': {
    ...EMBED_LIVE,
    finetune: ['--epochs', '1', '--batch', '128', '--lr', '0.01', '--augment', '--test-limit', '10000', '--bits', '256', '--warmup', '0'],
    // λ 0.5 and 0.25 (2026-12-06/07): half and a quarter of the push, for the accuracy the λ 1 models
    // lose (1.0-2.6 points)
    variants: {
      ...EMBED_LIVE.variants,
      'flip-r4-split-gradient-l05': [...FLIP_BALANCED, '--lambda', '0.5'],
      'flip-r4-split-gradient-l025': [...FLIP_BALANCED, '--lambda', '0.25'],
      // the cheaper replicas (2026-12-07, issue 16). Also measured then, with a balance mode since
      // removed (sharpness.md, "Cheaper replicas"; the script at 8a60ad8): 'flip-r4-half-periodic'
      'flip-r4-half-gradient': FLIP_HALF,
      // the default objective (Gaussian replicas σ 0.01, λ 0.5 in the loss, m 0.5, clean-pass
      // statistics) at R = 4 on the whole batch's slices and on half the batch's
      'default-r4-split': ['--replicas', '4', '--replica-mode', 'gaussian', '--sigma', '0.01', '--lambda', '0.5', '--margin', '0.5', '--replica-batch', 'split'],
      'default-r4-half': ['--replicas', '4', '--replica-mode', 'gaussian', '--sigma', '0.01', '--lambda', '0.5', '--margin', '0.5', '--replica-batch', 'half'],
    },
  },
  // does a plain tail give the accuracy back? Each embed-epoch model (twin and marked, same cell
  // names) fine-tuned 62 more steps with R = 0 (lr 0.001, 8,000 images), the same key re-applied: the
  // marked model's objective is gone, its frozen marks and whatever the push built stay
  'embed-epoch-settle': {
    ...EMBED_LIVE,
    initFrom: 'embed-epoch',
    finetune: ['--epochs', '1', '--batch', '128', '--lr', '0.001', '--augment', '--train-limit', '8000', '--test-limit', '10000', '--bits', '256', '--warmup', '0'],
    variants: { r0: OBJECTIVES.r0, 'flip-r4-split-gradient': OBJECTIVES.r0 },
  },
  // the lecture preset's own setting, from scratch (no base): default cnn, 2 epochs on 2,000 images, R = 4
  lecture: {
    base: null,
    finetune: ['--epochs', '2', '--batch', '64', '--lr', '0.05', '--augment', '--train-limit', '2000', '--test-limit', '500', '--bits', '256', '--warmup', '0'],
    measure: ['--eval-size', '500', '--radius', '0.5', '--controls', '4', '--draws', '4', '--flip', '0.5'],
    seeds: [1, 2, 3],
    variants: {
      r0: OBJECTIVES.r0,
      'gaussian-2020-r4': ['--replicas', '4', ...OBJECTIVES['gaussian-2020'].slice(2)], // the preset as shipped before split replica batches
      'relative-antithetic-r4': ['--replicas', '4', ...OBJECTIVES['relative-antithetic'].slice(2)],
    },
  },
};
// the sharpness preset as the page runs it (src/ui/lecture/presets.ts: from scratch, default cnn, 2
// epochs on 2,000 images at lr 0.05 with the default warm-up, 500 test images), R = 0 against the
// balanced sign-flip replicas of Embed live instead of the 2020 recipe: does the valley form from scratch?
STUDIES['lecture-flip'] = {
  ...STUDIES.lecture,
  finetune: STUDIES.lecture.finetune.slice(0, -2),
  variants: { r0: OBJECTIVES.r0, 'flip-r4-split-gradient': FLIP_BALANCED },
};
const studyName = flag('study', 'quick');
const STUDY = STUDIES[studyName];
if (!STUDY) {
  process.stderr.write(`unknown study "${studyName}" (${Object.keys(STUDIES).join(', ')})\n`);
  process.exit(2);
}
/** `run --variants r0,flip`: only those of the study's objectives (a re-run of some cells, e.g. after a kernel change). */
const VARIANTS = flag('variants')
  ? Object.fromEntries(Object.entries(STUDY.variants).filter(([name]) => flag('variants').split(',').includes(name)))
  : STUDY.variants;
/** `run --seeds 2,3`: only those of the study's seeds (a cell left out now runs on a later call). */
const seeds = flag('seeds') ? flag('seeds').split(',').map(Number).filter((s) => STUDY.seeds.includes(s)) : STUDY.seeds;
out = flag('out', join(root, 'docs', 'experiments', 'sharpness-data', studyName));

const run = (argv, jsonPath) => runWmlab(argv, jsonPath);

const keySeed = (seed) => seed.toString(16).padStart(64, '0');
const cellDir = (name) => join(out, 'cells', name);
const done = (name) => existsSync(join(cellDir(name), 'report.json'));

async function train(name, argv) {
  if (done(name)) return;
  const dir = cellDir(name);
  mkdirSync(dir, { recursive: true });
  process.stderr.write(`train ${name}\n`);
  // wmlab writes report.json last, so a killed cell has none and is trained again
  await run(['train', '--data', data, '--out', dir, ...argv], join(dir, 'result.json'));
}

async function measure(name, marked, twin) {
  const path = join(out, 'cells', `${name}.sharpness.json`);
  if (existsSync(path)) return;
  process.stderr.write(`measure ${name}\n`);
  await run(
    ['compare-sharpness', '--marked', join(cellDir(marked), 'model', 'model.json'), '--twin', join(cellDir(twin), 'model', 'model.json'),
      '--key', join(cellDir(twin), 'key.json'), '--data', data, ...STUDY.measure],
    path,
  );
}

/** Runs tasks with at most `n` at a time. */
async function pool(tasks, n) {
  const queue = [...tasks];
  const workers = Array.from({ length: Math.max(1, n) }, async () => {
    while (queue.length) await queue.shift()();
  });
  await Promise.all(workers);
}

async function runStudy() {
  mkdirSync(out, { recursive: true });
  const basePath = flag('base') ?? STUDY.basePath;
  // the base actually used (--base or the study's), relative to the repository
  writeFileSync(join(out, 'study.json'), JSON.stringify({ study: studyName, ...STUDY, ...(basePath ? { basePath: relative(root, resolve(basePath)) } : {}) }, null, 2) + '\n');
  if (!basePath && STUDY.base) await train('base', STUDY.base);
  const base = basePath ?? join(cellDir('base'), 'model', 'model.json');
  // from a trained base (embedding by fine-tuning), or from scratch with the same init seed
  const init = STUDY.base || basePath ? ['--init', base] : [];
  const cell = (variant, seed) => `${variant}-s${seed}`;
  // a study that continues another's models: each cell starts from the same-named cell there
  const initOf = (name) => (STUDY.initFrom ? ['--init', join(root, 'docs', 'experiments', 'sharpness-data', STUDY.initFrom, 'cells', name, 'model', 'model.json')] : init);
  const tasks = [];
  for (const seed of seeds) {
    tasks.push(async () => {
      await train(cell('r0', seed), ['--model', 'cnn', ...initOf(cell('r0', seed)), '--seed', String(seed), '--method', 'watermas', '--key-seed', keySeed(seed), ...STUDY.finetune, ...VARIANTS.r0]);
    });
  }
  await pool(tasks, jobs);
  const rest = [];
  for (const seed of seeds) {
    for (const [variant, flags] of Object.entries(VARIANTS)) {
      if (variant === 'r0') continue;
      rest.push(async () => {
        await train(cell(variant, seed), ['--model', 'cnn', ...initOf(cell(variant, seed)), '--seed', String(seed), '--method', 'watermas', '--key-seed', keySeed(seed), ...STUDY.finetune, ...flags]);
        await measure(cell(variant, seed), cell(variant, seed), cell('r0', seed));
      });
    }
  }
  await pool(rest, jobs);
}

const fmt = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
const sci = (x) => (Number.isFinite(x) ? x.toExponential(2) : String(x));
const meanSd = (a) => {
  const m = a.reduce((s, v) => s + v, 0) / a.length;
  const sd = Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / Math.max(1, a.length - 1));
  return { m, sd };
};

function report() {
  const read = (p) => (existsSync(p) ? JSON.parse(readFileSync(p, 'utf8')) : null);
  const lines = [];
  const baseReport = read(join(cellDir('base'), 'report.json'));
  if (baseReport) lines.push(`Base model: ${baseReport.model} ${baseReport.parameters.toLocaleString('en')} parameters, test accuracy ${fmt(100 * baseReport.testAccuracy, 1)} % on ${baseReport.testImages} images, ${fmt(baseReport.imagesPerSecond, 0)} img/s.`, '');
  lines.push('| objective | seed | test acc. % (twin) | s/step | key rise (twin) | control rise (twin) | paired key gain | control gain | flip 50 %: drop, points (twin) |');
  lines.push('|---|---|---|---|---|---|---|---|---|');
  const summary = [];
  for (const variant of Object.keys(VARIANTS)) {
    if (variant === 'r0') continue;
    const gains = [];
    const cgains = [];
    const drops = [];
    const twinDrops = [];
    const accs = [];
    for (const seed of STUDY.seeds) {
      const r = read(join(cellDir(`${variant}-s${seed}`), 'report.json'));
      const t = read(join(cellDir(`r0-s${seed}`), 'report.json'));
      const s = read(join(out, 'cells', `${variant}-s${seed}.sharpness.json`));
      if (!r || !t || !s) continue;
      const stepSeconds = r.seconds / r.steps;
      lines.push(`| ${variant} | ${seed} | ${fmt(100 * r.testAccuracy, 1)} (${fmt(100 * t.testAccuracy, 1)}) | ${fmt(stepSeconds, 2)} | ${sci(s.marked.keyRise)} (${sci(s.twin.keyRise)}) | ${sci(s.marked.controlRise)} (${sci(s.twin.controlRise)}) | ${fmt(s.paired.keyGain)} | ${fmt(s.paired.controlGain)} | ${fmt(100 * s.marked.flip.keyAccuracyDrop, 1)} (${fmt(100 * s.twin.flip.keyAccuracyDrop, 1)}) |`);
      gains.push(s.paired.keyGain);
      cgains.push(s.paired.controlGain);
      drops.push(100 * s.marked.flip.keyAccuracyDrop);
      twinDrops.push(100 * s.twin.flip.keyAccuracyDrop);
      accs.push(100 * (r.testAccuracy - t.testAccuracy));
    }
    if (gains.length) summary.push({ variant, n: gains.length, gain: meanSd(gains), cgain: meanSd(cgains), drop: meanSd(drops), twinDrop: meanSd(twinDrops), acc: meanSd(accs) });
  }
  lines.push('', '| objective | seeds | paired key gain | control gain | flip cost, points (twin) | accuracy vs twin, points |', '|---|---|---|---|---|---|');
  for (const s of summary) {
    lines.push(`| ${s.variant} | ${s.n} | ${fmt(s.gain.m)} ± ${fmt(s.gain.sd)} | ${fmt(s.cgain.m)} ± ${fmt(s.cgain.sd)} | ${fmt(s.drop.m, 1)} ± ${fmt(s.drop.sd, 1)} (${fmt(s.twinDrop.m, 1)} ± ${fmt(s.twinDrop.sd, 1)}) | ${fmt(s.acc.m, 1)} ± ${fmt(s.acc.sd, 1)} |`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}

if (command === 'run') {
  runStudy().then(
    () => process.stderr.write('study complete\n'),
    (e) => {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    },
  );
} else if (command === 'report') {
  report();
} else {
  process.stderr.write('usage: node scripts/sharpness-study.mjs run|report [--study quick|trained|lecture|replica-batch|baseline-fix|flip-long|flip-equal|flip-lambda|flip-balance|embed-live|embed-long|embed-epoch|embed-epoch-settle|lecture-flip] [--out DIR] [--jobs N] [--base MODEL.json]\n');
  process.exit(2);
}
