/**
 * One watermark method (WaterMAS, Uchida, FCW) as the lab uses it: its config, its training
 * session, its key file and the evidence of its key on a model. The registry (registry.ts) lists
 * the methods; code outside engine/methods looks a method up there instead of switching on its name.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import type { ImageSet } from '../data/types';
import type { NamedTensor } from '../io/tfjsWeights';
import type { Model } from '../models/types';
import type { WatermasKey } from '../watermark/keyFile';
import type { VerifyVerdict } from '../../protocol/verify';
import type { WatermarkConfigOf, WatermarkMethodId } from '../../protocol/watermark';
import type { MethodInfo } from './info';
import type { MethodSession, SessionContext } from './session';

/** What the evidence of a key on weights is judged with. */
export interface KeyEvidenceOptions {
  /** Decision threshold on the p-value (default: each method's, 1e-6). */
  readonly threshold?: number;
  /** FCW recipe keys: the training set they name. */
  readonly trainSet?: ImageSet;
  /** FCW: chance rate to test against (default: the key's, else 1 / classes). */
  readonly chanceRate?: number;
}

/** What every method's evidence holds: a p-value and a verdict. */
export interface EvidenceVerdict {
  readonly method: WatermarkMethodId;
  readonly pValue: number;
  readonly log10PValue: number;
  readonly detected: boolean;
}

/** An uploaded model as the Verify panel's check hands it to a method. */
export interface UploadToVerify {
  /** The imported float tensors, by name. */
  readonly tensors: ReadonlyMap<string, NamedTensor>;
  /** The rebuilt model when the upload is runnable (the lab's format); the method disposes it. */
  readonly model: Model | undefined;
  /** The upload's format, for messages. */
  readonly format: string;
  /** The uploaded key file's name, and the model files' names joined, for messages. */
  readonly keyFile: string;
  readonly file: string;
  readonly threshold?: number;
}

/**
 * A watermark method. `Key` is its parsed key file, `Evidence` what one point of an attack sweep
 * records, `Verified` the result of verifying an uploaded model.
 */
export interface WatermarkMethod<Id extends WatermarkMethodId = WatermarkMethodId, Key = unknown, Evidence extends EvidenceVerdict = EvidenceVerdict, Verified = unknown> extends MethodInfo<Id> {

  /** Checks a config of this method that came over the worker boundary; throws a one-line reason. */
  validateConfig(config: WatermarkConfigOf<Id>): void;
  /** Starts the method on the fresh model of a training run (the config is validated first). */
  startSession(model: Model, config: WatermarkConfigOf<Id>, ctx: SessionContext): Promise<MethodSession>;

  /** The key file's schema (zod), before the semantic checks of `parseKeyFile`. */
  readonly keySchema: z.ZodType<Key>;
  /** Parses and validates a key file of this method (KeyFileError by code). */
  parseKeyFile(jsonText: string): Key;
  /** The key file text (validated first). */
  serializeKey(key: Key): string;
  /** Throws a clear error when the key cannot belong to the model (architecture, marked layer, classes). */
  checkKeyAgainstModel(key: Key, model: Pick<Model, 'paramInfo' | 'config'>): void;
  /** The architecture the key names, when it names one. */
  keyArch(key: Key): string | undefined;
  /** What a model's metadata records of its key (never the key itself). */
  keyMetadata(key: Key): Record<string, unknown>;
  /** The marked weight positions (WaterMAS; key interception attacks them); undefined for a method without. */
  markedPositions(key: Key): WatermasKey['positions'] | undefined;
  /** The replicas R in force at the end of training, as the key records them; null for a method without. */
  replicasInForce(key: Key): number | null;

  /**
   * Judges `weights` (an attacked copy of the model's parameters, or the model's own) against
   * `key` without touching the model's variables.
   */
  evidence(model: Model, key: Key, weights: ReadonlyMap<string, tf.Tensor>, opts: KeyEvidenceOptions): Promise<Evidence>;
  /** True when the Verify panel needs a runnable model (not only tensors) to judge this key. */
  readonly needsRunnableModel: boolean;
  /** Verifies an uploaded model against the key (the Verify panel, `wmlab verify`). */
  verifyUpload(upload: UploadToVerify, key: Key): Promise<Verified>;
  /** The Verify panel's verdict on an upload (plain, structured-cloneable data). */
  uploadVerdict(verified: Verified): VerifyVerdict;
  /** The method's fields of `wmlab verify`'s JSON report on an upload (plain JSON data). */
  verifyReport(verified: Verified): Record<string, unknown>;
}
