/**
 * FCW trigger gallery: the fused trigger images with their source classes and the target, and
 * the model's prediction for each (after an FCW run). Before training it previews the triggers
 * the current settings would fuse from the loaded training set (predictions blank).
 */
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { FcwPreviewRequest, FcwTriggerGallery } from '../../protocol/api';
import type { EngineHandle } from '../useEngine';
import { formatPercent } from '../common/format';
import { useWorkerQuery } from '../common/useWorkerQuery';

interface TriggerGalleryProps {
  readonly engine: EngineHandle;
  readonly classNames: readonly string[];
  /** What the settings would generate (null: no data set loaded yet). */
  readonly request: FcwPreviewRequest | null;
  /** Show the trained FCW model's triggers with its predictions (else the preview). */
  readonly showModel: boolean;
  /** Changes when a new model is trained (refetches its predictions). */
  readonly modelStamp: unknown;
  /** A run is going: the model cannot be asked (the preview still can). */
  readonly busy: boolean;
}

/** Delay before a settings change asks the worker for a new preview (sliders move in small steps). */
const PREVIEW_DEBOUNCE_MS = 200;

const Thumb = memo(function Thumb({ rgba, width, height, label }: { rgba: Uint8ClampedArray; width: number; height: number; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    ctx.putImageData(new ImageData(new Uint8ClampedArray(rgba), width, height), 0, 0);
  }, [rgba, width, height]);
  return <canvas ref={ref} className="trigger-thumb" width={width} height={height} role="img" aria-label={label} />;
});

/** The gallery with its refresh button; fetches from the worker when the settings or the model change. */
export function TriggerGallery({ engine, classNames, request, showModel, modelStamp, busy }: TriggerGalleryProps) {
  const [refresh, setRefresh] = useState(0);
  const requestKey = request ? JSON.stringify(request) : '';
  const askModel = showModel && !busy;
  // The trained model's triggers at once; a preview after the settings rest a moment.
  const query = useWorkerQuery(
    useCallback(() => (askModel ? engine.fcwTriggers() : engine.fcwTriggers(JSON.parse(requestKey) as FcwPreviewRequest)), [engine, askModel, requestKey]),
    {
      enabled: askModel || requestKey !== '',
      delayMs: askModel ? 0 : PREVIEW_DEBOUNCE_MS,
      refresh: useMemo(() => [modelStamp, refresh], [modelStamp, refresh]),
    },
  );
  const gallery: FcwTriggerGallery | null = query.data ?? null;
  const error = query.error;

  const cells = useMemo(() => {
    if (!gallery) return [];
    const per = gallery.width * gallery.height * 4;
    const all = new Uint8ClampedArray(gallery.rgba);
    return gallery.sources.map((_, i) => all.subarray(i * per, (i + 1) * per));
  }, [gallery]);

  const name = (c: number) => classNames[c] ?? `class ${c}`;
  if (!request && !gallery) return <p className="hint">Load a data set to preview the triggers.</p>;
  const g = gallery;
  return (
    <div className="trigger-gallery" aria-label="Trigger gallery">
      <div className="trigger-gallery-head">
        <strong>Triggers</strong>
        {g && (
          <span className="muted small">
            {g.count} {g.mode === 'direct' ? 'direct (mosaic)' : `invisible (r = ${g.ratio})`} triggers → target <strong data-testid="trigger-target">{name(g.target)}</strong>
            {g.origin === 'preview' ? ' · preview of the next run, no model yet' : ''}
            {g.accuracy !== null && (
              <>
                {' '}
                · trigger accuracy{' '}
                <strong data-testid="trigger-gallery-accuracy" data-value={g.accuracy}>
                  {formatPercent(g.accuracy, 1)}
                </strong>
              </>
            )}
          </span>
        )}
        <button type="button" className="link-button" disabled={!showModel || busy} onClick={() => setRefresh((n) => n + 1)} title="Ask the current model for its predictions again">
          Refresh predictions
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {g && (
        <ul className="trigger-grid" data-testid="trigger-gallery" data-count={g.count} data-origin={g.origin} data-accuracy={g.accuracy ?? ''}>
          {g.sources.map((s, i) => {
            const pred = g.predictions ? g.predictions[i] : null;
            const src = g.mode === 'direct' ? `${name(s.classA)} + ${name(s.classB)}` : `${name(s.classA)} ⊕ ${name(s.classB)}`;
            return (
              <li key={i} className="trigger-cell" data-testid="trigger-cell" data-prediction={pred ?? ''}>
                <Thumb rgba={cells[i]} width={g.width} height={g.height} label={`Trigger ${i + 1}: ${src}, target ${name(g.target)}`} />
                <span className="trigger-label" title={g.mode === 'direct' ? 'top-left + bottom-right source classes' : `blend (1 − r)·a + r·b, r = ${g.ratio}`}>
                  {src}
                </span>
                <span className={`trigger-pred ${pred === null ? 'muted' : pred === g.target ? 'wm-yes' : 'wm-no'}`}>
                  {pred === null ? 'prediction –' : `→ ${name(pred)} ${pred === g.target ? '✓' : '✗'}`}
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
