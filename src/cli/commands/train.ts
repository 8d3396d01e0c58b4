import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BatchStream, evalBatches } from '../../engine/data/batches';
import { normalizationFor } from '../../engine/data/normalize';
import { ARCH_NAMES } from '../../engine/models/registry';
import { createModel } from '../../engine/models/createModel';
import type { ArchName } from '../../engine/models/types';
import { evaluate } from '../../engine/train/evaluate';
import { train, type TrainHooks } from '../../engine/train/trainer';
import { SCHEDULE_NAMES, namedSchedule, warmupStepsOf } from '../../engine/train/schedules';
import type { Objective, FrozenPositions } from '../../engine/train/types';
import {
  DEFAULT_WATERMAS_SETTINGS,
  createWaterMASObjective,
  embedWatermark,
  parseKeyFile,
  serializeKey,
  toFrozenPositions,
  serializeUchidaKey,
  verifyUchida,
  verifyWatermark,
  type PayloadSpec,
  type WaterMASSettings,
} from '../../engine/watermark';
import { BALANCE_MODES, REPLICA_BATCH_MODES, REPLICA_BN_MODES, REPLICA_MODES, modeDefaults } from '../../engine/watermark/settings';
import { serializeFcwKey, trainFcw, verifyFcwKey } from '../../engine/fcw';
import { num, oneOf, parseOptions, required, UsageError } from '../args';
import { TRAIN_METHODS, checkMethodFlags, fcwFlags, uchidaFlags, keySeedFrom, setupFcw, setupUchida, type FcwSetup, type UchidaSetup } from '../trainMethods';
import { setupNodeBackend, type NodeBackendChoice, NODE_BACKEND_CHOICES } from '../nodeBackend';
import { loadDataset } from '../nodeData';
import { readModelFile, writeModelDir } from '../modelFiles';
import { exportSafetensors } from '../../engine/io/exportSafetensors';
import { readTrainCheckpoint, runSettings, writeTrainCheckpoint } from '../trainCheckpoint';

export const TRAIN_USAGE = `wmlab train --data DIR|synthetic --model ${ARCH_NAMES.join('|')} --out OUT
  [--epochs E] [--batch B] [--lr X] [--optimizer sgd|adam] [--momentum M] [--weight-decay W]
  [--schedule constant|cosine|step] [--warmup STEPS|auto (linear learning-rate ramp; auto: a quarter of the run, 16 to 100 steps)] [--augment] [--seed S] [--train-limit N] [--test-limit N]
  [--model-options k=v,k=v (e.g. width=8,hidden=32)] [--backend ${NODE_BACKEND_CHOICES.join('|')}] [--log-every N]
  [--method none|watermas|uchida|fcw]
  [--init MODEL.json (start from a trained model's weights and BatchNorm statistics: embedding by fine-tuning)]
  writes OUT/model/ (model.json + weights.bin), OUT/model.safetensors, OUT/report.json and OUT/key.json
  [--checkpoint DIR (resumable run: saved to DIR after every epoch; run the same command again to continue; none|watermas)]
  watermas: [--replicas R] [--sigma S] [--lambda L] [--replica-mode ${REPLICA_MODES.join('|')}] [--rho P] [--margin M|inf]
            [--antithetic on|off] [--replica-bn ${REPLICA_BN_MODES.join('|')}] (default per mode: relative on/clean, adversarial off/batch, else off/clean)
            [--replica-batch ${REPLICA_BATCH_MODES.join('|')} (each replica on the whole batch or on its slice: all replicas cost about one pass; default ${DEFAULT_WATERMAS_SETTINGS.replicaBatch})]
            [--balance ${BALANCE_MODES.join('|')} (λ weighs the replica term in the loss, or sets the push to λ × the task gradient's norm; default ${DEFAULT_WATERMAS_SETTINGS.balance})]
            [--allocation proportional|equal]
            [--bits N | --message TEXT] [--strength Q] [--key-seed HEX | --passphrase TEXT]
  uchida:   [--uchida-layer NAME] [--bits T | --message TEXT] [--lambda L] [--key-seed HEX | --passphrase TEXT]
  fcw:      [--triggers N] [--fcw-mode direct|invisible] [--triggers-per-batch K] [--mask-fraction F] [--mask-period P]
            (triggers fused from the training set, seeded by --seed)`;

