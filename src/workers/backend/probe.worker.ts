/// <reference lib="webworker" />
/**
 * A throw-away worker that measures one backend while the engine worker already runs on another
 * (see backgroundProbe.ts). It owns its own tfjs and GPU device, so nothing it does can touch
 * the engine's tensors; when it is given up its GPU device is destroyed (queued work dropped)
 * and the engine worker terminates it.
 */
import * as Comlink from 'comlink';
import '../../engine/backend/register';
import { destroyActiveGpuDevice, measureCandidate } from '../../engine/backend/measure-candidate';
import type { BackgroundOutcome } from '../../engine/backend/start-plan';
import { convLowerBoundProbe, trainingStepProbe } from '../../engine/train/stepProbe';
import { BACKEND_TIMEOUT_MS, PROBE } from './probe';

const options = { timeoutMs: BACKEND_TIMEOUT_MS, purpose: 'train', onAbandon: destroyActiveGpuDevice } as const;

const api = {
  /**
   * Measures `name` with the badge's probe under `limitMs`, against a rival that takes
   * `rivalMsPerStep`. First the step's largest convolution alone (convLowerBoundProbe): if that
   * already takes the rival's whole step, the candidate is given up without the full step, whose
   * hundred shaders a software GPU would go on compiling long after being given up.
   */
  async measure(name: string, limitMs: number, rivalMsPerStep: number): Promise<BackgroundOutcome> {
    const t0 = performance.now();
    const screen = await measureCandidate(name, () => convLowerBoundProbe(PROBE.batch), { ...options, warmup: 1, reps: 1, limitMs }).outcome;
    if (screen.kind !== 'measured') return screen;
    if (screen.msPerStep >= rivalMsPerStep) {
      destroyActiveGpuDevice();
      return { kind: 'outpaced', name, atLeastMs: screen.msPerStep, afterMs: performance.now() - t0 };
    }
    const remaining = Math.max(0, limitMs - (performance.now() - t0));
    return measureCandidate(name, () => trainingStepProbe(PROBE), { ...options, warmup: PROBE.warmup, reps: PROBE.reps, limitMs: remaining }).outcome;
  },
};

export type ProbeWorkerApi = typeof api;

Comlink.expose(api, self as unknown as DedicatedWorkerGlobalScope);
