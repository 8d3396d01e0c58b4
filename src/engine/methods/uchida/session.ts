/**
 * Uchida et al. 2017 driving a training run (methods.md §4): the key (seeded projection matrix,
 * payload, conv layer), the BCE regulariser objective, live BER and the final report. The same
 * engine calls as `wmlab train --method uchida` (src/cli/methods/uchida.ts).
 */
import { createModel, isArchName } from '../../models';
import type { Model } from '../../models/types';
import {
  UCHIDA_DEFAULT_BITS,
  UCHIDA_DEFAULT_LAMBDA,
  UchidaObjective,
  createUchidaKey,
  defaultUchidaLayer,
  randomSeed,
  seedFromPassphrase,
  serializeUchidaKey,
  verifyUchida,
  type UchidaKey,
} from '../../watermark';
import type { UchidaConfig, UchidaLayers, UchidaMarkConfig, WatermarkLiveSettings, WatermarkReport } from '../../../protocol/watermark';
import { FIXED_SETTINGS, type MethodSession } from '../session';
import { bitReport } from '../verdict';

/** Most payload bits of an Uchida mark in the lab (our choice, as for WaterMAS). */
export const MAX_UCHIDA_BITS = 4096;

/** The Uchida settings of a config, engine defaults where absent. */
export function uchidaConfigOf(c: UchidaMarkConfig): UchidaConfig {
  return { layer: c.uchida?.layer ?? '', lambda: c.uchida?.lambda ?? UCHIDA_DEFAULT_LAMBDA };
}

/** Checks the Uchida parts of a config (payload random bits or text, λ, key); throws a one-line reason. */
export function validateUchidaConfig(c: UchidaMarkConfig): void {
  const u = uchidaConfigOf(c);
  if (typeof u.layer !== 'string') throw new Error('the Uchida layer must be a tensor name (or empty for the default)');
  if (!(u.lambda >= 0 && Number.isFinite(u.lambda))) throw new Error(`Uchida λ must be finite and >= 0, got ${u.lambda}`);
  const p = c.payload;
  if (p.kind === 'random') {
    if (!(Number.isInteger(p.bits) && p.bits >= 1 && p.bits <= MAX_UCHIDA_BITS)) throw new Error(`payload bits must be a whole number in 1..${MAX_UCHIDA_BITS}, got ${p.bits}`);
  } else if (p.kind === 'text') {
    if (p.text.length === 0) throw new Error('the watermark text is empty');
    if (new TextEncoder().encode(p.text).length * 8 > MAX_UCHIDA_BITS) throw new Error(`the watermark text is longer than ${MAX_UCHIDA_BITS / 8} bytes`);
  } else {
    throw new Error('Uchida carries random bits or a text, not an image: pick another payload');
  }
  if (c.key.kind === 'passphrase' && c.key.passphrase.length === 0) throw new Error('the key passphrase is empty');
}

/** Number of payload bits an Uchida config asks for. */
export function uchidaBits(c: Pick<UchidaMarkConfig, 'payload'>): number {
  return c.payload.kind === 'random' ? c.payload.bits : c.payload.kind === 'text' ? new TextEncoder().encode(c.payload.text).length * 8 : UCHIDA_DEFAULT_BITS;
}

/** The conv kernels of `arch` (for the layer select) and the default layer for `bits` bits. */
export function uchidaLayersOf(model: Pick<Model, 'paramInfo' | 'config'>, bits: number): UchidaLayers {
  const layers = model.paramInfo
    .filter((p) => p.role === 'conv-kernel' && p.shape.length === 4)
    .map((p) => ({ name: p.name, shape: [...p.shape], projected: p.shape.slice(0, -1).reduce((a, b) => a * b, 1) }));
  return { arch: model.config.arch, layers, defaultLayer: layers.length > 0 ? defaultUchidaLayer(model.paramInfo, bits) : '' };
}

/** uchidaLayersOf for an architecture name: builds a throwaway model (seed 0) and disposes it. */
export function uchidaLayersForArch(arch: string, bits: number): UchidaLayers {
  if (!isArchName(arch)) throw new Error(`unknown model "${arch}"`);
  if (!(Number.isInteger(bits) && bits >= 1)) throw new Error(`bits must be a whole number >= 1, got ${bits}`);
  const m = createModel(arch, { seed: 0 });
  try {
    return uchidaLayersOf(m, bits);
  } finally {
    m.dispose();
  }
}

function reportOf(key: UchidaKey, v: Awaited<ReturnType<typeof verifyUchida>>, seedSource: 'random' | 'passphrase'): WatermarkReport {
  return {
    method: 'uchida',
    payloadKind: key.payload.kind,
    ...bitReport(v),
    frozenUnchanged: true,
    perTensor: [{ tensor: key.layer, n: v.n, errors: v.errors, erasures: v.erasures }],
    keyTensors: 1,
    seedSource,
    uchida: { layer: key.layer, lambda: key.objective.lambda, rows: key.matrix.rows, cols: key.matrix.cols },
  };
}

/**
 * Starts an Uchida-marked run on the fresh `model`: derives the key seed (random, or PBKDF2
 * from the passphrase), builds the key (layer: the config's, else the engine default) and the
 * regulariser objective. Nothing is written into the model before training.
 */
export async function startUchida(model: Model, config: UchidaMarkConfig): Promise<MethodSession> {
  validateUchidaConfig(config);
  const u = uchidaConfigOf(config);
  if (u.layer !== '') {
    const convs = uchidaLayersOf(model, 1).layers.map((l) => l.name);
    if (!convs.includes(u.layer)) throw new Error(`the Uchida layer must be a conv kernel of this ${model.config.arch} (${convs.join(', ')}), got "${u.layer}"`);
  }
  const seed = config.key.kind === 'passphrase' ? await seedFromPassphrase(config.key.passphrase) : randomSeed();
  let key: UchidaKey;
  try {
    key = createUchidaKey(model, {
      seed,
      payload: config.payload.kind === 'text' ? { kind: 'text', text: config.payload.text } : { kind: 'random-bits', count: uchidaBits(config) },
      lambda: u.lambda,
      ...(u.layer !== '' ? { layer: u.layer } : {}),
    });
  } finally {
    seed.fill(0);
  }
  // The key (projection seed, payload bits, layer) is host data: the objective's tensors (X, b)
  // can be made again on another backend after a lost device.
  let current = model;
  let objective = new UchidaObjective(key, { lambda: u.lambda });
  const settings: WatermarkLiveSettings = { ...FIXED_SETTINGS, lambda: u.lambda };
  const methodKey = { method: 'uchida' as const, key };
  return {
    method: 'uchida',
    methodKey,
    source: (stream) => stream,
    trainHooks: () => ({ objective }),
    async progress(metrics) {
      const v = await verifyUchida(current, key);
      return { method: 'uchida', ber: v.ber, errors: v.errors, bits: v.n, frozenUnchanged: true, settings, settingsSinceStep: 0, metrics: { ...metrics } };
    },
    async report(trained) {
      return reportOf(key, await verifyUchida(trained, key), config.key.kind);
    },
    async moveTo(next) {
      // λ is fixed for an Uchida run (no live slider), so the config's value is the current one.
      const moved = new UchidaObjective(key, { lambda: u.lambda });
      try {
        objective.dispose();
      } catch {
        /* X and b went with the lost device */
      }
      objective = moved;
      current = next;
    },
    dispose: () => objective.dispose(),
  };
}

/** key.json text of an Uchida key. */
export function uchidaKeyText(key: UchidaKey): string {
  return serializeUchidaKey(key);
}
