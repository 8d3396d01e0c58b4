/** WaterMAS (methods.md §1): a payload in frozen key weights, the objective settings live. */
import type { WatermasMarkConfig } from '../../../protocol/api';
import type { WatermarkForm } from '../watermarkDefaults';
import type { UiKeyMethod } from './types';

/** A WaterMAS config from a form: every field a WatermasMarkConfig has; the optional objective choices only when the form makes them. */
function watermasConfig(w: WatermarkForm): WatermasMarkConfig {
  return {
    method: 'watermas',
    payload: w.payload,
    strength: w.strength,
    key: w.key,
    replicas: w.replicas,
    sigma: w.sigma,
    lambda: w.lambda,
    mode: w.mode,
    rho: w.rho,
    margin: w.margin,
    // absent stays absent (the engine's defaults), so that a config says only what the form says
    ...(w.antithetic !== undefined ? { antithetic: w.antithetic } : {}),
    ...(w.replicaBn !== undefined ? { replicaBn: w.replicaBn } : {}),
    ...(w.replicaBatch !== undefined ? { replicaBatch: w.replicaBatch } : {}),
    ...(w.balance !== undefined ? { balance: w.balance } : {}),
  };
}

export const WATERMAS_UI: UiKeyMethod<'watermas'> = {
  id: 'watermas',
  name: 'WaterMAS',
  optionLabel: 'WaterMAS',
  hint: (bits) => `${bits} marked weights.`,
  payloadKinds: ['random', 'text', 'image'],
  keyed: true,
  marks: true,
  liveObjective: true,
  onPick: () => ({}),
  toConfig: watermasConfig,
  // Its settings (q, mode, R, σ, …) are the form's own fields: urlRegistry.ts writes them for every method.
  urlFields: [],
  keyLabel: 'WaterMAS',
  article: 'a',
  evidence: 'bits',
  chanceEvent: 'matches the key this well',
  keyPositions: true,
  seriesTag: (target) => `R=${target.replicas}`,
};
