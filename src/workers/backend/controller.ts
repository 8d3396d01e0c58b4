/**
 * The engine worker's backend: starts it (setup.ts), runs the background measurement that
 * 'auto' asks for on a software GPU, remembers the outcome per adapter (choiceCache.ts) and
 * switches to the winner when that disturbs nothing. A run starting stops the measurement: the
 * cores belong to the run.
 */
import { decideBackground, describeChoice } from '../../engine/backend/start-plan';
import type { BackendInfo, BackendPreference } from '../../protocol/api';
import { BackgroundProbe } from './backgroundProbe';
import { writeCachedChoice } from './choiceCache';
import { startBackend, type BackgroundPlan } from './setup';

export interface BackendHost {
  /** True when switching backends now would disturb nothing (no job queued or running, no model loaded). */
  canSwitch(): boolean;
  /** Restarts 'auto' through the engine's queue (it then finds the cached winner). */
  restartAuto(): Promise<void>;
}

export class BackendController {
  private current: BackendInfo | null = null;
  private probe: BackgroundProbe | null = null;
  private pending: Promise<void> = Promise.resolve();
  /** Bumped by every start, so that a late background result never overwrites a newer backend. */
  private generation = 0;

  constructor(private readonly host: BackendHost) {}

  /** The running backend, or null before the first start. */
  get info(): BackendInfo | null {
    return this.current;
  }

  /** Starts a backend (see startBackend); a background measurement still going on is stopped first. */
  async start(preference: BackendPreference): Promise<BackendInfo> {
    this.stopBackground('the backend was restarted');
    const generation = ++this.generation;
    const { info, background } = await startBackend(preference);
    this.current = info;
    this.pending = background ? this.measureInBackground(background, generation) : Promise.resolve();
    return info;
  }

  /** The backend once no background measurement is going on (null before the first start). */
  async settled(): Promise<BackendInfo | null> {
    await this.pending;
    return this.current;
  }

  /** Stops a background measurement, if one is going on (the active backend stays). */
  stopBackground(reason: string): void {
    this.probe?.stop(reason);
  }

  private async measureInBackground(plan: BackgroundPlan, generation: number): Promise<void> {
    const probe = new BackgroundProbe(plan.candidate, plan.limitMs, plan.started.msPerStep);
    this.probe = probe;
    const outcome = await probe.outcome;
    if (this.probe === probe) this.probe = null;
    const base = this.current;
    if (generation !== this.generation || base === null) return;
    const measured = [plan.started];
    if (outcome.kind === 'stopped') {
      const reason = `${plan.candidate} runs on a software adapter: started on wasm; its measurement against wasm was stopped (${outcome.reason}), so wasm stays and it is measured again next visit`;
      this.current = { ...base, choice: { basis: 'measurement', reason, measured, abandoned: [] } };
      return;
    }
    const decision = decideBackground(plan.started, outcome, Date.now());
    const stored = await writeCachedChoice(plan.cacheKey, decision);
    let reason = describeChoice(decision, plan.candidate);
    if (!stored) reason += '; this browser could not store the choice, so it is measured again next visit';
    if (decision.winner !== plan.started.name) {
      if (this.host.canSwitch()) {
        await this.host.restartAuto();
        return;
      }
      reason += `; ${decision.winner} takes over at the next start (the lab was busy)`;
    }
    this.current = { ...base, choice: { basis: 'measurement', reason, measured: decision.measured, abandoned: decision.abandoned } };
  }
}