const options = {
  data: { type: 'string' }, model: { type: 'string' }, out: { type: 'string' },
  epochs: { type: 'string' }, batch: { type: 'string' }, lr: { type: 'string' }, optimizer: { type: 'string' },
  momentum: { type: 'string' }, 'weight-decay': { type: 'string' }, schedule: { type: 'string' }, warmup: { type: 'string' }, augment: { type: 'boolean' },
  seed: { type: 'string' }, 'train-limit': { type: 'string' }, 'test-limit': { type: 'string' }, backend: { type: 'string' },
  'log-every': { type: 'string' }, method: { type: 'string' }, replicas: { type: 'string' }, sigma: { type: 'string' },
  lambda: { type: 'string' }, 'replica-mode': { type: 'string' }, rho: { type: 'string' }, margin: { type: 'string' },
  bits: { type: 'string' }, message: { type: 'string' }, strength: { type: 'string' }, 'key-seed': { type: 'string' },
  passphrase: { type: 'string' }, 'model-options': { type: 'string' }, 'uchida-layer': { type: 'string' },
  triggers: { type: 'string' }, 'fcw-mode': { type: 'string' }, 'triggers-per-batch': { type: 'string' },
  'mask-fraction': { type: 'string' }, 'mask-period': { type: 'string' }, init: { type: 'string' },
  antithetic: { type: 'string' }, 'replica-bn': { type: 'string' }, 'replica-batch': { type: 'string' }, balance: { type: 'string' }, allocation: { type: 'string' },
  checkpoint: { type: 'string' },
} as const;

