/**
 * Watermarking a training run: embedding before training, the WaterMAS objective
 * with live settings, live BER / frozen check at each progress report, and the final verification.
 */
import type { Model } from '../../models/types';
import type { FrozenPositions, StepContext } from '../../train/types';
import type { TrainHooks } from '../../train';
import {
  PASSPHRASE_ITERATIONS,
  modeDefaults,
  DEFAULT_WATERMAS_SETTINGS,
  PASSPHRASE_SALT,
  createWaterMASObjective,
  embedWatermark,
  judgeValues,
  readKeyValues,
  randomSeed,
  seedFromPassphrase,
  verifyWatermark,
  type WatermasKey,
  type PayloadSpec,
  type WaterMASObjective,
  type WaterMASSettings,
} from '../../watermark';
import type { WatermarkLiveSettings, WatermarkPayload, WatermarkProgress, WatermarkReport, WatermasMarkConfig } from '../../../protocol/watermark';
import { watermasSettingsError } from '../../../protocol/watermasSettings';
import type { MethodSession, SessionContext } from '../session';
import { bitReport } from '../verdict';

/** Most payload bits / pixels the UI may ask for (our choice: keeps the key file and the per-report read small). */
export const MAX_WATERMARK_BITS = 4096;

const LIVE_KEYS: readonly (keyof WatermarkLiveSettings)[] = ['replicas', 'sigma', 'lambda', 'mode', 'rho', 'margin', 'antithetic', 'replicaBn', 'replicaBatch', 'balance'];

/** Checks a WaterMAS config that came over the worker boundary; throws a one-line reason. */
export function validateWatermasConfig(c: WatermasMarkConfig): void {
  if (!(c.strength >= 0 && c.strength <= 1)) throw new Error(`mark strength must be in [0, 1], got ${c.strength}`);
  validateLiveSettings(c);
  const p = c.payload;
  if (p.kind === 'random') {
    if (!(Number.isInteger(p.bits) && p.bits >= 1 && p.bits <= MAX_WATERMARK_BITS)) throw new Error(`payload bits must be a whole number in 1..${MAX_WATERMARK_BITS}, got ${p.bits}`);
  } else if (p.kind === 'text') {
    if (p.text.length === 0) throw new Error('the watermark text is empty');
    if (new TextEncoder().encode(p.text).length * 8 > MAX_WATERMARK_BITS) throw new Error(`the watermark text is longer than ${MAX_WATERMARK_BITS / 8} bytes`);
  } else if (p.kind === 'image') {
    if (![1, 3].includes(p.channels)) throw new Error(`image payload: 1 or 3 channels, got ${p.channels}`);
    const n = p.width * p.height * p.channels;
    if (!(Number.isInteger(n) && n >= 1 && n <= MAX_WATERMARK_BITS)) throw new Error(`image payload: ${p.width}x${p.height}x${p.channels} must hold 1..${MAX_WATERMARK_BITS} values`);
    if (p.pixels.length !== n) throw new Error(`image payload: ${p.pixels.length} pixel values for ${p.width}x${p.height}x${p.channels}`);
  } else {
    throw new Error(`unknown payload kind "${String((p as { kind: unknown }).kind)}"`);
  }
  if (c.key.kind === 'passphrase' && c.key.passphrase.length === 0) throw new Error('the key passphrase is empty');
}

/** Checks (partial) live settings against the WaterMAS contract's limits (protocol/watermasSettings.ts); throws a one-line reason. */
export function validateLiveSettings(s: Partial<WatermarkLiveSettings>): void {
  const error = watermasSettingsError(s);
  if (error !== null) throw new Error(error);
}

function payloadSpec(p: WatermarkPayload): PayloadSpec {
  switch (p.kind) {
    case 'random':
      return { kind: 'random-bits', count: p.bits };
    case 'text':
      return { kind: 'text', text: p.text };
    case 'image':
      return { kind: 'image', width: p.width, height: p.height, channels: p.channels, pixels: Uint8Array.from(p.pixels) };
  }
}

function liveOf(s: WaterMASSettings): WatermarkLiveSettings {
  return { replicas: s.replicas, sigma: s.sigma, lambda: s.lambda, mode: s.mode, rho: s.rho, margin: s.margin, antithetic: s.antithetic, replicaBn: s.replicaBn, replicaBatch: s.replicaBatch, balance: s.balance };
}

/**
 * Settings the UI changes while a run goes on: kept here until the trainer's next `beforeStep`
 * applies them (so a change never lands in the middle of a step).
 */
export class LiveWatermarkSettings {
  private pending: Partial<WatermarkLiveSettings> | null = null;

  /** Queues a change (validated now, so the caller hears about bad values at once). */
  set(partial: Partial<WatermarkLiveSettings>): void {
    const clean: Partial<Record<keyof WatermarkLiveSettings, unknown>> = {};
    for (const k of LIVE_KEYS) if (partial[k] !== undefined) clean[k] = partial[k];
    validateLiveSettings(clean as Partial<WatermarkLiveSettings>);
    this.pending = { ...this.pending, ...(clean as Partial<WatermarkLiveSettings>) };
  }

  /** The queued change, cleared. */
  take(): Partial<WatermarkLiveSettings> | null {
    const p = this.pending;
    this.pending = null;
    return p;
  }
}

