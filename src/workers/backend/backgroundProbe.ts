/**
 * Measures a candidate backend in a separate worker (probe.worker.ts) while the lab already
 * runs on another. The worker is terminated as soon as it has answered, when it is stopped
 * (a run is starting: the cores are the run's), or when it overruns its limit by more than
 * GRACE_MS, so a losing probe never keeps working in the background.
 */
import * as Comlink from 'comlink';
import type { BackgroundOutcome } from '../../engine/backend/start-plan';
import { BACKEND_TIMEOUT_MS } from './probe';
import type { ProbeWorkerApi } from './probe.worker';

/** Past the limit (plus the backend's initialisation), how long the worker may take to answer before it is killed. */
const GRACE_MS = 2_000;

export class BackgroundProbe {
  readonly outcome: Promise<BackgroundOutcome>;
  private stopWith: ((reason: string) => void) | null = null;

  constructor(
    readonly name: string,
    limitMs: number,
    rivalMsPerStep: number,
  ) {
    const worker = new Worker(new URL('./probe.worker.ts', import.meta.url), { type: 'module', name: `backend-probe-${name}` });
    const remote = Comlink.wrap<ProbeWorkerApi>(worker);
    const stopped = new Promise<BackgroundOutcome>((resolve) => {
      this.stopWith = (reason) => resolve({ kind: 'stopped', name, reason });
    });
    const crashed = new Promise<BackgroundOutcome>((resolve) => {
      worker.addEventListener('error', (e) => resolve({ kind: 'failed', name, error: e.message || 'the probe worker failed to start' }));
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const overran = new Promise<BackgroundOutcome>((resolve) => {
      const afterMs = limitMs + BACKEND_TIMEOUT_MS + GRACE_MS;
      timer = setTimeout(() => resolve({ kind: 'abandoned', name, afterMs }), afterMs);
    });
    const answered = remote.measure(name, limitMs, rivalMsPerStep).catch((e: unknown): BackgroundOutcome => ({ kind: 'failed', name, error: e instanceof Error ? e.message : String(e) }));
    this.outcome = Promise.race([answered, stopped, crashed, overran]).finally(() => {
      clearTimeout(timer);
      this.stopWith = null;
      remote[Comlink.releaseProxy]();
      worker.terminate();
    });
  }

  /** Stops the probe (its worker is terminated); `outcome` resolves as 'stopped' unless it already answered. */
  stop(reason: string): void {
    this.stopWith?.(reason);
  }
}
