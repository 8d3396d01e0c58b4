/**
 * The state of a running training session for lecture mode: the live learning rate, the log of
 * live changes with the step they took effect, and the phases of the last step (the run's
 * trainer hooks fill it; the worker answers the UI's queries from it).
 */
import { MAX_SLOW_MOTION_MS, type ModelCheckpoint, type TrainHooks } from '../train';
import type { TrainProgress } from '../../protocol/api';
import type { StepContext, StepPhase } from '../train/types';
import type { WatermasKey, KeyObjectiveChange, WaterMASSettings } from '../watermark';
import { WATERMAS, keyOfMethod, type MethodKey } from '../methods';
import type { DeviceLossReport, LiveSettingName, SessionLiveState, SettingsChange, StepPhaseInfo } from '../../protocol/session';

/** At most this many changes are kept (our choice: a lecture moves a slider a few dozen times). */
const MAX_CHANGES = 500;

const WATERMARK_KEYS: readonly (keyof WaterMASSettings & LiveSettingName)[] = ['replicas', 'sigma', 'lambda', 'mode', 'rho', 'margin'];

/** Checks a live learning rate; throws a one-line reason. */
export function validateLiveLearningRate(lr: number): void {
  if (!(typeof lr === 'number' && lr > 0 && Number.isFinite(lr))) throw new Error(`the learning rate must be finite and > 0, got ${lr}`);
}

/** The live part of one run: what the sliders changed and when, and what the last step did. */
export class SessionLive {
  private pendingLr: number | null = null;
  private lr: number;
  private readonly log: SettingsChange[] = [];
  private phases: StepPhaseInfo[] = [];
  private lastPhases: StepPhaseInfo[] = [];
  private completed = 0;
  /** Set when the run lost its GPU device and resumed elsewhere. */
  deviceLoss: DeviceLossReport | null = null;
  /** The run's objective (WaterMAS: its live settings), attached by withSession. */
  objective: unknown = null;

  /** `initialLr`: the run's base learning rate (validated with the run's settings). */
  constructor(initialLr: number) {
    this.lr = initialLr;
  }

  /** Queues a new base learning rate for the next step (validated now). */
  setLearningRate(lr: number): void {
    validateLiveLearningRate(lr);
    this.pendingLr = lr;
  }

  /** The base learning rate in force (the trainer's `baseLr` hook). */
  baseLr(): number {
    return this.lr;
  }

  /** Before each step: applies a queued learning rate and records it at this step. */
  beforeStep(ctx: StepContext): void {
    this.completed = ctx.step;
    if (this.pendingLr !== null && this.pendingLr !== this.lr) {
      this.lr = this.pendingLr;
      this.record(ctx.step, { learningRate: this.lr });
    }
    this.pendingLr = null;
  }

  /** Records the WaterMAS settings that differ between `before` and `after` as applied at `step`. */
  recordWatermark(step: number, before: WaterMASSettings, after: WaterMASSettings): void {
    const changes: Partial<Record<LiveSettingName, number | string>> = {};
    for (const k of WATERMARK_KEYS) if (!Object.is(before[k], after[k])) changes[k] = after[k];
    if (Object.keys(changes).length > 0) this.record(step, changes);
  }

  /** Adds one change to the log (merged with a change at the same step). */
  record(step: number, changes: Partial<Record<LiveSettingName, number | string>>): void {
    const last = this.log[this.log.length - 1];
    if (last && last.step === step) this.log[this.log.length - 1] = { step, changes: { ...last.changes, ...changes } };
    else this.log.push({ step, changes: { ...changes } });
    if (this.log.length > MAX_CHANGES) this.log.shift();
  }

  /** The trainer's phase hook: collects the phases of the step being issued. */
  onPhase(phase: StepPhase, ctx: StepContext): void {
    if (phase.kind === 'clean') this.phases = [];
    this.phases.push(phase.kind === 'replica' ? { kind: 'replica', index: phase.index, of: phase.of } : { kind: phase.kind });
    if (phase.kind === 'update') {
      this.lastPhases = this.phases;
      this.completed = ctx.step + 1;
    }
  }

  /** Phases of the last completed step, in order. */
  stepPhases(): readonly StepPhaseInfo[] {
    return [...this.lastPhases];
  }

  /** Records that the run resumed on another backend after a lost device. */
  noteDeviceLoss(report: DeviceLossReport): void {
    this.deviceLoss = report;
  }

  /** Every change so far (a copy). */
  changes(): readonly SettingsChange[] {
    return this.log.map((c) => ({ step: c.step, changes: { ...c.changes } }));
  }

