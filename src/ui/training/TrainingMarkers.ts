/** Labels of live setting changes for the training chart's markers ("R=4", "lr=0.01"). */
import type { LiveSettingName, SettingsChange } from '../../protocol/api';

const SYMBOL: Record<LiveSettingName, string> = {
  replicas: 'R',
  sigma: 'σ',
  lambda: 'λ',
  mode: 'mode',
  rho: 'ρ',
  margin: 'm',
  learningRate: 'lr',
};

const ORDER: readonly LiveSettingName[] = ['replicas', 'sigma', 'lambda', 'margin', 'mode', 'rho', 'learningRate'];

function formatValue(name: LiveSettingName, v: number | string): string {
  if (typeof v === 'string') return v;
  if (name === 'margin' && !Number.isFinite(v)) return 'off';
  return String(Number(v.toPrecision(4)));
}

/** "R=4, lr=0.01" for one change (fixed order of the settings). */
export function changeLabel(change: SettingsChange): string {
  return ORDER.filter((k) => change.changes[k] !== undefined)
    .map((k) => `${SYMBOL[k]}=${formatValue(k, change.changes[k]!)}`)
    .join(', ');
}
