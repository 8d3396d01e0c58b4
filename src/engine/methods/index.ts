/** The watermark methods of a training run (WaterMAS, Uchida, FCW): what the run and the CLI import. */
export type { MethodSession, SessionContext } from './session';
export { LiveWatermarkSettings, startWatermarkSession, validateWatermarkConfig } from './watermas/session';
