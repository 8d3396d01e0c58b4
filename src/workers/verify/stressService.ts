/**
 * The Verify panel's side of the worker, with "Stress it": checks uploads (runVerify) and, when a
 * key verified and the model can be rebuilt, keeps that runnable model (and its key) for attack
 * sweeps until the next upload, which disposes it first. One sweep at a time, cancellable.
 */
import type { Dataset, Normalization } from '../../engine/data/types';
import type { ImportLimits } from '../../engine/io/limits';
import { RunControl } from '../../engine/train';
import { parseMethodKeyFile } from '../../engine/methods';
import { prepareUploadedModel, parameterCount, type UploadedRunnable } from './stressModel';
import { runStressOn } from './stressRun';
import type { StressApi, StressOutcome, StressPoint, StressReadiness, StressRequest } from '../../protocol/stress';
import type { VerifyBytes, VerifyCheckOptions, VerifyFile, VerifyOutcome } from '../../protocol/verify';
import { readVerifyFiles, runVerify } from './verifyRun';
import type { JobBoard } from '../jobs';
import { release, safe } from '../pageCallback';

/** What the Verify/stress side needs from the engine service (accessors: always the current state). */
export interface StressHost {
  currentData(): { readonly dataset: Dataset; readonly normalization: Normalization } | null;
  backendName(): string;
  /** The engine's long jobs (jobs.ts): a stress sweep starts and ends there. */
  readonly jobs: JobBoard;
  /** Runs `fn` on the service's tensor queue. */
  exclusive<T>(context: string, fn: () => Promise<T>): Promise<T>;
}

/** Import limits the page may set (each a whole number >= 1); anything else is a one-line error. */
const LIMIT_KEYS = ['maxTotalBytes', 'maxJsonBytes', 'maxJsonDepth', 'maxTensors', 'timeoutMs'] as const;

/** Checks the limits that came over the worker boundary; returns them or throws a one-line reason. */
export function validateLimits(limits: unknown): Partial<ImportLimits> | undefined {
  if (limits === undefined || limits === null) return undefined;
  if (typeof limits !== 'object') throw new Error('import limits must be an object');
  const out: Partial<Record<(typeof LIMIT_KEYS)[number], number>> = {};
  for (const [k, v] of Object.entries(limits)) {
    if (!(LIMIT_KEYS as readonly string[]).includes(k)) throw new Error(`unknown import limit "${k}" (known: ${LIMIT_KEYS.join(', ')})`);
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= 1)) throw new Error(`import limit ${k} must be a whole number >= 1, got ${String(v)}`);
    out[k as (typeof LIMIT_KEYS)[number]] = v;
  }
  return out;
}

export class StressService implements StressApi {
  private uploaded: UploadedRunnable | null = null;
  private control: RunControl | null = null;

  constructor(private readonly host: StressHost) {}

  /** True while a stress sweep runs. */
  get busy(): boolean {
    return this.control !== null;
  }

  /** Disposes the kept upload (a new upload, a backend switch); callers make sure no sweep runs on it (the tensor queue). */
  forget(): void {
    this.uploaded?.model.dispose();
    this.uploaded = null;
  }

  /**
   * Checks an upload (never rejects, see runVerify) and prepares "Stress it": a running stress
   * sweep is cancelled, the previous upload's model disposed; a verified key + a runnable model are kept.
   */
  async check(files: readonly VerifyFile[], opts: VerifyCheckOptions = {}): Promise<VerifyOutcome> {
    let limits: Partial<ImportLimits> | undefined;
    try {
      limits = validateLimits(opts?.limits);
    } catch (e) {
      return { ok: false, error: e instanceof Error ? e.message : String(e), code: 'bad-request' };
    }
    // A new upload replaces the kept model: stop a stress run on it (the check waits on the queue until it has stopped).
    this.control?.cancel();
    return this.host.exclusive('verify', async () => {
      this.forget();
      const read = await readVerifyFiles(files, limits);
      if (!Array.isArray(read)) return read;
      const outcome = await runVerify(read, limits);
      if (!outcome.ok) return outcome;
      const stress = await this.prepare(read, outcome, limits);
      return { ...outcome, stress };
    });
  }

  /** Rebuilds the verified upload as a runnable model and keeps it, or says why it cannot. */
  private async prepare(files: readonly VerifyBytes[], outcome: Extract<VerifyOutcome, { ok: true }>, limits: Partial<ImportLimits> | undefined): Promise<StressReadiness> {
    const v = outcome.verification;
    if (!v) return { ready: false, reason: 'Add the key: a stress run judges the watermark with it.' };
    try {
      const keyFile = files.find((f) => f.name === v.keyFile);
      if (!keyFile) return { ready: false, reason: `The key file ${v.keyFile} is no longer available.` };
      const key = parseMethodKeyFile(new TextDecoder('utf-8', { fatal: true }).decode(keyFile.bytes));
      const modelFiles = files.filter((f) => f !== keyFile).map((f) => ({ name: f.name, bytes: new Uint8Array(f.bytes) }));
      const t = this.host.currentData()?.dataset.test;
      const r = await prepareUploadedModel(modelFiles, key, { ...(limits ? { limits } : {}), ...(t ? { inputShape: [t.height, t.width, t.channels] as const } : {}) });
      if (!r.ok) return { ready: false, reason: r.reason };
      this.uploaded = r.runnable;
      const m = r.runnable.model;
      return { ready: true, arch: m.config.arch, parameters: parameterCount(m), method: key.method };
    } catch (e) {
      return { ready: false, reason: `Cannot prepare a stress run: ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  async stressUploaded(req: StressRequest, onPoint: (p: StressPoint) => void): Promise<StressOutcome> {
    if (typeof onPoint !== 'function') throw new Error('stress: onPoint must be a (comlink-proxied) function');
    try {
      this.host.jobs.check('stress', 'stress');
      if (!this.uploaded) throw new Error('stress: no runnable model verified yet: drop a model and its key into the Verify panel first');
      if (!this.host.currentData()) throw new Error('stress: no data set loaded yet: the sweep measures accuracy on its test images');
      const control = new RunControl();
      const endJob = this.host.jobs.begin('stress', 'stress');
      this.control = control;
      return await this.host
        .exclusive('stress', () => {
          // Read again on the queue: an upload checked in between replaced (disposed) the model.
          const uploaded = this.uploaded;
          const data = this.host.currentData();
          if (!uploaded || !data) throw new Error('the verified model or the data set changed meanwhile; verify again');
          return runStressOn({
            model: uploaded.model, key: uploaded.key, ...data, request: req, control, backend: () => this.host.backendName(), onPoint: safe(onPoint),
          });
        })
        .finally(() => {
          endJob();
          this.control = null;
        });
    } finally {
      release(onPoint);
    }
  }

  async cancelStress(): Promise<void> {
    this.control?.cancel();
  }
}