/** An embedded watermark driving one training run. */
export interface WatermarkSession {
  readonly key: WatermasKey;
  readonly frozen: FrozenPositions;
  readonly objective: WaterMASObjective;
  /** Applies queued live settings (call from the trainer's beforeStep). */
  beforeStep(ctx: StepContext): void;
  /** The trainer hooks of the run: objective, frozen positions, beforeStep. */
  trainHooks(): Pick<TrainHooks, 'objective' | 'frozen' | 'beforeStep'>;
  /** Reads the key values: BER and bitwise-unchanged check, for a progress report. */
  progress(metrics: Readonly<Record<string, number>>): Promise<WatermarkProgress>;
  /** Verifies the trained model against the key. */
  report(model: Model, frozenUnchanged: boolean): Promise<WatermarkReport>;
  /**
   * After a lost GPU device: checks that `model` (rebuilt elsewhere, checkpoint restored) holds
   * the embedded key values bitwise, then rebuilds the objective's tensors for it from the key's
   * host positions with the current live settings; progress reads `model` from then on.
   */
  moveTo(model: Model): Promise<void>;
  dispose(): void;
}

/** True when `values` are bitwise the `bits` (float32 patterns) taken at embedding. */
function sameBits(values: Float32Array, bits: Uint32Array): boolean {
  const now = new Uint32Array(values.buffer, values.byteOffset, values.length);
  if (now.length !== bits.length) return false;
  for (let i = 0; i < now.length; i++) if (now[i] !== bits[i]) return false;
  return true;
}

/**
 * Derives the key seed (random, or PBKDF2 from the passphrase), embeds the payload into the
 * fresh model (θ_K := v) and builds the WaterMAS objective over the unmarked weights.
 * `noiseSeed` drives the replica noise (the run's seed, so a run is reproducible given its key).
 */
export async function startWatermark(model: Model, config: WatermasMarkConfig, noiseSeed: number, live: LiveWatermarkSettings | null): Promise<WatermarkSession> {
  validateWatermasConfig(config);
  const seed = config.key.kind === 'passphrase' ? await seedFromPassphrase(config.key.passphrase) : randomSeed();
  const objectiveSettings: WaterMASSettings = {
    replicas: config.replicas, sigma: config.sigma, lambda: config.lambda, mode: config.mode, rho: config.rho, margin: config.margin,
    antithetic: config.antithetic ?? modeDefaults(config.mode).antithetic, replicaBn: config.replicaBn ?? modeDefaults(config.mode).replicaBn,
    replicaBatch: config.replicaBatch ?? DEFAULT_WATERMAS_SETTINGS.replicaBatch,
    balance: config.balance ?? DEFAULT_WATERMAS_SETTINGS.balance,
  };
  const { key, frozen } = await embedWatermark(model, {
    seed,
    payload: payloadSpec(config.payload),
    strength: config.strength,
    objective: objectiveSettings,
    seedHint:
      config.key.kind === 'passphrase'
        ? { source: 'passphrase', kdf: 'PBKDF2-HMAC-SHA256', salt: PASSPHRASE_SALT, iterations: PASSPHRASE_ITERATIONS }
        : { source: 'random' },
  });
  seed.fill(0);
  // Host copies kept for the whole run: the embedded values (bitwise check, and the check after a
  // move to another backend), the positions (`frozen`, `key`): a lost device cannot be read.
  const embedded = await readKeyValues(model, key);
  const embeddedBits = new Uint32Array(embedded.buffer.slice(0));
  let current = model;
  let objective = createWaterMASObjective(model, frozen, { seed: noiseSeed, settings: objectiveSettings });
  let since = 0;
  const beforeStep = (ctx: StepContext): void => {
    const change = live?.take();
    if (change && Object.keys(change).length > 0) {
      objective.setSettings(change);
      since = ctx.step;
    }
  };
  return {
    key,
    frozen,
    get objective() {
      return objective;
    },
    beforeStep,
    trainHooks() {
      return { objective, frozen, beforeStep };
    },
    async progress(metrics) {
      const values = await readKeyValues(current, key);
      const unchanged = sameBits(values, embeddedBits);
      const v = judgeValues(values, key);
      return { ber: v.ber, errors: v.errors, bits: v.n, frozenUnchanged: unchanged, settings: liveOf(objective.getSettings()), settingsSinceStep: since, metrics: { ...metrics } };
    },
    async report(trained, frozenUnchanged) {
      const v = await verifyWatermark(trained, key);
      return {
        payloadKind: v.payloadKind,
        ...bitReport(v),
        frozenUnchanged,
        perTensor: v.perTensor.map((t) => ({ ...t })),
        ...(v.image ? { image: { ...v.image } } : {}),
        keyTensors: key.positions.length,
        seedSource: config.key.kind,
      };
    },
    async moveTo(next) {
      if (!sameBits(await readKeyValues(next, key), embeddedBits)) {
        throw new Error('the restored checkpoint does not hold the embedded key values bitwise, so the watermark cannot resume');
      }
      // Same noise seed: the replica noise of step s is Rng(seed).fork(`replicas/${s}`), as before the loss.
      const moved = createWaterMASObjective(next, frozen, { seed: noiseSeed, settings: objective.getSettings() });
      try {
        objective.dispose();
      } catch {
        /* its index tensors went with the lost device */
      }
      objective = moved;
      current = next;
    },
    dispose() {
      objective.dispose();
    },
  };
}

/** A WaterMAS run's session: embeds and freezes before training, then the objective with live settings. */
export async function startWatermasSession(model: Model, config: WatermasMarkConfig, ctx: SessionContext): Promise<MethodSession> {
  const s = await startWatermark(model, config, ctx.seed, ctx.live);
  const methodKey = { method: 'watermas' as const, key: s.key };
  return {
    method: 'watermas',
    methodKey,
    source: (stream) => stream,
    trainHooks: () => s.trainHooks(),
    progress: async (metrics) => ({ method: 'watermas', ...(await s.progress(metrics)) }),
    report: async (trained, frozenUnchanged) => ({ method: 'watermas', ...(await s.report(trained, frozenUnchanged)) }),
    moveTo: (next) => s.moveTo(next),
    dispose: () => s.dispose(),
  };
}
