import { ATTACKS, attackOptionsFor, getAttack, sweepWithEvidence, type AttackId } from '../../engine/attacks';
import { normalizationFor } from '../../engine/data/normalize';
import { methodOf, type KeyEvidence } from '../../engine/methods';
import { num, numList, oneOf, parseOptions, required, UsageError } from '../args';
import { setupNodeBackend } from '../nodeBackend';
import { loadDataset } from '../nodeData';
import { describeEvidence, readModelAndMethodKey } from '../anyKeyedModel';

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
  const { model, key } = await readModelAndMethodKey(required(o.model, 'model'), required(o.key, 'key'));
  try {
    if (getAttack(attack).needs === 'positions' && !methodOf(key).markedPositions(key.key)) {
      throw new UsageError(`--attack intercept needs the key positions of a WaterMAS key; this is a ${key.method} key`);
    }
    const attackerLimit = num(o['attacker-limit'], 'attacker-limit', { int: true, min: 1, default: 2000 });
    const needsTrain = attack === 'finetune';
    const dataset = await loadDataset({ data, testLimit, ...(needsTrain ? {} : { trainLimit: 1 }) });
    const norm = normalizationFor(dataset);
    const options = attackOptionsFor(
      {
        attack,
        seed,
        attackerLimit,
        interceptMode: oneOf(o['intercept-mode'], 'intercept-mode', ['flip', 'resample'] as const, 'flip'),
        fineTuneMode: oneOf(o['finetune-mode'], 'finetune-mode', ['FTAL', 'FTLL', 'RTAL'] as const, 'FTAL'),
      },
      key,
      dataset.train,
      norm,
    );
    const rows: Record<string, unknown>[] = [];
    await sweepWithEvidence({
      model, key, attack, options, strengths: strengths ?? getAttack(attack).defaultStrengths,
      test: dataset.test, batchSize, normalization: norm,
      onPoint: (p) => {
        const { method: _method, ...evidence } = p.evidence as KeyEvidence;
        const row = { attack, strength: p.strength, accuracy: p.accuracy, ...evidence };
        rows.push(row);
        log(`${attack} ${p.strength}: accuracy ${(100 * p.accuracy).toFixed(2)}% ${describeEvidence(evidence)}`);
      },
    });
    return { model: model.config.arch, method: key.method, testImages: dataset.test.count, rows };
  } finally {
    model.dispose();
  }
}
