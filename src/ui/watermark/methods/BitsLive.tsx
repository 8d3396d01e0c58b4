/** The live BER line of a payload mark (WaterMAS, Uchida); `children`: the method's own details. */
import type { ReactNode } from 'react';
import type { WatermarkProgress } from '../../../protocol/api';
import { formatPercent } from '../../common/format';

export const WAITING = 'waiting for the first report…';

export function BitsLive({ progress, children }: { readonly progress: WatermarkProgress | null; readonly children?: ReactNode }) {
  return (
    <div className="wm-live" aria-live="polite">
      <span>
        BER now:{' '}
        <strong data-testid="watermark-ber" data-value={progress ? progress.ber : ''}>
          {progress ? `${formatPercent(progress.ber, 2)} (${progress.errors}/${progress.bits})` : WAITING}
        </strong>
      </span>
      {children}
    </div>
  );
}
