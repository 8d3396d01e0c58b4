import type { Model } from '../../engine/models/types';
import { RunControl } from '../../engine/train';
import { snapshotWeights } from '../../engine/io/modelFile';
import { LiveWatermarkSettings } from '../../engine/methods/watermas/session';
import type { MethodKey } from '../../engine/methods';
import type { TrainOutcome, TrainProgress, TrainSettings, WatermarkLiveSettings } from '../../protocol/api';
import type { SessionLiveState } from '../../protocol/session';
import { asError } from '../asError';
import type { LoadedData } from '../dataset/datasetService';
import type { JobBoard } from '../jobs';
import type { LiveLandscapeHub } from '../landscape/liveLandscapeRun';
import { keyJsonOf } from '../runs/runModel';
import { RunHistoryRecorder } from '../runs/runRecord';
import { RUN_CHECKPOINT_MS, newTrainingCheckpoints, type RunsService } from '../runs/runsService';
import { destroyWebGpuDevice } from './sessionDevice';
import { SessionLive, methodKeyWithObjectiveChanges, validateSlowMotion, withSessionProgress } from './sessionLive';
import { runTraining, type RunSnapshot } from './trainRun';
import * as Comlink from 'comlink';

/** How long the end of a run waits for an in-progress save still reading its snapshot (our choice). */
const SAVE_WAIT_MS = 2000;

/** What a training run needs from the engine service (accessors, so they always see the current state). */
export interface TrainingHost {
  currentData(): LoadedData | null;
  /** The backend's name, or null before one is initialised. */
  backendName(): string | null;
  /** Switches the backend (a lost WebGPU device: WebGL next); resolves to the new backend's name. */
  switchBackend(preference: 'webgl'): Promise<string>;
  /** The trained model (or none) becomes the engine's current model, the old one is disposed. */
  setCurrentModel(model: Model | null, key: MethodKey | null, settings: TrainSettings | null): void;
  readonly jobs: JobBoard;
  /** Finished runs: saved while a run goes on and at its end (Runs drawer). */
  readonly runs: RunsService;
  /** The live landscape of watermarked runs (Landscape panel). */
  readonly liveLandscape: LiveLandscapeHub;
  /** Runs `fn` on the service's tensor queue. */
  exclusive<T>(context: string, fn: () => Promise<T>): Promise<T>;
}

/**
 * A training run in the worker (Training panel, lecture mode): `runTraining` of the engine with
 * the run's controls (pause, step, slow motion, cancel), its live settings (WaterMAS sliders,
 * learning rate), saves while it goes on and the finished run's record.
 */
export class TrainingService {
  private control: RunControl | null = null;
  /** Slider changes of the running WaterMAS run. */
  private watermarkLive: LiveWatermarkSettings | null = null;
  /** Lecture mode: the running session (live lr, change log, phases) and the slow-motion delay for runs. */
  private session: SessionLive | null = null;
  private slowMotionMs = 0;

  constructor(private readonly host: TrainingHost) {}

