/** Watermark actions of the panel: live setting changes during a run, downloads of model and key. */
import { useCallback, useState } from 'react';
import type { WatermarkLiveSettings } from '../../protocol/api';
import type { EngineHandle } from '../useEngine';
import { downloadBlob } from '../common/exportFiles';
import { errorMessage } from '../common/format';

export interface WatermarkActions {
  /** Last failure of a live change or a download (null when none). */
  readonly error: string | null;
  readonly downloading: boolean;
  /** Sends a slider change to the running worker (applied at its next step). */
  pushLive(partial: Partial<WatermarkLiveSettings>): void;
  /** Downloads model.json and weights.bin of the last trained model. */
  downloadModel(): void;
  /** Downloads key.json of the last watermarked run. */
  downloadKey(): void;
}

/** The watermark panel's calls into the engine worker. */
export function useWatermark(engine: EngineHandle): WatermarkActions {
  const [error, setError] = useState<string | null>(null);
  const [downloading, setDownloading] = useState(false);

  const pushLive = useCallback(
    (partial: Partial<WatermarkLiveSettings>) => {
      engine.setWatermarkSettings(partial).then(
        () => setError(null),
        (e: unknown) => setError(errorMessage(e)),
      );
    },
    [engine],
  );

  const downloadModel = useCallback(() => {
    setDownloading(true);
    engine
      .exportModel()
      .then((m) => {
        downloadBlob(new Blob([m.modelJson], { type: 'application/json' }), 'model.json');
        downloadBlob(new Blob([m.weights], { type: 'application/octet-stream' }), 'weights.bin');
        setError(null);
      })
      .catch((e: unknown) => setError(errorMessage(e)))
      .finally(() => setDownloading(false));
  }, [engine]);

  const downloadKey = useCallback(() => {
    engine
      .exportKey()
      .then((text) => {
        downloadBlob(new Blob([text], { type: 'application/json' }), 'key.json');
        setError(null);
      })
      .catch((e: unknown) => setError(errorMessage(e)));
  }, [engine]);

  return { error, downloading, pushLive, downloadModel, downloadKey };
}
