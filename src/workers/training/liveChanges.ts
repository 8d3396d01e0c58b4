/**
 * Live setting changes of a run (sessionApi.ts SettingsChange) folded into settings and names:
 * what a run ended with, for its name in the Runs drawer. Plain data, no tfjs.
 */
import { methodInfo } from '../../engine/methods/info';
import type { TrainSettings } from '../../protocol/api';
import type { LiveSettingName, SettingsChange } from '../../protocol/session';

/** The training settings in force at the end of a run: `settings` with every live change applied. */
export function settingsInForce(settings: TrainSettings, changes: readonly SettingsChange[]): TrainSettings {
  let out = settings;
  for (const c of changes) {
    const { learningRate, ...wm } = c.changes;
    if (typeof learningRate === 'number') out = { ...out, learningRate };
    // the live objective settings (R, σ, λ, ...) belong to methods with replicas (WaterMAS)
    if (methodInfo(out.watermark?.method)?.hasReplicas && Object.keys(wm).length > 0) out = { ...out, watermark: { ...out.watermark, ...wm } as typeof out.watermark };
  }
  return out;
}

const SHORT: Record<LiveSettingName, string> = { replicas: 'R', sigma: 'σ', lambda: 'λ', mode: 'mode', rho: 'ρ', margin: 'm', learningRate: 'lr' };

const show = (v: unknown) => (typeof v === 'number' ? (Number.isFinite(v) ? String(Number(v.toPrecision(4))) : 'off') : String(v));

/**
 * What changed between the start and the end of a run, e.g. "R 0→4, lr 0.05→0.02" (settings
 * changed and changed back are left out); empty when nothing did.
 */
export function describeLiveChanges(settings: TrainSettings, changes: readonly SettingsChange[]): string {
  const end = settingsInForce(settings, changes);
  const names = [...new Set(changes.flatMap((c) => Object.keys(c.changes) as LiveSettingName[]))];
  const value = (s: TrainSettings, k: LiveSettingName): unknown => (k === 'learningRate' ? s.learningRate : (s.watermark as unknown as Record<string, unknown> | undefined)?.[k]);
  return names
    .filter((k) => !Object.is(value(settings, k), value(end, k)))
    .map((k) => `${SHORT[k]} ${show(value(settings, k))}→${show(value(end, k))}`)
    .join(', ');
}
