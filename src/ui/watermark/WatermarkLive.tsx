/** The live watermark state of the running (or last) run: BER (WaterMAS, Uchida) or trigger accuracy (FCW). */
import type { WatermarkMethodId, WatermarkProgress } from '../../protocol/api';
import { METHOD_VIEWS } from './methods/views';

interface WatermarkLiveProps {
  /** The last live report (null: none yet). */
  readonly progress: WatermarkProgress | null;
  /** The method of the run the reports come from. */
  readonly method: WatermarkMethodId;
}

/** One line of live evidence, updated at every progress report (the method's own line: methods/views.tsx). */
export function WatermarkLive({ progress, method }: WatermarkLiveProps) {
  const { Live } = METHOD_VIEWS[method];
  return <Live progress={progress} />;
}
