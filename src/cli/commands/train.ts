import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { normalizationFor } from '../../engine/data/normalize';
import { ARCH_NAMES } from '../../engine/models/registry';
import { createModel } from '../../engine/models/createModel';
import type { ArchName, Model } from '../../engine/models/types';
import { TrainingDivergedError, runTraining, type RunOutput } from '../../engine/run';
import { SCHEDULE_NAMES } from '../../engine/train/schedules';
import type { TrainSettings } from '../../protocol/api';
import { num, oneOf, parseOptions, required, UsageError } from '../args';
import { CLI_EPOCHS_LIMIT, OPTIMIZER_NAMES, TRAIN_DEFAULTS } from '../../protocol/training';
import { trainNum } from '../trainFlags';
import { CHECKPOINT_METHODS, CLI_METHOD_LIST, METHOD_FLAG_OPTIONS, TRAIN_METHODS, checkCheckpointSupport, checkMethodFlags, cliMethod } from '../methods/registry';
import { setupNodeBackend, type NodeBackendChoice, NODE_BACKEND_CHOICES } from '../nodeBackend';
import { loadDataset } from '../nodeData';
import { readModelFile, writeModelDir } from '../modelFiles';
import { exportSafetensors } from '../../engine/io/exportSafetensors';
import type { TrainOptions } from '../methods/types';
import { readTrainCheckpoint, runSettings, writeTrainCheckpoint } from '../trainCheckpoint';

export const TRAIN_USAGE = `wmlab train --data DIR|synthetic --model ${ARCH_NAMES.join('|')} --out OUT
  [--epochs E] [--batch B] [--lr X] [--optimizer sgd|adam] [--momentum M] [--weight-decay W]
  [--schedule constant|cosine|step] [--warmup STEPS|auto (linear learning-rate ramp; auto: a quarter of the run, 16 to 100 steps)] [--augment] [--seed S] [--train-limit N] [--test-limit N]
  [--model-options k=v,k=v (e.g. width=8,hidden=32)] [--backend ${NODE_BACKEND_CHOICES.join('|')}] [--log-every N]
  [--method ${TRAIN_METHODS.join('|')}]
  [--init MODEL.json (start from a trained model's weights and BatchNorm statistics: embedding by fine-tuning)]
  writes OUT/model/ (model.json + weights.bin), OUT/model.safetensors, OUT/report.json and OUT/key.json
  [--checkpoint DIR (resumable run: saved to DIR after every epoch; run the same command again to continue; ${CHECKPOINT_METHODS.join('|')})]
${CLI_METHOD_LIST.flatMap((m) => (m.usage !== undefined ? [m.usage] : [])).join('\n')}`;

/** The options of every run; each method's own flags are its module's (methods/registry.ts). */
const options = {
  data: { type: 'string' }, model: { type: 'string' }, out: { type: 'string' },
  epochs: { type: 'string' }, batch: { type: 'string' }, lr: { type: 'string' }, optimizer: { type: 'string' },
  momentum: { type: 'string' }, 'weight-decay': { type: 'string' }, schedule: { type: 'string' }, warmup: { type: 'string' }, augment: { type: 'boolean' },
  seed: { type: 'string' }, 'train-limit': { type: 'string' }, 'test-limit': { type: 'string' }, backend: { type: 'string' },
  'log-every': { type: 'string' }, method: { type: 'string' }, 'model-options': { type: 'string' }, init: { type: 'string' },
  checkpoint: { type: 'string' },
} as const;

