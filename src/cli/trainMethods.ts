import type { Dataset, Normalization } from '../engine/data/types';
import {
  FCW_DEFAULT_MASK_FRACTION,
  FCW_DEFAULT_MASK_PERIOD,
  FCW_DEFAULT_PER_BATCH,
  FCW_DEFAULT_TRIGGER_COUNT,
  createFcwKey,
  committedTriggers,
  fcwNonce,
  FCW_DEFAULT_RATIO,
  type FcwEmbedOptions,
  type FcwKey,
  type FcwTriggers,
} from '../engine/fcw';
import type { Model } from '../engine/models/types';
import {
  UCHIDA_DEFAULT_BITS,
  UCHIDA_DEFAULT_LAMBDA,
  UchidaObjective,
  createUchidaKey,
  randomSeed,
  seedFromHex,
  seedFromPassphrase,
  type CreateUchidaKeyOptions,
  type UchidaKey,
} from '../engine/watermark';
import { num, oneOf, UsageError } from './args';

export const TRAIN_METHODS = ['none', 'watermas', 'uchida', 'fcw'] as const;
export type TrainMethod = (typeof TRAIN_METHODS)[number];

type Opts = Readonly<Record<string, string | boolean | undefined>>;

/** Which method each method-specific flag belongs to. */
const FLAG_METHODS: Readonly<Record<string, readonly TrainMethod[]>> = {
  replicas: ['watermas'], sigma: ['watermas'], 'replica-mode': ['watermas'], rho: ['watermas'], margin: ['watermas'], strength: ['watermas'],
  antithetic: ['watermas'], 'replica-bn': ['watermas'], 'replica-batch': ['watermas'], balance: ['watermas'], allocation: ['watermas'],
  lambda: ['watermas', 'uchida'], bits: ['watermas', 'uchida'], message: ['watermas', 'uchida'],
  'key-seed': ['watermas', 'uchida'], passphrase: ['watermas', 'uchida'],
  'uchida-layer': ['uchida'],
  triggers: ['fcw'], 'fcw-mode': ['fcw'], 'triggers-per-batch': ['fcw'], 'mask-fraction': ['fcw'], 'mask-period': ['fcw'],
};

/** Usage error for a method-specific flag given with another method (e.g. --triggers with --method none). */
export function checkMethodFlags(method: TrainMethod, o: Opts): void {
  for (const [flag, methods] of Object.entries(FLAG_METHODS)) {
    if (o[flag] !== undefined && !methods.includes(method)) {
      throw new UsageError(`--${flag} needs --method ${methods.join(' or ')}${method === 'none' ? '' : ` (not ${method})`}`);
    }
  }
  if (o.bits !== undefined && o.message !== undefined) throw new UsageError('give either --bits or --message, not both');
  if (o['key-seed'] !== undefined && o.passphrase !== undefined) throw new UsageError('give either --key-seed or --passphrase, not both');
}

/** The secret key seed: --key-seed HEX, --passphrase TEXT, or a fresh random one. */
export async function keySeedFrom(o: Opts): Promise<Uint8Array> {
  const hex = o['key-seed'] as string | undefined;
  const pass = o.passphrase as string | undefined;
  return hex !== undefined ? seedFromHex(hex) : pass !== undefined ? await seedFromPassphrase(pass) : randomSeed();
}

export interface UchidaSetup {
  readonly key: UchidaKey;
  readonly objective: UchidaObjective;
}

/** `--method uchida`: the key (seeded matrix, payload, layer) and the regulariser objective. */
export async function setupUchida(model: Model, o: Opts): Promise<UchidaSetup> {
  const { lambda, payload } = uchidaFlags(o);
  const layer = o['uchida-layer'] as string | undefined;
  if (layer !== undefined) {
    const convs = model.paramInfo.filter((p) => p.role === 'conv-kernel' && p.shape.length === 4).map((p) => p.name);
    if (!convs.includes(layer)) throw new UsageError(`--uchida-layer must be a conv kernel of this model (${convs.join(', ')}), got "${layer}"`);
  }
  const key = createUchidaKey(model, {
    seed: await keySeedFrom(o),
    payload,
    lambda,
    ...(layer !== undefined ? { layer } : {}),
  });
  return { key, objective: new UchidaObjective(key, { lambda }) };
}

/** The FCW flags, read before any work so that a bad value is a usage error (exit 2) up front. */
export interface FcwFlags {
  readonly mode: 'direct' | 'invisible';
  readonly count: number;
  readonly perBatch: number;
  readonly maskFraction: number;
  readonly maskPeriod: number;
}

/** Reads --fcw-mode, --triggers, --triggers-per-batch, --mask-fraction, --mask-period (paper defaults). */
export function fcwFlags(o: Opts): FcwFlags {
  const s = (k: string) => o[k] as string | undefined;
  return {
    mode: oneOf(s('fcw-mode'), 'fcw-mode', ['direct', 'invisible'] as const, 'direct'),
    count: num(s('triggers'), 'triggers', { int: true, min: 1, max: 10_000, default: FCW_DEFAULT_TRIGGER_COUNT }),
    perBatch: num(s('triggers-per-batch'), 'triggers-per-batch', { int: true, min: 1, max: 4096, default: FCW_DEFAULT_PER_BATCH }),
    maskFraction: num(s('mask-fraction'), 'mask-fraction', { min: 0, max: 1, default: FCW_DEFAULT_MASK_FRACTION }),
    maskPeriod: num(s('mask-period'), 'mask-period', { int: true, min: 1, max: 1_000_000, default: FCW_DEFAULT_MASK_PERIOD }),
  };
}

/** The Uchida flags that need no model: λ and the payload (--bits T | --message TEXT). */
export function uchidaFlags(o: Opts): { lambda: number; payload: CreateUchidaKeyOptions['payload'] } {
  const message = o.message as string | undefined;
  return {
    lambda: num(o.lambda as string | undefined, 'lambda', { min: 0, max: 1e6, default: UCHIDA_DEFAULT_LAMBDA }),
    payload: message !== undefined
      ? { kind: 'text', text: message }
      : { kind: 'random-bits', count: num(o.bits as string | undefined, 'bits', { int: true, min: 1, max: 1_000_000, default: UCHIDA_DEFAULT_BITS }) },
  };
}

export interface FcwSetup {
  readonly triggers: FcwTriggers;
  readonly embed: FcwEmbedOptions;
  readonly key: FcwKey;
}

/**
 * `--method fcw`: triggers fused from the training set (seeded by the run's --seed; the target
 * class is drawn from it too), the embedding options, and the key. Our choice: the key stores
 * the trigger pixels (so it verifies without the data set) and no measured chance rate (the
 * verdict tests against 1 / numClasses).
 */
export function setupFcw(dataset: Dataset, normalization: Normalization, seed: number, arch: string, flags: FcwFlags): FcwSetup {
  const numClasses = dataset.classNames.length;
  // committed: the trigger generator's seed follows from a nonce (the run seed's), so the key can prove its triggers
  const nonce = fcwNonce(seed);
  const triggers = committedTriggers(dataset.train, { nonce, mode: flags.mode, count: flags.count, ratio: FCW_DEFAULT_RATIO, numClasses });
  const { perBatch, maskFraction, maskPeriod } = flags;
  const embed: FcwEmbedOptions = { triggers, normalization, seed, perBatch, maskFraction, maskPeriod };
  const key = createFcwKey(triggers, { numClasses, normalization, arch, embedding: { seed, perBatch, maskFraction, maskPeriod }, commit: { nonce, trainCount: dataset.train.count } });
  return { triggers, embed, key };
}
