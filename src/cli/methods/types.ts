/**
 * What `wmlab train` needs of one watermark method (the CLI's counterpart of
 * engine/methods/types.ts and ui/watermark/methods/types.ts): its flags, reading and checking them
 * before any work, whether it supports --checkpoint, starting the run's method (its key and
 * session) from them, its log lines, its key file and its fields of the JSON report. The registry
 * (registry.ts) lists the methods; commands/train.ts looks a method up there instead of switching
 * on its name.
 */
import type { Dataset, Normalization } from '../../engine/data/types';
import type { ArchName, Model } from '../../engine/models/types';
import type { RunMethod } from '../../engine/run';
import type { TrainResult } from '../../engine/train';
import type { WatermarkMethodName } from '../../protocol/api';
import type { LoadedCheckpoint } from '../trainCheckpoint';

/** `wmlab train`'s parsed options. */
export type TrainOptions = Readonly<Record<string, string | boolean | undefined>>;

/** What a method starts from, once the backend, the data set and the model are there. */
export interface TrainMethodContext {
  /** The run's model: fresh, --init's, or the checkpoint's when the run resumes. */
  readonly model: Model;
  readonly dataset: Dataset;
  readonly normalization: Normalization;
  /** The run's --seed. */
  readonly seed: number;
  readonly arch: ArchName;
  readonly options: TrainOptions;
  /** The checkpoint the run resumes from (--checkpoint with a saved epoch), else null. */
  readonly resume: LoadedCheckpoint | null;
  readonly checkpointDir: string | undefined;
  readonly log: (line: string) => void;
}

/** A method started on the run's model. */
export interface TrainMethodRun {
  /** What the training run trains with; null: plain training. */
  readonly runMethod: RunMethod | null;
  /** The key file: OUT/key.json and each checkpoint's key.json (absent: no key). */
  readonly keyJson?: string;
  /** The method's fields of the JSON report (its key verified on the trained model). */
  report(model: Model, result: TrainResult): Promise<Record<string, unknown>>;
}

/** A method whose flags were read and checked: starts it once the run's model is there. */
export interface TrainMethodPlan {
  start(ctx: TrainMethodContext): Promise<TrainMethodRun>;
}

/** One method of `wmlab train --method`. */
export interface CliMethod<M extends WatermarkMethodName = WatermarkMethodName> {
  readonly id: M;
  /**
   * Its own flags (string-valued, without the dashes). A flag of another method only is a usage
   * error ("--triggers needs --method fcw"); a flag several methods share is in each one's list.
   */
  readonly flags: readonly string[];
  /** Its line(s) of TRAIN_USAGE ("  uchida:   [--uchida-layer NAME] ..."), if it has flags. */
  readonly usage?: string;
  /** It supports --checkpoint (resumable runs). */
  readonly checkpoint: boolean;
  /** Reads and checks its flags before any work (usage errors, exit code 2, up front). */
  readFlags(options: TrainOptions): TrainMethodPlan;
}