/** `wmlab train`: trains (optionally watermarks) a model and writes OUT/model/, OUT/report.json, OUT/key.json. */
export async function trainCommand(argv: string[], log: (line: string) => void): Promise<Record<string, unknown>> {
  // with every method's own flags (strings, read by its module: methods/)
  const o: ReturnType<typeof parseOptions<typeof options>> & TrainOptions = parseOptions(argv, { ...options, ...METHOD_FLAG_OPTIONS });
  const data = required(o.data, 'data');
  const out = required(o.out, 'out');
  const arch = oneOf(o.model, 'model', ARCH_NAMES, 'cnn') as ArchName;
  // Training flags: the training contract's limits and defaults (protocol/training.ts); 1 epoch by default here.
  const epochs = trainNum(o.epochs, 'epochs', CLI_EPOCHS_LIMIT, 1);
  const batchSize = trainNum(o.batch, 'batch', 'batchSize', TRAIN_DEFAULTS.batchSize);
  const lr = trainNum(o.lr, 'lr', 'learningRate', TRAIN_DEFAULTS.learningRate);
  const optimizer = oneOf(o.optimizer, 'optimizer', OPTIMIZER_NAMES, TRAIN_DEFAULTS.optimizer);
  const momentum = trainNum(o.momentum, 'momentum', 'momentum', TRAIN_DEFAULTS.momentum);
  const weightDecay = trainNum(o['weight-decay'], 'weight-decay', 'weightDecay', TRAIN_DEFAULTS.weightDecay);
  const scheduleName = oneOf(o.schedule, 'schedule', SCHEDULE_NAMES, TRAIN_DEFAULTS.schedule);
  const warmupSteps = o.warmup === undefined || o.warmup === 'auto' ? 'auto' : num(o.warmup, 'warmup', { int: true, min: 0, max: 1_000_000, default: 0 });
  const seed = trainNum(o.seed, 'seed', 'seed', TRAIN_DEFAULTS.seed);
  // 0 or absent: all the images.
  const trainLimit = trainNum(o['train-limit'], 'train-limit', 'trainLimit', 0) || undefined;
  const testLimit = trainNum(o['test-limit'], 'test-limit', 'testLimit', 0) || undefined;
  const backendChoice = oneOf(o.backend, 'backend', NODE_BACKEND_CHOICES, 'auto') as NodeBackendChoice;
  const logEvery = num(o['log-every'], 'log-every', { int: true, min: 1, default: 10 });
  const method = oneOf(o.method, 'method', TRAIN_METHODS, 'none');
  checkMethodFlags(method, o);
  // the method's own flags, checked before any work
  const plan = cliMethod(method).readFlags(o);
  const checkpointDir = o.checkpoint;
  checkCheckpointSupport(method, checkpointDir);

  const backend = await setupNodeBackend(backendChoice, 'train');
  log(`backend: ${backend.name}${backend.note ? ` (${backend.note})` : ''}`);
  const dataset = await loadDataset({ data, trainLimit, testLimit });
  log(`data: ${dataset.label}, ${dataset.train.count} train / ${dataset.test.count} test images`);
  if (dataset.train.count < batchSize) throw new UsageError(`--batch ${batchSize} is larger than the ${dataset.train.count} training images`);

  const normalization = normalizationFor(dataset);
  const modelOptions = parseModelOptions(o['model-options']);
  const run = runSettings(o);
  const resume = checkpointDir !== undefined ? await readTrainCheckpoint(checkpointDir, run) : null;
  // The run owns the model once it starts (it returns it, or disposes it when it fails).
  let model: Model | null = resume
    ? resume.model
    : o.init !== undefined
      ? await initialModel(o.init, arch, modelOptions)
      : createModel(arch, { seed, numClasses: dataset.classNames.length, ...(modelOptions ? { options: modelOptions } : {}) });
  log(`model: ${arch}, ${model.parameterCount.toLocaleString('en')} parameters${o.init !== undefined ? `, initialised from ${o.init}` : ''}`);
  if (resume) log(`resuming from ${checkpointDir}: step ${resume.state.step}, ${resume.state.epoch} epoch${resume.state.epoch === 1 ? '' : 's'} done, ${Math.round(resume.state.seconds)} s so far`);
  try {
    const { runMethod, keyJson, report: methodReport } = await plan.start({ model, dataset, normalization, seed, arch, options: o, resume, checkpointDir, log });

    // The browser's training run (engine/run): the same schedule, data order and trainer; the
    // data set is already limited (trainLimit/testLimit 0: all of it). --epochs 0 writes the freshly
    // initialised (and, with a method, freshly marked) model: a null model.
    const trainSettings: TrainSettings = {
      arch, epochs, batchSize, learningRate: lr, optimizer, momentum, weightDecay, schedule: scheduleName, seed,
      trainLimit: 0, testLimit: 0, augment: Boolean(o.augment),
    };
    const earlierSeconds = resume?.state.seconds ?? 0;
    const given = model;
    model = null;
    let ran: RunOutput;
    let warmup = 0;
    try {
      ran = await runTraining({
        settings: trainSettings,
        dataset,
        normalization,
        backend: () => backend.name,
        model: given,
        method: runMethod,
        warmupSteps,
        logEvery,
        // a diverged CLI run fails (no last good weights to end on)
        lastGoodCheckpoint: false,
        ...(resume ? { resume: { startStep: resume.state.step, optimizerState: resume.optimizer } } : {}),
        onPlan: (plan) => {
          warmup = plan.warmupSteps;
          log(`schedule: ${scheduleName}, lr ${lr}, warm-up ${warmup} step${warmup === 1 ? '' : 's'}${warmupSteps === 'auto' ? ' (auto)' : ''}`);
        },
        ...(checkpointDir !== undefined
          ? {
              onEpochEnd: async (s, runState, trained) => {
                const state = { run, step: s.step, epoch: s.epoch + 1, seconds: earlierSeconds + s.seconds };
                await writeTrainCheckpoint(checkpointDir, trained, state, await runState.optimizerState(), keyJson);
                log(`checkpoint: epoch ${s.epoch + 1}, step ${s.step} saved to ${checkpointDir}`);
              },
            }
          : {}),
        onTrainProgress: (p) =>
          log(`step ${p.step}/${p.totalSteps} epoch ${p.epoch + 1} loss ${p.loss.toFixed(4)} acc ${(100 * p.accuracy).toFixed(1)}%${p.metrics.gap !== undefined ? ` gap ${p.metrics.gap.toFixed(4)} active ${(p.metrics.activeFraction ?? NaN).toFixed(2)}` : ''} ${p.imagesPerSecond.toFixed(1)} img/s eta ${Math.round(p.etaSeconds)}s`),
      });
    } catch (e) {
      if (e instanceof TrainingDivergedError) throw new Error(`training diverged: ${e.result.message ?? 'non-finite loss'}`, { cause: e });
      throw e;
    }
    model = ran.model;
    const result = ran.result;
    const test = { count: ran.outcome.testImages, accuracy: ran.outcome.testAccuracy, loss: ran.outcome.testLoss };
    const methodFields = await methodReport(model, result);
    await writeModelDir(model, join(out, 'model'), { arch, dataset: dataset.name, method });
    // the same weights as one safetensors file in the lab's layout (`wmlab export --layout pytorch` for PyTorch's)
    await writeFile(join(out, 'model.safetensors'), await exportSafetensors(model, { dataset: dataset.name, method }));
    if (keyJson) await writeFile(join(out, 'key.json'), keyJson);
    const report = {
      model: arch,
      parameters: model.parameterCount,
      backend: backend.name,
      dataset: dataset.name,
      method,
      epochs,
      steps: result.steps,
      batchSize,
      optimizer,
      lr,
      schedule: scheduleName,
      warmupSteps: warmup,
      seed,
      ...(o.init !== undefined ? { init: o.init } : {}),
      trainImages: dataset.train.count,
      testImages: test.count,
      testAccuracy: test.accuracy,
      testLoss: test.loss,
      trainLoss: result.finalLoss,
      imagesPerSecond: resume ? (result.steps * batchSize) / Math.max(1e-9, earlierSeconds + result.seconds) : result.imagesPerSecond,
      seconds: earlierSeconds + result.seconds,
      status: result.status,
      ...(resume ? { resumedFromStep: resume.state.step } : {}),
      ...methodFields,
    };
    await mkdir(out, { recursive: true });
    await writeFile(join(out, 'report.json'), JSON.stringify(report, null, 2) + '\n');
    return report;
  } finally {
    model?.dispose();
  }
}

/** The model of `--init`: a trained model to fine-tune, which must be of the `--model` architecture. */
async function initialModel(path: string, arch: ArchName, modelOptions: Record<string, number | string | boolean> | undefined) {
  if (modelOptions) throw new UsageError('--model-options cannot be combined with --init (the model file fixes the options)');
  const model = await readModelFile(path);
  if (model.config.arch !== arch) {
    model.dispose();
    throw new UsageError(`--init ${path} is a '${model.config.arch}' model, not '${arch}'`);
  }
  return model;
}

/** `width=8,hidden=32,batchNorm=false` → { width: 8, hidden: 32, batchNorm: false }. */
function parseModelOptions(text: string | undefined): Record<string, number | string | boolean> | undefined {
  if (text === undefined) return undefined;
  const out: Record<string, number | string | boolean> = {};
  for (const part of text.split(',')) {
    const [k, v, ...extra] = part.split('=');
    if (!k || v === undefined || extra.length) throw new UsageError(`--model-options: "${part}" is not key=value`);
    out[k.trim()] = v === 'true' ? true : v === 'false' ? false : Number.isFinite(Number(v)) && v.trim() !== '' ? Number(v) : v.trim();
  }
  return out;
}