  async train(settings: TrainSettings, onProgress: (p: TrainProgress) => void): Promise<TrainOutcome> {
    const { host } = this;
    host.jobs.check('training', 'train');
    if (typeof onProgress !== 'function') throw new Error('train: onProgress must be a (comlink-proxied) function');
    const data = host.currentData();
    if (!data) throw new Error('train: no data set loaded yet');
    if (host.backendName() === null) throw new Error('train: no backend initialised yet (call init first)');
    const backend = () => host.backendName() ?? 'unknown';
    const control = new RunControl();
    const endJob = host.jobs.begin('training', 'train');
    this.control = control;
    const live = new LiveWatermarkSettings();
    this.watermarkLive = live;
    const session = new SessionLive(settings?.learningRate);
    this.session = session;
    control.setSlowMotion(this.slowMotionMs);
    const history = new RunHistoryRecorder();
    // The run is saved while it goes on (Runs drawer: in progress; after a crash: interrupted).
    const saved = newTrainingCheckpoints();
    let lastSaved = performance.now();
    // The save in flight: it reads a snapshot of the weights (device copies) while training goes
    // on, so a GPU run does not wait for the read-back (issue 16). Once the run ends a save still
    // reading is dropped, and the final record waits for it at most SAVE_WAIT_MS (a read on a lost
    // GPU device may never answer).
    let saving: Promise<void> | null = null;
    let ended = false;
    const settle = async (): Promise<void> => {
      if (!saving) return;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([saving, new Promise<void>((resolve) => (timer = setTimeout(resolve, SAVE_WAIT_MS)))]);
      clearTimeout(timer);
    };
    const persist = async (snap: RunSnapshot): Promise<void> => {
      if (saving || performance.now() - lastSaved < RUN_CHECKPOINT_MS) return;
      const changes = session.changes();
      const key = methodKeyWithObjectiveChanges(snap.key, changes);
      const outcome: TrainOutcome = {
        cancelled: false, steps: snap.step, seconds: snap.elapsedSeconds, imagesPerSecond: null, trainImages: snap.trainImages,
        testImages: 0, testAccuracy: null, testLoss: null, backend: backend(),
      };
      const info = { settings, outcome, history: [...history.points], stepsPerEpoch: history.stepsPerEpoch, keyJson: keyJsonOf(key), settingsChanges: changes };
      const weights = snapshotWeights(snap.model);
      saving = host.runs.checkpointTraining(saved, info, weights, snap.step, snap.totalSteps, () => !ended).finally(() => {
        try {
          weights.dispose();
        } catch {
          /* a lost GPU device took the copies with it */
        }
        lastSaved = performance.now();
        saving = null;
      });
    };
    return host.exclusive('training', async () => {
      try {
        host.setCurrentModel(null, null, null);
        const { model, outcome, methodKey } = await runTraining({
          watermarkLive: live,
          session,
          // Lost WebGPU device: WebGL next (the ladder goes on to wasm / cpu if WebGL fails).
          switchBackend: () => host.switchBackend('webgl'),
          liveLandscape: host.liveLandscape,
          persist,
          settings,
          dataset: data.dataset,
          normalization: data.normalization,
          control,
          backend,
          // A closed page must not stop the run with an unhandled rejection.
          onProgress: async (p) => {
            history.add(p);
            try {
              await onProgress(withSessionProgress(p, session));
            } catch {
              /* the page is gone or the callback threw: keep training */
            }
          },
        });
        // Live changes of the objective go into the key (Key.objectiveChanges) and the run's name.
        const changes = session.changes();
        const key = methodKeyWithObjectiveChanges(methodKey ?? null, changes);
        host.setCurrentModel(model, key, settings);
        ended = true; // an in-progress save must not land after the final record
        await settle();
        return await host.runs.recordTraining(settings, outcome, history, model, key, changes, saved);
      } finally {
        ended = true; // (a failed run: a save still reading is dropped, no need to wait for it)
        host.runs.endTraining(saved);
        endJob();
        this.control = null;
        this.watermarkLive = null;
        this.session = null;
        // Close the comlink port of the page's callback (a plain function has no such member).
        (onProgress as Partial<Record<typeof Comlink.releaseProxy, () => void>>)[Comlink.releaseProxy]?.();
      }
    });
  }

  async pause(): Promise<void> {
    if (!this.control) throw new Error('pause: no training run in progress');
    this.control.pause();
  }

  async resume(): Promise<void> {
    if (!this.control) throw new Error('resume: no training run in progress');
    this.control.resume();
  }

  async cancel(): Promise<void> {
    this.control?.cancel();
  }

  async stepTraining(): Promise<void> {
    if (!this.control) throw new Error('step: no training run in progress');
    this.control.step();
  }

  async setSlowMotion(ms: number): Promise<void> {
    try {
      validateSlowMotion(ms);
    } catch (e) {
      throw asError(e, 'setSlowMotion');
    }
    this.control?.setSlowMotion(ms);
    this.slowMotionMs = ms;
  }

  async setWatermarkSettings(partial: Partial<WatermarkLiveSettings>): Promise<void> {
    if (!this.watermarkLive) throw new Error('setWatermarkSettings: no training run in progress');
    try {
      this.watermarkLive.set(partial ?? {});
    } catch (e) {
      throw asError(e, 'setWatermarkSettings');
    }
  }

  async setLearningRate(lr: number): Promise<void> {
    if (!this.session) throw new Error('setLearningRate: no training run in progress');
    try {
      this.session.setLearningRate(lr);
    } catch (e) {
      throw asError(e, 'setLearningRate');
    }
  }

  async watermarkLiveState(): Promise<SessionLiveState | null> {
    const control = this.control;
    if (!this.session || !control) return null;
    return this.session.state({ paused: control.state === 'paused', slowMotionMs: control.slowMotionMs });
  }

  async simulateDeviceLoss(): Promise<boolean> {
    if (!this.control) return false;
    return destroyWebGpuDevice();
  }
}
