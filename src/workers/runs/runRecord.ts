/** Building a RunRecord from a finished training run: summary numbers and the automatic name. */
import { getMethod, isMethodId } from '../../engine/methods';
import type { TrainOutcome, TrainProgress, TrainSettings } from '../../protocol/api';
import type { RunMetricPoint, RunOutcomeSummary, RunRecord, StoredTrainOutcome } from '../../protocol/runs';
import type { SettingsChange } from '../../protocol/session';
import { describeLiveChanges } from '../training/liveChanges';

/** Collects the training curve (the points the Training chart shows) and the steps per epoch. */
export class RunHistoryRecorder {
  readonly points: RunMetricPoint[] = [];
  stepsPerEpoch: number | null = null;

  /** Feed every progress report of the run. */
  add(p: TrainProgress): void {
    if (p.totalSteps > 0 && p.epochs > 0) this.stepsPerEpoch = p.totalSteps / p.epochs;
    if (p.phase === 'training' && p.loss !== null) this.points.push({ step: p.step, loss: p.loss, accuracy: p.accuracy });
  }
}

const finiteOrNull = (x: number | null | undefined): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** The method a run's key names ('none' without a key; the settings' method when the key cannot be read). */
export function methodOf(settings: TrainSettings, keyJson: string | null): string {
  if (keyJson !== null) {
    try {
      const m = (JSON.parse(keyJson) as { method?: unknown }).method;
      if (typeof m === 'string' && m) return m;
    } catch {
      /* fall through */
    }
  }
  const m = settings.watermark?.method;
  return typeof m === 'string' && m ? m : 'none';
}

/** Display label of a method, with its main setting (e.g. "WaterMAS R=4"). */
export function methodLabel(method: string, settings: TrainSettings): string {
  if (method === 'none') return 'plain';
  return isMethodId(method) ? getMethod(method).runLabel(settings.watermark as Readonly<Record<string, unknown>> | undefined) : method;
}

/** "cnn · WaterMAS R=4 · 14:32" (local time of the worker). */
export function autoRunName(settings: TrainSettings, method: string, at: Date, changes: readonly SettingsChange[] = []): string {
  const hh = String(at.getHours()).padStart(2, '0');
  const mm = String(at.getMinutes()).padStart(2, '0');
  // Settings moved during the run: "R 0→4" says what it started and ended with.
  const live = describeLiveChanges(settings, changes);
  return `${settings.arch} · ${methodLabel(method, settings)}${live ? ` · live ${live}` : ''} · ${hh}:${mm}`;
}

/** The drawer's numbers from a TrainOutcome (FCW evidence read from `triggerAccuracy` when the report has it). */
export function summarizeOutcome(outcome: TrainOutcome, stepsPerEpoch: number | null): RunOutcomeSummary {
  const wm = outcome.watermark as (Partial<Record<'ber' | 'pValue' | 'log10PValue' | 'triggerAccuracy', number | null>> & { detected?: boolean }) | undefined;
  const epochs = stepsPerEpoch && stepsPerEpoch > 0 ? outcome.steps / stepsPerEpoch : 0;
  return {
    cancelled: outcome.cancelled,
    steps: outcome.steps,
    testAccuracy: finiteOrNull(outcome.testAccuracy),
    testImages: outcome.testImages,
    seconds: Number.isFinite(outcome.seconds) ? Math.max(0, outcome.seconds) : 0,
    imagesPerSecond: finiteOrNull(outcome.imagesPerSecond),
    secondsPerEpoch: epochs > 0 ? finiteOrNull(outcome.seconds / epochs) : null,
    ber: finiteOrNull(wm?.ber),
    triggerAccuracy: finiteOrNull(wm?.triggerAccuracy),
    pValue: finiteOrNull(wm?.pValue),
    log10PValue: finiteOrNull(wm?.log10PValue),
    detected: typeof wm?.detected === 'boolean' ? wm.detected : null,
    backend: outcome.backend,
  };
}

/** What addRun needs besides the model. */
export interface NewRunInfo {
  readonly settings: TrainSettings;
  readonly outcome: TrainOutcome;
  /** Training curve; empty when not recorded. */
  readonly history?: readonly RunMetricPoint[];
  /** Steps per epoch of the run (for seconds per epoch); null when unknown. */
  readonly stepsPerEpoch?: number | null;
  /** key.json text of any method, null for plain training. */
  readonly keyJson: string | null;
  /** Name to use instead of the automatic one. */
  readonly name?: string;
  /** Live setting changes during the run (the automatic name shows them). */
  readonly settingsChanges?: readonly SettingsChange[];
  /** Compare mode's twin in this lane. */
  readonly lane?: 'A' | 'B';
}

/** A fresh record (new id, now). */
export function buildRunRecord(info: NewRunInfo, weightBytes: number, id: string, now: Date = new Date()): RunRecord {
  const method = methodOf(info.settings, info.keyJson);
  return {
    id,
    name: info.name?.trim() || autoRunName(info.settings, method, now, info.settingsChanges),
    createdAt: now.toISOString(),
    settings: info.settings,
    method,
    arch: info.settings.arch,
    history: [...(info.history ?? [])],
    outcome: summarizeOutcome(info.outcome, info.stepsPerEpoch ?? null),
    keyJson: info.keyJson,
    weightBytes,
    ...(info.lane ? { lane: info.lane } : {}),
    trainOutcome: storedOutcomeOf(info.outcome),
  };
}

/**
 * The outcome as a record keeps it for restoring the view after a reload: JSON-safe (a decoded
 * image's pixels as a plain array, non-finite numbers as null, undefined fields dropped) so that
 * IndexedDB and the exported run.json hold the same value; no runId (the record has its id).
 */
export function storedOutcomeOf(outcome: TrainOutcome): StoredTrainOutcome {
  const { runId: _runId, watermark, ...rest } = outcome;
  const wm = watermark?.image ? { ...watermark, image: { ...watermark.image, pixels: Array.from(watermark.image.pixels) } } : watermark;
  return JSON.parse(JSON.stringify(wm ? { ...rest, watermark: wm } : rest)) as StoredTrainOutcome;
}
