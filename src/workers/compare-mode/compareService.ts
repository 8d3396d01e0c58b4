import type { Dataset, Normalization } from '../../engine/data/types';
import { RunControl } from '../../engine/train';
import type { CompareApi, CompareEvent, CompareOutcome, CompareRequest, DemoPairInfo } from '../../protocol/compareMode';
import { demoPairInfo } from '../demo/demoModels';
import { runCompare, type FinishedCompareLane } from './compareRun';
import type { JobBoard } from '../jobs';
import { release } from '../pageCallback';

/** What compare mode needs from the engine service (accessors, so they always see the current state). */
export interface CompareHost {
  currentData(): { readonly dataset: Dataset; readonly normalization: Normalization } | null;
  /** Throws when the backend is not ready. */
  requireBackend(what: string): void;
  backendName(): string;
  /** Where the app is served from (the demo models live under models/demo/ there). */
  origin(): string;
  /** The engine's long jobs (jobs.ts): a comparison starts and ends there. */
  readonly jobs: JobBoard;
  /** Runs `fn` on the service's tensor queue. */
  exclusive<T>(context: string, fn: () => Promise<T>): Promise<T>;
  /** Each run that completed training, before its model is disposed (e.g. the runs registry). */
  keepRun?(run: FinishedCompareLane): void | Promise<void>;
}

/**
 * Compare mode's side of the worker: one comparison at a time on the service's tensor queue,
 * never together with a normal training run; pause / resume / cancel act on both of its runs.
 */
export class CompareService implements CompareApi {
  private control: RunControl | null = null;

  constructor(private readonly host: CompareHost) {}

  /** True while a comparison is going (training, analyses and backend changes must wait). */
  get busy(): boolean {
    return this.control !== null;
  }

  async startCompare(request: CompareRequest, onEvent: (e: CompareEvent) => void): Promise<CompareOutcome> {
    if (typeof onEvent !== 'function') throw new Error('startCompare: onEvent must be a (comlink-proxied) function');
    this.host.jobs.check('compare-mode', 'compare');
    this.host.requireBackend('compare');
    const data = this.host.currentData();
    if (!data) throw new Error('compare: no data set loaded yet');
    const control = new RunControl();
    const endJob = this.host.jobs.begin('compare-mode', 'compare');
    this.control = control;
    const keepRun = this.host.keepRun?.bind(this.host);
    return this.host
      .exclusive('compare', () =>
        runCompare({
          request, ...data, control, backend: () => this.host.backendName(), onEvent, origin: this.host.origin(),
          ...(keepRun ? { onLaneTrained: keepRun } : {}),
        }),
      )
      .finally(() => {
        endJob();
        this.control = null;
        release(onEvent);
      });
  }

  async demoPair(): Promise<DemoPairInfo> {
    this.host.requireBackend('the demo pair');
    // builds both models to read their keys back: on the tensor queue, like any other job
    return this.host.exclusive('demo pair', () => demoPairInfo(this.host.origin()));
  }

  async pauseCompare(): Promise<void> {
    if (!this.control) throw new Error('pauseCompare: no comparison in progress');
    this.control.pause();
  }

  async resumeCompare(): Promise<void> {
    if (!this.control) throw new Error('resumeCompare: no comparison in progress');
    this.control.resume();
  }

  async cancelCompare(): Promise<void> {
    this.control?.cancel();
  }
}
