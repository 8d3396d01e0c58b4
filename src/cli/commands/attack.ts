import { ATTACKS, runSweep, trainerFineTune, type AttackId, type AttackOptions } from '../../engine/attacks';
import { BatchStream, evalBatches } from '../../engine/data/batches';
import { sliceImageSet } from '../../engine/data/imageset';
import { normalizationFor } from '../../engine/data/normalize';
import { evaluate } from '../../engine/train/evaluate';
import { num, numList, oneOf, parseOptions, required, UsageError } from '../args';
import { setupNodeBackend } from '../nodeBackend';
import { loadDataset } from '../nodeData';
import { describeEvidence, keyEvidence, readModelAndAnyKey } from '../anyKeyedModel';

const ATTACK_IDS = ATTACKS.map((a) => a.id) as AttackId[];

export const ATTACK_USAGE = `wmlab attack --model M --key K(watermas|uchida|fcw) --data DIR|synthetic --attack ${ATTACK_IDS.join('|')}
  [--strengths a,b,c] [--test-limit N] [--seed S] [--finetune-mode FTAL|FTLL|RTAL] [--attacker-limit N]
  [--intercept-mode flip|resample]`;

/**
 * `wmlab attack`: a strength sweep of one attack on a watermarked model: test accuracy and
 * the watermark evidence of the key's method at every strength (WaterMAS / Uchida: BER, p-value;
 * FCW: trigger accuracy, p-value); the original model is never modified.
 */
export async function attackCommand(argv: string[], log: (line: string) => void): Promise<Record<string, unknown>> {
  const o = parseOptions(argv, {
    model: { type: 'string' }, key: { type: 'string' }, data: { type: 'string' }, attack: { type: 'string' },
    strengths: { type: 'string' }, 'test-limit': { type: 'string' }, seed: { type: 'string' }, 'finetune-mode': { type: 'string' },
    'attacker-limit': { type: 'string' }, 'intercept-mode': { type: 'string' }, batch: { type: 'string' },
  });
  const attack = oneOf(required(o.attack, 'attack'), 'attack', ATTACK_IDS, 'noise');
  const strengths = numList(o.strengths, 'strengths');
  const seed = num(o.seed, 'seed', { int: true, min: 0, default: 0 });
  const testLimit = num(o['test-limit'], 'test-limit', { int: true, min: 1, default: 2000 });
  const batchSize = num(o.batch, 'batch', { int: true, min: 1, max: 4096, default: 128 });
  const data = required(o.data, 'data');
  // the backend first: the model's variables are created on it
  await setupNodeBackend('auto', attack === 'finetune' ? 'train' : 'eval');
  const { model, key } = await readModelAndAnyKey(required(o.model, 'model'), required(o.key, 'key'));
  try {
    if (attack === 'intercept' && key.method !== 'watermas') {
      throw new UsageError(`--attack intercept needs the key positions of a WaterMAS key; this is a ${key.method} key`);
    }
    const attackerLimit = num(o['attacker-limit'], 'attacker-limit', { int: true, min: 1, default: 2000 });
    const needsTrain = attack === 'finetune';
    const dataset = await loadDataset({ data, testLimit, ...(needsTrain ? {} : { trainLimit: 1 }) });
    const norm = normalizationFor(dataset);
    const opts: AttackOptions = {
      seed,
      ...(key.method === 'watermas' ? { positions: key.key.positions } : {}),
      interceptMode: oneOf(o['intercept-mode'], 'intercept-mode', ['flip', 'resample'] as const, 'flip'),
      ...(needsTrain
        ? {
            fineTune: trainerFineTune({
              mode: oneOf(o['finetune-mode'], 'finetune-mode', ['FTAL', 'FTLL', 'RTAL'] as const, 'FTAL'),
              // The attacker's data: the last third of the training set, disjoint from the owner's first two thirds.
              source: new BatchStream(attackerSet(dataset.train, attackerLimit), { batchSize: Math.min(64, attackerLimit), seed, normalization: norm, augment: true }),
            }),
          }
        : {}),
    };
    const rows: Record<string, unknown>[] = [];
    await runSweep({
      model, attack, attackOptions: opts, ...(strengths ? { strengths } : {}),
      measure: async (weights) => {
        const acc = await evaluate(model, evalBatches(dataset.test, batchSize, norm), { overrides: weights });
        const { method: _method, ...evidence } = await keyEvidence(model, key, weights);
        return { accuracy: acc.accuracy, ...evidence };
      },
      onPoint: (p) => {
        const row = { attack, strength: p.strength, ...p.metrics };
        rows.push(row);
        log(`${attack} ${p.strength}: accuracy ${(100 * (p.metrics.accuracy as number)).toFixed(2)}% ${describeEvidence(p.metrics)}`);
      },
    });
    return { model: model.config.arch, method: key.method, testImages: dataset.test.count, rows };
  } finally {
    model.dispose();
  }
}

function attackerSet(train: ReturnType<typeof sliceImageSet>, limit: number) {
  const start = Math.floor((2 * train.count) / 3);
  return sliceImageSet(train, start, Math.min(limit, train.count - start));
}
