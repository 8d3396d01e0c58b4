/** The watermark of a training run, whatever its method: config checks and the session, by registry lookup. */
import type { Model } from '../models/types';
import type { WatermarkConfig } from '../../protocol/watermark';
import { getMethod, isMethodId } from './registry';
import type { MethodSession, SessionContext } from './session';

/** Checks a watermark config that came over the worker boundary; throws a one-line reason. */
export function validateWatermarkConfig(c: WatermarkConfig): void {
  if (c.method === 'none') return;
  if (!isMethodId(c.method)) throw new Error(`unknown watermark method "${String(c.method)}"`);
  getMethod(c.method).validateConfig(c);
}

/**
 * Starts the watermark of a run, whatever its method (null for 'none'): WaterMAS embeds and
 * freezes before training; Uchida adds its regulariser; FCW fuses triggers from the run's
 * training images and appends them to every batch (source()), masking weights between steps.
 */
export async function startWatermarkSession(model: Model, config: WatermarkConfig, ctx: SessionContext): Promise<MethodSession | null> {
  validateWatermarkConfig(config);
  if (config.method === 'none') return null;
  return getMethod(config.method).startSession(model, config, ctx);
}
