/**
 * Compare mode's defaults and the checks of a request that came over the worker boundary: the
 * two runs' full settings (base + variant, one shared key), the landscape and attack settings.
 */
import { randomSeed, seedToHex } from '../../engine/watermark';
import { WATERMAS, isConfigOf } from '../../engine/methods';
import type { LandscapeSettings, AttackSweepSettings } from '../../protocol/analysis';
import type { TrainSettings } from '../../protocol/api';
import { validateAttackSettings } from '../attack/attackRun';
import { validateLandscapeSettings } from '../landscape/landscapeRun';
import { validateTrainSettings } from '../training/trainRun';
import type { WatermasMarkConfig } from '../../protocol/watermark';
import { WATERMAS_MARK_DEFAULTS } from '../../protocol/watermarkDefaults';
import type { CompareAttackSettings, CompareLandscapeSettings, CompareRequest, CompareStart, CompareVariant } from '../../protocol/compareMode';

const STARTS: readonly CompareStart[] = ['scratch', 'demo-unmarked', 'demo-pair'];

/** The mark of a comparison when the base settings carry none (our choice: 256 random bits, engine defaults). */
export const COMPARE_BASE_MARK: WatermasMarkConfig = {
  method: 'watermas',
  payload: { kind: 'random', bits: 256 },
  ...WATERMAS_MARK_DEFAULTS,
};

/** The lecture's comparison: R = 0 (plain substitution, the control) against R = 4. */
export const DEFAULT_COMPARE_VARIANTS: readonly [CompareVariant, CompareVariant] = [{ replicas: 0 }, { replicas: 4 }];

/** Same radius and seed as the Landscape panel's defaults; 11 points per slice (our choice). */
export const DEFAULT_COMPARE_LANDSCAPE: CompareLandscapeSettings = { radius: 1, grid: 11, evalSize: 256, seed: 0 };

/** The noise attack on its default grid (our choice: cheap, and the one the lecture shows). */
export const DEFAULT_COMPARE_ATTACK: CompareAttackSettings = { attack: 'noise', strengths: [0, 1, 2, 7, 10], testLimit: 256, seed: 0 };

export interface ResolvedCompare {
  readonly start: CompareStart;
  /** What each run trains with (the shared key included). */
  readonly runSettings: readonly [TrainSettings, TrainSettings];
  /** The same, as reported back (the base's key as given: a generated passphrase stays in the worker). */
  readonly reportedSettings: readonly [TrainSettings, TrainSettings];
  readonly variants: readonly [CompareVariant, CompareVariant];
  readonly landscape: CompareLandscapeSettings;
  readonly attack: CompareAttackSettings;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The engine landscape settings of a comparison (1-D, no eigenvalues). */
export function landscapeSettingsOf(s: CompareLandscapeSettings): LandscapeSettings {
  return { radius: s.radius, grid: s.grid, dims: 1, evalSize: s.evalSize, seed: s.seed, eigenIters: 0 };
}

/** The engine attack settings of a comparison. */
export function attackSettingsOf(s: CompareAttackSettings): AttackSweepSettings {
  return { attack: s.attack, strengths: [...s.strengths], testLimit: s.testLimit, seed: s.seed };
}

/**
 * Fills in the defaults and checks everything before any tensor is made; throws a one-line reason.
 * Both runs get the base settings with the base mark (or COMPARE_BASE_MARK) and their variant on
 * top; a random key becomes one random passphrase shared by both runs (our choice: the only way
 * through the normal embedding path to give two runs the same key), so the runs differ only in
 * the variant fields.
 */
export function resolveCompareRequest(req: CompareRequest): ResolvedCompare {
  if (!isPlainObject(req) || !isPlainObject(req.base)) throw new Error('the request needs base training settings');
  const start = req.start ?? 'scratch';
  if (!STARTS.includes(start)) throw new Error(`start must be one of ${STARTS.join(', ')} (got "${String(start)}")`);

  const variants = req.variants ?? DEFAULT_COMPARE_VARIANTS;
  if (!Array.isArray(variants) || variants.length !== 2 || !variants.every(isPlainObject)) throw new Error('variants must be a list of two objects (runs A and B)');
  const baseMark: WatermasMarkConfig = isConfigOf(req.base.watermark, WATERMAS) ? req.base.watermark : COMPARE_BASE_MARK;
  const key: WatermasMarkConfig['key'] = baseMark.key.kind === 'random' ? { kind: 'passphrase', passphrase: seedToHex(randomSeed()) } : baseMark.key;
  const build = (v: CompareVariant, i: number, withKey: WatermasMarkConfig['key']): TrainSettings => {
    if (v.method !== undefined && !isConfigOf(v, WATERMAS)) throw new Error(`run ${i === 0 ? 'A' : 'B'}: a comparison trains WaterMAS runs (got method "${String(v.method)}")`);
    const watermark: WatermasMarkConfig = { ...baseMark, ...v, method: 'watermas', key: v.key ?? withKey };
    return { ...req.base, watermark };
  };
  const runSettings = [build(variants[0], 0, key), build(variants[1], 1, key)] as const;
  runSettings.forEach((s, i) => {
    try {
      validateTrainSettings(s);
    } catch (e) {
      throw new Error(`run ${i === 0 ? 'A' : 'B'}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  });
  const landscape: CompareLandscapeSettings = { ...DEFAULT_COMPARE_LANDSCAPE, ...(isPlainObject(req.landscape) ? req.landscape : {}) };
  validateLandscapeSettings(landscapeSettingsOf(landscape));
  const attack: CompareAttackSettings = { ...DEFAULT_COMPARE_ATTACK, ...(isPlainObject(req.attack) ? req.attack : {}) };
  validateAttackSettings(attackSettingsOf(attack));
  if (attack.strengths.length === 0) throw new Error('the attack sweep needs at least one strength');
  return {
    start,
    runSettings,
    reportedSettings: [build(variants[0], 0, baseMark.key), build(variants[1], 1, baseMark.key)],
    variants: [{ ...variants[0] }, { ...variants[1] }],
    landscape,
    attack,
  };
}
