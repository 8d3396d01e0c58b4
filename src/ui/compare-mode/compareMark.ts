/** The watermark both runs of compare mode share (pure: no React, so tested in Node). */
import type { TrainSettings, WatermasMarkConfig } from '../../protocol/api';
import { WATERMAS_UI } from '../watermark/methods/watermas';
import { DEFAULT_WATERMARK, watermarkForm, type WatermarkForm } from '../watermark/watermarkDefaults';

/** The Watermark panel's form when it marks with WaterMAS (compare mode compares WaterMAS runs), else null. */
export function panelWatermasForm(settings: TrainSettings): WatermarkForm | null {
  const w = watermarkForm(settings.watermark);
  return w.method === WATERMAS_UI.id ? w : null;
}

/** The shared mark: the Watermark panel's WaterMAS settings when it has them, else the engine defaults; random bits. */
export function baseMark(settings: TrainSettings, bits: number): WatermasMarkConfig {
  // the objective's other choices travel too (absent: the engine's defaults), so that B trains what the panel shows
  return { ...WATERMAS_UI.toConfig(panelWatermasForm(settings) ?? DEFAULT_WATERMARK), payload: { kind: 'random', bits } };
}