  /** Steps completed so far. */
  get step(): number {
    return this.completed;
  }

  /** The state a test or the UI can query (EngineApi.watermarkLiveState). */
  state(control: { paused: boolean; slowMotionMs: number }): SessionLiveState {
    const watermark = liveSettingsOf(this.objective);
    return {
      step: this.completed,
      paused: control.paused,
      slowMotionMs: control.slowMotionMs,
      learningRate: this.lr,
      replicas: watermark ? watermark.replicas : null,
      sigma: watermark ? watermark.sigma : null,
      lambda: watermark ? watermark.lambda : null,
      margin: watermark ? watermark.margin : null,
      changes: this.changes(),
    };
  }
}

/** A WaterMAS objective as the session sees it (duck-typed: Uchida/FCW objectives have no live settings). */
interface LiveObjective {
  getSettings(): WaterMASSettings;
}

/** The objective's live WaterMAS settings, or null when it has none. */
export function liveSettingsOf(objective: unknown): WaterMASSettings | null {
  const o = objective as Partial<LiveObjective> | null | undefined;
  return o && typeof o.getSettings === 'function' ? o.getSettings() : null;
}

/**
 * Adds the session to a run's trainer hooks: live learning rate, phases, and the WaterMAS
 * changes applied by the run's own beforeStep recorded with their step; plus the checkpoint.
 */
export function withSession(session: SessionLive | null | undefined, checkpoint: ModelCheckpoint | null, hooks: TrainHooks): TrainHooks {
  const withCheckpoint: TrainHooks = checkpoint ? { ...hooks, checkpoint } : hooks;
  if (!session) return withCheckpoint;
  session.objective = hooks.objective ?? null;
  const inner = hooks.beforeStep;
  return {
    ...withCheckpoint,
    baseLr: () => session.baseLr(),
    onPhase: (phase, ctx) => session.onPhase(phase, ctx),
    beforeStep: async (ctx) => {
      session.beforeStep(ctx);
      const before = liveSettingsOf(hooks.objective);
      await inner?.(ctx);
      const after = liveSettingsOf(hooks.objective);
      if (before && after) session.recordWatermark(ctx.step, before, after);
    },
  };
}

/** Checks a slow-motion delay; throws a one-line reason. */
export function validateSlowMotion(ms: number): void {
  if (!(typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 && ms <= MAX_SLOW_MOTION_MS)) {
    throw new Error(`the slow-motion delay must be in 0..${MAX_SLOW_MOTION_MS} ms, got ${ms}`);
  }
}

/** A progress report with the session's change log (and, for training reports, the last step's phases). */
export function withSessionProgress(p: TrainProgress, session: SessionLive): TrainProgress {
  if (p.phase !== 'training' && p.phase !== 'paused') return p;
  return { ...p, settingsChanges: session.changes(), stepPhases: session.stepPhases(), ...(session.deviceLoss ? { deviceLoss: session.deviceLoss } : {}) };
}

/**
 * The key with the run's live objective changes recorded (Key.objectiveChanges): the WaterMAS
 * settings of each change, margin ∞ written as null as in `objective`; the learning rate is not
 * part of the key. The key itself when nothing changed.
 */
export function keyWithObjectiveChanges(key: WatermasKey, changes: readonly SettingsChange[]): WatermasKey {
  const recorded: KeyObjectiveChange[] = [];
  for (const c of changes) {
    const picked: Record<string, unknown> = {};
    for (const k of WATERMARK_KEYS) {
      const v = c.changes[k];
      if (v === undefined) continue;
      picked[k] = k === 'margin' && typeof v === 'number' && !Number.isFinite(v) ? null : v;
    }
    if (Object.keys(picked).length > 0) recorded.push({ step: c.step, changes: picked as KeyObjectiveChange['changes'] });
  }
  return recorded.length > 0 ? { ...key, objectiveChanges: [...(key.objectiveChanges ?? []), ...recorded] } : key;
}

/**
 * A run's key of any method with its live objective changes recorded: only WaterMAS has live
 * objective settings (and `objectiveChanges` in its key file); other keys come back as they are.
 */
export function methodKeyWithObjectiveChanges(key: MethodKey | null, changes: readonly SettingsChange[]): MethodKey | null {
  const watermas = key ? keyOfMethod(key, WATERMAS) : undefined;
  return watermas ? { method: 'watermas', key: keyWithObjectiveChanges(watermas, changes) } : key;
}
