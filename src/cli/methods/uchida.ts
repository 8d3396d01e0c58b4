/**
 * `--method uchida` (methods.md §3): a seeded projection of one conv kernel carries the payload,
 * trained in by a BCE regulariser.
 */
import { serializeUchidaKey, verifyUchida, UCHIDA_DEFAULT_BITS, UCHIDA_DEFAULT_LAMBDA, UchidaObjective, createUchidaKey, type CreateUchidaKeyOptions, type UchidaKey } from '../../engine/watermark';
import type { Model } from '../../engine/models/types';
import type { RunMethod } from '../../engine/run';
import { num, UsageError } from '../args';
import { checkPayloadAndSeedFlags, keySeedFrom } from './keySeed';
import type { CliMethod, TrainOptions } from './types';

/** The Uchida flags that need no model: λ and the payload (--bits T | --message TEXT). */
function uchidaFlags(o: TrainOptions): { lambda: number; payload: CreateUchidaKeyOptions['payload'] } {
  const message = o.message as string | undefined;
  return {
    lambda: num(o.lambda as string | undefined, 'lambda', { min: 0, max: 1e6, default: UCHIDA_DEFAULT_LAMBDA }),
    payload: message !== undefined
      ? { kind: 'text', text: message }
      : { kind: 'random-bits', count: num(o.bits as string | undefined, 'bits', { int: true, min: 1, max: 1_000_000, default: UCHIDA_DEFAULT_BITS }) },
  };
}

interface UchidaSetup {
  readonly key: UchidaKey;
  readonly objective: UchidaObjective;
}

/** The key (seeded matrix, payload, layer) and the regulariser objective; --uchida-layer is checked against the model. */
async function setupUchida(model: Model, o: TrainOptions, flags: ReturnType<typeof uchidaFlags>): Promise<UchidaSetup> {
  const { lambda, payload } = flags;
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

/** An Uchida run: the regulariser objective. */
function uchidaRunMethod(setup: UchidaSetup): RunMethod {
  return {
    methodKey: { method: 'uchida', key: setup.key },
    source: (stream) => stream,
    trainHooks: () => ({ objective: setup.objective }),
    dispose: () => setup.objective.dispose(),
  };
}

export const UCHIDA_CLI: CliMethod<'uchida'> = {
  id: 'uchida',
  flags: ['lambda', 'bits', 'message', 'key-seed', 'passphrase', 'uchida-layer'],
  usage: '  uchida:   [--uchida-layer NAME] [--bits T | --message TEXT] [--lambda L] [--key-seed HEX | --passphrase TEXT]',
  checkpoint: false,
  readFlags(o) {
    checkPayloadAndSeedFlags(o);
    const flags = uchidaFlags(o);
    return {
      async start({ model, options, log }) {
        const u = await setupUchida(model, options, flags);
        const runMethod = uchidaRunMethod(u);
        const keyJson = serializeUchidaKey(u.key);
        log(`watermark: Uchida, ${u.key.matrix.rows} bits on ${u.key.layer} (M=${u.key.matrix.cols}), lambda=${u.key.objective.lambda}`);
        return {
          runMethod,
          keyJson,
          async report(trained) {
            const uv = await verifyUchida(trained, u.key);
            return {
              layer: u.key.layer, lambda: u.key.objective.lambda, bits: uv.n, ber: uv.ber, pValue: uv.pValue,
              detected: uv.detected, ...(uv.message !== undefined ? { message: uv.message } : {}),
            };
          },
        };
      },
    };
  },
};