/** `wmlab train`: trains (optionally watermarks) a model and writes OUT/model/, OUT/report.json, OUT/key.json. */
export async function trainCommand(argv: string[], log: (line: string) => void): Promise<Record<string, unknown>> {
  const o = parseOptions(argv, options);
  const data = required(o.data, 'data');
  const out = required(o.out, 'out');
  const arch = oneOf(o.model, 'model', ARCH_NAMES, 'cnn') as ArchName;
  const epochs = num(o.epochs, 'epochs', { min: 0, max: 10_000, default: 1 });
  const batchSize = num(o.batch, 'batch', { min: 1, max: 4096, int: true, default: 64 });
  const lr = num(o.lr, 'lr', { min: 0, max: 10, default: 0.05 });
  const optimizer = oneOf(o.optimizer, 'optimizer', ['sgd', 'adam'] as const, 'sgd');
  const momentum = num(o.momentum, 'momentum', { min: 0, max: 0.9999, default: 0.9 });
  const weightDecay = num(o['weight-decay'], 'weight-decay', { min: 0, max: 1, default: 5e-4 });
  const scheduleName = oneOf(o.schedule, 'schedule', SCHEDULE_NAMES, 'cosine');
  const warmupSteps = o.warmup === undefined || o.warmup === 'auto' ? 'auto' : num(o.warmup, 'warmup', { int: true, min: 0, max: 1_000_000, default: 0 });
  const seed = num(o.seed, 'seed', { int: true, min: 0, max: 0x7fffffff, default: 1 });
  const trainLimit = o['train-limit'] === undefined ? undefined : num(o['train-limit'], 'train-limit', { int: true, min: 1, default: 0 });
  const testLimit = o['test-limit'] === undefined ? undefined : num(o['test-limit'], 'test-limit', { int: true, min: 1, default: 0 });
  const backendChoice = oneOf(o.backend, 'backend', NODE_BACKEND_CHOICES, 'auto') as NodeBackendChoice;
  const logEvery = num(o['log-every'], 'log-every', { int: true, min: 1, default: 10 });
  const method = oneOf(o.method, 'method', TRAIN_METHODS, 'none');
  checkMethodFlags(method, o);
  const fcwOptions = method === 'fcw' ? fcwFlags(o) : undefined;
  if (method === 'uchida') uchidaFlags(o);
  const settings = watermasSettings(method === 'watermas' ? o : {});
  const checkpointDir = o.checkpoint;
  if (checkpointDir !== undefined && method !== 'none' && method !== 'watermas') {
    throw new UsageError(`--checkpoint supports --method none and watermas, not ${method}`);
  }

  const backend = await setupNodeBackend(backendChoice, 'train');
  log(`backend: ${backend.name}${backend.note ? ` (${backend.note})` : ''}`);
  const dataset = await loadDataset({ data, trainLimit, testLimit });
  log(`data: ${dataset.label}, ${dataset.train.count} train / ${dataset.test.count} test images`);
  if (dataset.train.count < batchSize) throw new UsageError(`--batch ${batchSize} is larger than the ${dataset.train.count} training images`);

  const normalization = normalizationFor(dataset);
  const modelOptions = parseModelOptions(o['model-options']);
  const run = runSettings(o);
  const resume = checkpointDir !== undefined ? await readTrainCheckpoint(checkpointDir, run) : null;
  const model = resume
    ? resume.model
    : o.init !== undefined
      ? await initialModel(o.init, arch, modelOptions)
      : createModel(arch, { seed, numClasses: dataset.classNames.length, ...(modelOptions ? { options: modelOptions } : {}) });
  log(`model: ${arch}, ${model.parameterCount.toLocaleString('en')} parameters${o.init !== undefined ? `, initialised from ${o.init}` : ''}`);
  if (resume) log(`resuming from ${checkpointDir}: step ${resume.state.step}, ${resume.state.epoch} epoch${resume.state.epoch === 1 ? '' : 's'} done, ${Math.round(resume.state.seconds)} s so far`);
  try {
    let objective: Objective | undefined;
    let disposeObjective = () => {};
    let frozen: FrozenPositions | undefined;
    let keyJson: string | undefined;
    let key: Awaited<ReturnType<typeof embedWatermark>>['key'] | undefined;
    let uchida: UchidaSetup | undefined;
    let fcw: FcwSetup | undefined;
    if (method === 'uchida') {
      uchida = await setupUchida(model, o);
      const u = uchida;
      objective = u.objective;
      disposeObjective = () => u.objective.dispose();
      keyJson = serializeUchidaKey(u.key);
      log(`watermark: Uchida, ${u.key.matrix.rows} bits on ${u.key.layer} (M=${u.key.matrix.cols}), lambda=${u.key.objective.lambda}`);
    } else if (method === 'fcw') {
      fcw = setupFcw(dataset, normalization, seed, arch, fcwOptions!);
      keyJson = serializeFcwKey(fcw.key);
      log(`watermark: FCW, ${fcw.triggers.images.count} ${fcw.triggers.mode} triggers -> class ${fcw.triggers.target}, ${fcw.embed.perBatch} per batch, masking ${fcw.embed.maskFraction} every ${fcw.embed.maskPeriod} steps`);
    }
    if (method === 'watermas') {
      const keySeed = await keySeedFrom(o);
      const payload: PayloadSpec = o.message !== undefined
        ? { kind: 'text', text: o.message }
        : { kind: 'random-bits', count: num(o.bits, 'bits', { int: true, min: 1, max: 1_000_000, default: 256 }) };
      const strength = num(o.strength, 'strength', { min: 0, max: 1, default: 0.5 });
      const allocation = oneOf(o.allocation, 'allocation', ['proportional', 'equal'] as const, 'proportional');
      if (resume) {
        // The marks are in the saved weights already: take the key the run made, embed nothing.
        if (resume.keyJson === undefined) throw new UsageError(`--checkpoint ${checkpointDir}: the checkpoint of a watermas run has no key.json`);
        key = parseKeyFile(resume.keyJson);
        frozen = toFrozenPositions(key.positions);
        keyJson = resume.keyJson;
      } else {
        const embedded = await embedWatermark(model, { seed: keySeed, payload, strength, objective: settings, positions: { allocation } });
        key = embedded.key;
        frozen = embedded.frozen;
        keyJson = serializeKey(key);
      }
      const wmObjective = createWaterMASObjective(model, frozen, { seed, settings });
      objective = wmObjective;
      disposeObjective = () => wmObjective.dispose();
      log(`watermark: ${key.positions.reduce((s, g) => s + g.indices.length, 0)} positions over ${key.positions.length} tensors (${allocation}), R=${settings.replicas} sigma=${settings.sigma} lambda=${settings.lambda} ${settings.mode}${settings.antithetic ? ' antithetic' : ''} bn=${settings.replicaBn} batch=${settings.replicaBatch} balance=${settings.balance} margin=${settings.margin}`);
    }

    const stream = new BatchStream(dataset.train, { batchSize, seed, normalization, augment: Boolean(o.augment), shuffle: true, lastBatch: 'drop' });
    const schedule = namedSchedule(scheduleName, epochs, warmupSteps);
    const warmup = warmupStepsOf(schedule, epochs * stream.batchesPerEpoch);
    log(`schedule: ${scheduleName}, lr ${lr}, warm-up ${warmup} step${warmup === 1 ? '' : 's'}${warmupSteps === 'auto' ? ' (auto)' : ''}`);
    // --epochs 0 writes the freshly initialised (and, with a method, freshly marked) model: a null model.
    const config = { epochs, lr, optimizer, momentum, weightDecay, schedule, seed, logEvery, startStep: resume?.state.step ?? 0 };
    const earlierSeconds = resume?.state.seconds ?? 0;
    const hooks: TrainHooks = {
      objective,
      frozen,
      ...(resume ? { optimizerState: resume.optimizer } : {}),
      ...(checkpointDir !== undefined
        ? {
            onEpochEnd: async (s, runState) => {
              const state = { run, step: s.step, epoch: s.epoch + 1, seconds: earlierSeconds + s.seconds };
              await writeTrainCheckpoint(checkpointDir, model, state, await runState.optimizerState(), keyJson);
              log(`checkpoint: epoch ${s.epoch + 1}, step ${s.step} saved to ${checkpointDir}`);
            },
          }
        : {}),
      onProgress: (p) =>
        log(`step ${p.step}/${p.totalSteps} epoch ${p.epoch + 1} loss ${p.loss.toFixed(4)} acc ${(100 * p.accuracy).toFixed(1)}%${p.metrics.gap !== undefined ? ` gap ${p.metrics.gap.toFixed(4)} active ${(p.metrics.activeFraction ?? NaN).toFixed(2)}` : ''} ${p.imagesPerSecond.toFixed(1)} img/s eta ${Math.round(p.etaSeconds)}s`),
    };
    const fcwResult = fcw && epochs > 0 ? await trainFcw(model, stream, config, fcw.embed, hooks) : undefined;
    const result = epochs === 0 ? untrained(frozen) : (fcwResult ?? (await train(model, stream, config, hooks)));
    const maskEvents = fcwResult?.maskEvents.length ?? 0;
    if (result.status === 'diverged') throw new Error(`training diverged: ${result.message ?? 'non-finite loss'}`);

    const test = await evaluate(model, evalBatches(dataset.test, batchSize, normalization));
    const wm = key ? await verifyWatermark(model, key) : undefined;
    const uv = uchida ? await verifyUchida(model, uchida.key) : undefined;
    const fv = fcw ? await verifyFcwKey(model, fcw.key) : undefined;
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
      ...(method === 'watermas' && wm
        ? {
            replicas: settings.replicas, sigma: settings.sigma, lambda: settings.lambda, replicaMode: settings.mode,
            rho: settings.rho, margin: settings.margin, antithetic: settings.antithetic, replicaBn: settings.replicaBn,
            replicaBatch: settings.replicaBatch, balance: settings.balance, allocation: o.allocation ?? 'proportional', bits: wm.n, ber: wm.ber, pValue: wm.pValue, detected: wm.detected,
            frozenUnchanged: result.frozenUnchanged ?? false, ...(wm.message !== undefined ? { message: wm.message } : {}),
          }
        : {}),
      ...(uchida && uv
        ? {
            layer: uchida.key.layer, lambda: uchida.key.objective.lambda, bits: uv.n, ber: uv.ber, pValue: uv.pValue,
            detected: uv.detected, ...(uv.message !== undefined ? { message: uv.message } : {}),
          }
        : {}),
      ...(fcw && fv
        ? {
            triggers: fv.n, fcwMode: fcw.triggers.mode, target: fcw.triggers.target, triggersPerBatch: fcw.embed.perBatch,
            maskFraction: fcw.embed.maskFraction, maskPeriod: fcw.embed.maskPeriod, maskEvents,
            triggerAccuracy: fv.accuracy, triggerHits: fv.hits, chanceRate: fv.chanceRate, pValue: fv.pValue, detected: fv.detected,
          }
        : {}),
    };
    await mkdir(out, { recursive: true });
    await writeFile(join(out, 'report.json'), JSON.stringify(report, null, 2) + '\n');
    disposeObjective();
    return report;
  } finally {
    model.dispose();
  }
}

