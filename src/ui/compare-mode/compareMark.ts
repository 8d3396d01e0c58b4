/** The watermark both runs of compare mode share (pure: no React, so tested in Node). */
import type { TrainSettings, WatermarkConfig } from '../../protocol/api';
import { DEFAULT_WATERMARK } from '../watermark/watermarkDefaults';

/** The shared mark: the Watermark panel's WaterMAS settings when it has them, else the engine defaults; random bits. */
export function baseMark(settings: TrainSettings, bits: number): WatermarkConfig {
  const w = settings.watermark?.method === 'watermas' ? settings.watermark : DEFAULT_WATERMARK;
  return {
    method: 'watermas',
    payload: { kind: 'random', bits },
    strength: w.strength,
    key: w.key,
    replicas: w.replicas,
    sigma: w.sigma,
    lambda: w.lambda,
    mode: w.mode,
    rho: w.rho,
    margin: w.margin,
    // the objective's other choices travel too (absent: the engine's defaults), so that B trains what the panel shows
    ...(w.antithetic !== undefined ? { antithetic: w.antithetic } : {}),
    ...(w.replicaBn !== undefined ? { replicaBn: w.replicaBn } : {}),
    ...(w.replicaBatch !== undefined ? { replicaBatch: w.replicaBatch } : {}),
    ...(w.balance !== undefined ? { balance: w.balance } : {}),
  };
}
