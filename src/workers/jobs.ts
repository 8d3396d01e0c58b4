/**
 * The worker's job table: which long jobs exclude which, and which short operations each long
 * job refuses, with the reason the page shows. Every service asks the same `JobBoard`, so a rule
 * is written once and holds both ways (a job that refuses to start while another runs is also
 * refused by it).
 *
 * Long jobs hold the tensor queue and a model (or the current slot) for seconds to minutes and
 * can be cancelled. Short operations run on the queue too; they are refused only where they
 * would change or read state a long job is using.
 */

import type { Dataset, Normalization } from '../engine/data/types';
import type { RunControl } from '../engine/train';

/** The long jobs of the worker. */
export type JobKind = 'training' | 'compare-mode' | 'attack' | 'landscape' | 'stress' | 'comparison';

export const JOB_KINDS: readonly JobKind[] = ['training', 'compare-mode', 'attack', 'landscape', 'stress', 'comparison'];

export interface JobRule {
  /** The running job, as a refusal names it: "<what>: <running> is in progress; ...". */
  readonly running: string;
  /** The long jobs that may not run at the same time as this one (itself included: one at a time). */
  readonly excludes: readonly JobKind[];
}

/**
 * Our choice: every long job excludes every other. They all compute on the one tensor queue, and
 * training, compare mode and selecting a run replace the current model that attack sweeps and
 * landscape runs read; a second long job would only wait behind the first, with the page showing
 * it as started.
 */
export const JOB_TABLE: Readonly<Record<JobKind, JobRule>> = {
  training: { running: 'a training run', excludes: ['training', 'compare-mode', 'attack', 'landscape', 'stress', 'comparison'] },
  'compare-mode': { running: 'a compare run (A vs B)', excludes: ['compare-mode', 'training', 'attack', 'landscape', 'stress', 'comparison'] },
  attack: { running: 'an attack sweep', excludes: ['attack', 'landscape', 'training', 'compare-mode', 'stress', 'comparison'] },
  landscape: { running: 'a landscape run', excludes: ['landscape', 'attack', 'training', 'compare-mode', 'stress', 'comparison'] },
  stress: { running: 'a stress run', excludes: ['stress', 'training', 'compare-mode', 'attack', 'landscape', 'comparison'] },
  comparison: { running: 'a comparison of runs', excludes: ['comparison', 'training', 'compare-mode', 'attack', 'landscape', 'stress'] },
};

/** Short operations refused while a long job runs. */
export type GuardedOp =
  | 'init' | 'loadDataset' | 'evaluate' | 'importCifarTarball' | 'exportModel' | 'fcwTriggers' | 'uchidaLayers' | 'selectRun';

/** For each short operation, the long jobs that refuse it (those writing what it reads or replaces). */
export const GUARDS: Readonly<Record<GuardedOp, readonly JobKind[]>> = {
  init: ['training', 'compare-mode'],
  loadDataset: ['training', 'compare-mode'],
  evaluate: ['training', 'compare-mode'],
  importCifarTarball: ['training', 'compare-mode'],
  exportModel: ['training', 'compare-mode'],
  fcwTriggers: ['training', 'compare-mode'],
  uchidaLayers: ['training', 'compare-mode'],
  // It replaces the current model that attack sweeps and landscape runs use.
  selectRun: ['training', 'compare-mode', 'attack', 'landscape', 'comparison'],
};

/** The refusal the page shows when `what` cannot start because `running` is going. */
export function refusal(what: string, running: JobKind, again = false): string {
  return `${what}: ${JOB_TABLE[running].running} is ${again ? 'already ' : ''}in progress; cancel it or wait until it finishes`;
}

/** The long jobs going now, checked against the table. One board per engine. */
export class JobBoard {
  private readonly going = new Map<JobKind, number>();

  /** True while a job of `kind` runs. */
  isRunning(kind: JobKind): boolean {
    return (this.going.get(kind) ?? 0) > 0;
  }

  /** True when no long job runs. */
  get idle(): boolean {
    return this.going.size === 0;
  }

  /** Throws the refusal when `kind` may not start now (named `what` in the message); itself first. */
  check(kind: JobKind, what: string): void {
    for (const other of JOB_TABLE[kind].excludes) {
      if (this.isRunning(other)) throw new Error(refusal(what, other, other === kind));
    }
  }

  /** Throws the refusal when the short operation `op` may not run now. */
  refuse(op: GuardedOp, what: string = op): void {
    for (const job of GUARDS[op]) {
      if (this.isRunning(job)) throw new Error(refusal(what, job));
    }
  }

  /** Checks `kind` (see `check`) and marks it running until the returned function is called (once). */
  begin(kind: JobKind, what: string): () => void {
    this.check(kind, what);
    this.going.set(kind, (this.going.get(kind) ?? 0) + 1);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const n = (this.going.get(kind) ?? 1) - 1;
      if (n > 0) this.going.set(kind, n);
      else this.going.delete(kind);
    };
  }
}

/** What every long job's run gets besides its own request: the data, the control that stops it, the backend's name. */
export interface LongJobInput {
  readonly dataset: Dataset;
  readonly normalization: Normalization;
  /** Its cancel() stops the job at its next checkpoint (a fine-tuning run between steps). */
  readonly control: RunControl;
  readonly backend: () => string;
}