/** `--flag on|off`, or the default. */
function onOff(value: string | undefined, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (value === 'on' || value === 'off') return value === 'on';
  throw new UsageError(`--${name} must be on or off, got "${value}"`);
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

function untrained(frozen: FrozenPositions | undefined) {
  return { status: 'completed' as const, steps: 0, seconds: 0, imagesPerSecond: 0, finalLoss: NaN, ...(frozen ? { frozenUnchanged: true } : {}), message: undefined };
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

function watermasSettings(o: Record<string, string | boolean | undefined>): WaterMASSettings {
  const s = (k: string) => o[k] as string | undefined;
  const d = DEFAULT_WATERMAS_SETTINGS;
  const margin = s('margin');
  const mode = oneOf(s('replica-mode'), 'replica-mode', REPLICA_MODES, d.mode);
  return {
    replicas: num(s('replicas'), 'replicas', { int: true, min: 0, max: 64, default: d.replicas }),
    sigma: num(s('sigma'), 'sigma', { min: 0, max: 10, default: d.sigma }),
    lambda: num(s('lambda'), 'lambda', { min: 0, max: 1e6, default: d.lambda }),
    mode,
    rho: num(s('rho'), 'rho', { min: 0, max: 100, default: d.rho }),
    margin: margin === 'inf' || margin === 'Infinity' ? Infinity : num(margin, 'margin', { min: 0, default: d.margin }),
    antithetic: onOff(s('antithetic'), 'antithetic', modeDefaults(mode).antithetic),
    replicaBn: oneOf(s('replica-bn'), 'replica-bn', REPLICA_BN_MODES, modeDefaults(mode).replicaBn),
    replicaBatch: oneOf(s('replica-batch'), 'replica-batch', REPLICA_BATCH_MODES, d.replicaBatch),
    balance: oneOf(s('balance'), 'balance', BALANCE_MODES, d.balance),
  };
}
