/**
 * What the lab knows of each watermark method without its machinery: plain properties, no tfjs
 * and no key files. Each `WatermarkMethod` of the registry is its method's info plus the
 * operations; the code that must stay light or sits below the registry (the sweep tables, the
 * key files' shared envelope check) reads the info list instead. registry.test.ts checks that
 * METHOD_INFOS and METHODS list the same methods, in the same order.
 */
import type { WatermarkMethodId } from '../../protocol/watermark';
import { FCW_INFO } from './fcw/info';
import { UCHIDA_INFO } from './uchida/info';
import { WATERMAS_INFO } from './watermas/info';

/** A watermark method's plain properties. */
export interface MethodInfo<Id extends WatermarkMethodId = WatermarkMethodId> {
  readonly id: Id;
  /** Display name: 'WaterMAS', 'Uchida', 'FCW'. */
  readonly label: string;
  /** The method's key in a sentence, with its article: 'a WaterMAS', 'an FCW (trigger-set)'. */
  readonly keyPhrase: string;
  /** True when the method's key files may be committed (version 2, `commitment`); a committed key names its method. */
  readonly committedKeys: boolean;
  /**
   * True when the method's keys name marked weight positions (WaterMAS): what loss landscapes,
   * the key subspace and key interception need (a sweep skips them for the other methods).
   */
  readonly hasKeyPositions: boolean;
  /**
   * True when the method's objective has replicas R (WaterMAS): an R = 0 run is the control twin
   * of a marked run with the same settings otherwise.
   */
  readonly hasReplicas: boolean;
  /**
   * True when the key is drawn from a key seed (`keySeed` / `passphrase`: WaterMAS, Uchida); a
   * sweep derives one for a cell that names none. FCW's triggers follow the run's seed.
   */
  readonly keySeeded: boolean;
  /**
   * True when the key is a trigger set judged by running the model (FCW): `wmlab verify`
   * calibrates its chance rate (`--null-models`, `--decoys`) and re-derives committed triggers
   * (`--data`); the other methods' `--null-models` judge the key on fresh models instead.
   */
  readonly triggerSet: boolean;
  /**
   * A run's display label with the method's main setting ("WaterMAS R=4"), from the run's
   * watermark settings as stored (read loosely: they may be of an older shape).
   */
  runLabel(settings: Readonly<Record<string, unknown>> | undefined): string;
}

export const METHOD_INFOS = [
  WATERMAS_INFO,
  UCHIDA_INFO,
  FCW_INFO,
] as const satisfies readonly MethodInfo[];

/** The info of the method with this id, or undefined for anything else ('none', an unknown name, not a string). */
export function methodInfo(id: unknown): MethodInfo | undefined {
  return METHOD_INFOS.find((m) => m.id === id);
}
