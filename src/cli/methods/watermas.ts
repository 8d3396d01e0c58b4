/**
 * `--method watermas` (methods.md §1): the payload in frozen key weights, the other weights
 * trained under the replica objective. Resumable: a resumed run takes the checkpoint's key.
 */
import type { FrozenPositions } from '../../engine/train';
import type { RunMethod } from '../../engine/run';
import {
  DEFAULT_WATERMAS_SETTINGS,
  createWaterMASObjective,
  embedWatermark,
  parseKeyFile,
  serializeKey,
  toFrozenPositions,
  verifyWatermark,
  type PayloadSpec,
  type WaterMASObjective,
  type WaterMASSettings,
  type WatermasKey,
} from '../../engine/watermark';
import { BALANCE_MODES, REPLICA_BATCH_MODES, REPLICA_BN_MODES, REPLICA_MODES, modeDefaults } from '../../engine/watermark/settings';
import { WATERMAS_LIMITS, watermasSettingsError, type NumericWatermasSetting } from '../../protocol/watermasSettings';
import { num, oneOf, UsageError } from '../args';
import { trainNum } from '../trainFlags';
import { checkPayloadAndSeedFlags, keySeedFrom } from './keySeed';
import type { CliMethod, TrainOptions } from './types';

/** `--flag on|off`, or the default. */
function onOff(value: string | undefined, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (value === 'on' || value === 'off') return value === 'on';
  throw new UsageError(`--${name} must be on or off, got "${value}"`);
}

/** The objective settings: --replicas, --sigma, --lambda, --replica-mode, --rho, --margin, --antithetic, --replica-bn, --replica-batch, --balance. */
function watermasSettings(o: TrainOptions): WaterMASSettings {
  const s = (k: string) => o[k] as string | undefined;
  const d = DEFAULT_WATERMAS_SETTINGS;
  const margin = s('margin');
  const mode = oneOf(s('replica-mode'), 'replica-mode', REPLICA_MODES, d.mode);
  const limited = (flag: string, k: NumericWatermasSetting, fallback: number) => trainNum(s(flag), flag, WATERMAS_LIMITS[k], fallback);
  const settings: WaterMASSettings = {
    replicas: limited('replicas', 'replicas', d.replicas),
    sigma: limited('sigma', 'sigma', d.sigma),
    lambda: limited('lambda', 'lambda', d.lambda),
    mode,
    rho: limited('rho', 'rho', d.rho),
    margin: margin === 'inf' || margin === 'Infinity' ? Infinity : limited('margin', 'margin', d.margin),
    antithetic: onOff(s('antithetic'), 'antithetic', modeDefaults(mode).antithetic),
    replicaBn: oneOf(s('replica-bn'), 'replica-bn', REPLICA_BN_MODES, modeDefaults(mode).replicaBn),
    replicaBatch: oneOf(s('replica-batch'), 'replica-batch', REPLICA_BATCH_MODES, d.replicaBatch),
    balance: oneOf(s('balance'), 'balance', BALANCE_MODES, d.balance),
  };
  // what one flag cannot tell: σ above 1 in flip mode
  const error = watermasSettingsError(settings);
  if (error !== null) throw new UsageError(error);
  return settings;
}

/** A WaterMAS run: the embedded key, its frozen positions and the objective over the other weights. */
function watermasRunMethod(key: WatermasKey, frozen: FrozenPositions, objective: WaterMASObjective): RunMethod {
  return {
    methodKey: { method: 'watermas', key },
    source: (stream) => stream,
    trainHooks: () => ({ objective, frozen }),
    dispose: () => objective.dispose(),
  };
}

export const WATERMAS_CLI: CliMethod<'watermas'> = {
  id: 'watermas',
  flags: [
    'replicas', 'sigma', 'replica-mode', 'rho', 'margin', 'strength', 'antithetic', 'replica-bn', 'replica-batch', 'balance', 'allocation',
    'lambda', 'bits', 'message', 'key-seed', 'passphrase',
  ],
  usage: `  watermas: [--replicas R] [--sigma S] [--lambda L] [--replica-mode ${REPLICA_MODES.join('|')}] [--rho P] [--margin M|inf]
            [--antithetic on|off] [--replica-bn ${REPLICA_BN_MODES.join('|')}] (default per mode: relative on/clean, adversarial off/batch, else off/clean)
            [--replica-batch ${REPLICA_BATCH_MODES.join('|')} (each replica on the whole batch, its slice of it, or its slice of half of it: all replicas cost about one pass, or half; default ${DEFAULT_WATERMAS_SETTINGS.replicaBatch})]
            [--balance ${BALANCE_MODES.join('|')} (λ weighs the replica term in the loss, or sets the push to λ × the task gradient's norm; default ${DEFAULT_WATERMAS_SETTINGS.balance})]
            [--allocation proportional|equal]
            [--bits N | --message TEXT] [--strength Q] [--key-seed HEX | --passphrase TEXT]`,
  checkpoint: true,
  readFlags(o) {
    checkPayloadAndSeedFlags(o);
    const settings = watermasSettings(o);
    const payload: PayloadSpec = o.message !== undefined
      ? { kind: 'text', text: o.message as string }
      : { kind: 'random-bits', count: num(o.bits as string | undefined, 'bits', { int: true, min: 1, max: 1_000_000, default: 256 }) };
    const strength = num(o.strength as string | undefined, 'strength', { min: 0, max: 1, default: 0.5 });
    const allocation = oneOf(o.allocation as string | undefined, 'allocation', ['proportional', 'equal'] as const, 'proportional');
    return {
      async start({ model, seed, options, resume, checkpointDir, log }) {
        const keySeed = await keySeedFrom(options);
        let key: WatermasKey;
        let frozen: FrozenPositions;
        let keyJson: string;
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
        const runMethod = watermasRunMethod(key, frozen, createWaterMASObjective(model, frozen, { seed, settings }));
        log(`watermark: ${key.positions.reduce((s, g) => s + g.indices.length, 0)} positions over ${key.positions.length} tensors (${allocation}), R=${settings.replicas} sigma=${settings.sigma} lambda=${settings.lambda} ${settings.mode}${settings.antithetic ? ' antithetic' : ''} bn=${settings.replicaBn} batch=${settings.replicaBatch} balance=${settings.balance} margin=${settings.margin}`);
        return {
          runMethod,
          keyJson,
          async report(trained, result) {
            const wm = await verifyWatermark(trained, key);
            return {
              replicas: settings.replicas, sigma: settings.sigma, lambda: settings.lambda, replicaMode: settings.mode,
              rho: settings.rho, margin: settings.margin, antithetic: settings.antithetic, replicaBn: settings.replicaBn,
              replicaBatch: settings.replicaBatch, balance: settings.balance, allocation, bits: wm.n, ber: wm.ber, pValue: wm.pValue, detected: wm.detected,
              frozenUnchanged: result.frozenUnchanged ?? false, ...(wm.message !== undefined ? { message: wm.message } : {}),
            };
          },
        };
      },
    };
  },
};
