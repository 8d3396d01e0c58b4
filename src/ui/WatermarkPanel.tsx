/** The "Watermark" panel: method, payload, key and objective settings; live BER; verdict and downloads. */
import { useRef, useState } from 'react';
import type { TrainSettings, WatermarkConfig, WatermarkLiveSettings, WatermarkPayload, WatermarkProgress } from '../workers/api';
import type { EngineHandle } from './useEngine';
import type { TrainingState } from './useTraining';
import { useWatermark } from './useWatermark';
import { SliderField } from './SliderField';
import { PixelImage, WatermarkResult } from './WatermarkResult';
import { imageFileToPayload } from './imagePayload';
import { DEFAULT_MARGIN, DEFAULT_RANDOM_BITS, DEFAULT_TEXT, DEFAULT_WATERMARK, builtInLogo, payloadSize } from './watermarkDefaults';
import { errorMessage, formatPercent } from './format';
import './watermark.css';

interface WatermarkPanelProps {
  readonly engine: EngineHandle;
  readonly training: TrainingState;
  readonly settings: TrainSettings;
  readonly onSettings: (s: TrainSettings) => void;
}

const LIVE_KEYS: readonly (keyof WatermarkLiveSettings)[] = ['replicas', 'sigma', 'lambda', 'mode', 'rho', 'margin'];

/** The watermark of the next run, the live state of the current one, and the result of the last one. */
export function WatermarkPanel({ engine, training, settings, onSettings }: WatermarkPanelProps) {
  const actions = useWatermark(engine);
  const config: WatermarkConfig = settings.watermark ?? DEFAULT_WATERMARK;
  const active = training.state === 'running' || training.state === 'paused';
  const runIsMarked = active && config.method === 'watermas';
  const lastMargin = useRef(Number.isFinite(config.margin) ? config.margin : DEFAULT_MARGIN);
  const [uploadError, setUploadError] = useState<string | null>(null);

  const update = (partial: Partial<WatermarkConfig>) => {
    onSettings({ ...settings, watermark: { ...config, ...partial } });
    if (runIsMarked) {
      const live: Partial<Record<keyof WatermarkLiveSettings, unknown>> = {};
      for (const k of LIVE_KEYS) if (partial[k] !== undefined) live[k] = partial[k];
      if (Object.keys(live).length > 0) actions.pushLive(live as Partial<WatermarkLiveSettings>);
    }
  };
  const setPayload = (payload: WatermarkPayload) => update({ payload });

  const marked = config.method === 'watermas';
  const lockedSetup = active; // method, payload, strength and key are fixed at embedding
  const liveDisabled = !marked || (active && !runIsMarked);
  const liveBadge = runIsMarked ? 'live' : undefined;
  // The last live report stays visible after the run (the evaluating / done reports carry none).
  // (State adjusted during render when the progress object changes, as React recommends over an effect.)
  const [progress, setProgress] = useState<WatermarkProgress | null>(null);
  const [seenProgress, setSeenProgress] = useState(training.progress);
  if (seenProgress !== training.progress) {
    setSeenProgress(training.progress);
    if (training.progress?.watermark) setProgress(training.progress.watermark);
    else if (training.progress === null) setProgress(null);
  }
  const report = training.outcome?.watermark ?? null;
  const p = config.payload;
  const marginOn = Number.isFinite(config.margin);

  return (
    <section className="panel" aria-labelledby="watermark-title">
      <div className="panel-head">
        <h2 id="watermark-title">Watermark</h2>
        <p className="panel-sub">
          WaterMAS writes a secret payload into key weights before training, freezes them, and trains the other weights so that the key subspace
          becomes sharp: removing the mark costs accuracy.
        </p>
      </div>
      <form className="train-form wm-form" onSubmit={(e) => e.preventDefault()} aria-label="Watermark settings">
        <div className="field">
          <label htmlFor="wm-method">Method</label>
          <select id="wm-method" value={config.method} disabled={lockedSetup} onChange={(e) => update({ method: e.target.value as WatermarkConfig['method'] })}>
            <option value="none">none (plain training)</option>
            <option value="watermas">WaterMAS</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="wm-payload-kind">Payload</label>
          <select
            id="wm-payload-kind"
            value={p.kind}
            disabled={lockedSetup || !marked}
            onChange={(e) => {
              const kind = e.target.value;
              if (kind === 'random') setPayload({ kind: 'random', bits: DEFAULT_RANDOM_BITS });
              else if (kind === 'text') setPayload({ kind: 'text', text: DEFAULT_TEXT });
              else setPayload(builtInLogo());
            }}
          >
            <option value="random">random bits</option>
            <option value="text">text</option>
            <option value="image">logo image</option>
          </select>
        </div>
        {p.kind === 'random' && (
          <div className="field">
            <label htmlFor="wm-bits">Payload bits</label>
            <input
              id="wm-bits"
              type="number"
              min={8}
              max={4096}
              step={8}
              value={p.bits}
              disabled={lockedSetup || !marked}
              title="Number n of marked weights (one bit each)"
              onChange={(e) => Number.isFinite(e.target.valueAsNumber) && setPayload({ kind: 'random', bits: Math.round(e.target.valueAsNumber) })}
            />
          </div>
        )}
        {p.kind === 'text' && (
          <div className="field field-wide">
            <label htmlFor="wm-text">Watermark text</label>
            <input id="wm-text" type="text" value={p.text} maxLength={128} disabled={lockedSetup || !marked} onChange={(e) => setPayload({ kind: 'text', text: e.target.value })} />
            <span className="hint">UTF-8, 8 marked weights per byte</span>
          </div>
        )}
        {p.kind === 'image' && (
          <div className="field field-wide">
            <label htmlFor="wm-logo">Logo image (PNG or JPEG, scaled to 16×16 grey)</label>
            <input
              id="wm-logo"
              type="file"
              accept="image/png,image/jpeg"
              disabled={lockedSetup || !marked}
              onChange={(e) => {
                const file = e.target.files?.[0];
                if (!file) return;
                imageFileToPayload(file).then(
                  (payload) => {
                    setUploadError(null);
                    setPayload(payload);
                  },
                  (err: unknown) => setUploadError(`Could not read the image: ${errorMessage(err)}`),
                );
              }}
            />
            <PixelImage image={p} label={`Payload image: ${p.label ?? 'image'}`} testId="watermark-payload-image" />
            <span className="hint">
              Now: {p.label ?? 'image'} ({p.width}×{p.height}){' '}
              <button type="button" className="link-button" disabled={lockedSetup || !marked} onClick={() => setPayload(builtInLogo())}>
                use the built-in logo
              </button>
            </span>
            {uploadError && (
              <span className="error" role="alert">
                {uploadError}
              </span>
            )}
          </div>
        )}
        <div className="field">
          <label htmlFor="wm-key-source">Key seed</label>
          <select
            id="wm-key-source"
            value={config.key.kind}
            disabled={lockedSetup || !marked}
            onChange={(e) => update({ key: e.target.value === 'passphrase' ? { kind: 'passphrase', passphrase: '' } : { kind: 'random' } })}
          >
            <option value="random">random</option>
            <option value="passphrase">from a passphrase</option>
          </select>
        </div>
        {config.key.kind === 'passphrase' && (
          <div className="field">
            <label htmlFor="wm-passphrase">Passphrase</label>
            <input
              id="wm-passphrase"
              type="password"
              autoComplete="off"
              value={config.key.passphrase}
              disabled={lockedSetup || !marked}
              onChange={(e) => update({ key: { kind: 'passphrase', passphrase: e.target.value } })}
            />
            <span className="hint">PBKDF2-SHA256, 600 000 rounds</span>
          </div>
        )}
        <p className="hint field-wide">
          {marked ? `${payloadSize(p)} marked weights.` : 'Pick WaterMAS to mark the next run.'}
          {runIsMarked && ' R, σ, λ, mode, ρ and margin apply at the next step; the rest is fixed at embedding.'}
        </p>
        <div className="wm-sliders field-wide">
          <SliderField
            id="wm-strength"
            label="Strength q"
            unit="quantile"
            tip="Magnitude floor of the marked weights: each keeps at least the q-quantile of |w| of its tensor (0 keeps magnitudes). Fixed at embedding."
            value={config.strength}
            min={0}
            max={1}
            step={0.05}
            disabled={lockedSetup || !marked}
            onValue={(v) => update({ strength: v })}
          />
          <div className="field">
            <label htmlFor="wm-mode">
              Replica mode{liveBadge && <span className="live-badge">{liveBadge}</span>}
            </label>
            <select
              id="wm-mode"
              value={config.mode}
              disabled={liveDisabled}
              title="Gaussian: R noisy replicas of the key weights; adversarial: one SAM-style worst-case replica of radius ρ"
              onChange={(e) => update({ mode: e.target.value as WatermarkConfig['mode'] })}
            >
              <option value="gaussian">Gaussian (R, σ)</option>
              <option value="adversarial">adversarial (ρ)</option>
            </select>
          </div>
          <SliderField
            id="wm-replicas"
            label="Replicas R"
            unit="passes"
            tip="Noisy copies of the key weights evaluated per step; 0 = plain substitution (the control). Each costs one more forward+backward pass."
            value={config.replicas}
            min={0}
            max={8}
            step={1}
            badge={liveBadge}
            disabled={liveDisabled}
            onValue={(v) => update({ replicas: Math.round(v) })}
          />
          {config.mode === 'gaussian' ? (
            <SliderField
              id="wm-sigma"
              label="Noise σ"
              unit="weight units"
              tip="Standard deviation of the Gaussian noise added to the key weights in each replica."
              value={config.sigma}
              min={0}
              max={0.1}
              step={0.001}
              badge={liveBadge}
              disabled={liveDisabled}
              onValue={(v) => update({ sigma: v })}
            />
          ) : (
            <SliderField
              id="wm-rho"
              label="Radius ρ"
              unit="L2 norm"
              tip="Length of the adversarial step on the key weights, along the clean gradient restricted to them."
              value={config.rho}
              min={0}
              max={0.5}
              step={0.005}
              badge={liveBadge}
              disabled={liveDisabled}
              onValue={(v) => update({ rho: v })}
            />
          )}
          <SliderField
            id="wm-lambda"
            label="Weight λ"
            unit="× replica term"
            tip="Weight of the replica term: how hard training pushes the loss up around the key weights."
            value={config.lambda}
            min={0}
            max={4}
            step={0.05}
            badge={liveBadge}
            disabled={liveDisabled}
            onValue={(v) => update({ lambda: v })}
          />
          <div className="wm-margin">
            <div className="field field-check">
              <input
                id="wm-margin-on"
                type="checkbox"
                checked={marginOn}
                disabled={liveDisabled}
                onChange={(e) => update({ margin: e.target.checked ? lastMargin.current : Infinity })}
              />
              <label htmlFor="wm-margin-on" title="Off = unbounded form J = L − λ·mean L(θ+ε), which diverges for λ > 1">
                Hinge margin on
              </label>
            </div>
            {marginOn && (
              <SliderField
                id="wm-margin"
                label="Margin m"
                unit="nats"
                tip="Replicas whose loss exceeds the clean loss by more than m stop pushing (bounded form)."
                value={config.margin}
                min={0.05}
                max={5}
                step={0.05}
                badge={liveBadge}
                disabled={liveDisabled}
                onValue={(v) => {
                  lastMargin.current = v;
                  update({ margin: v });
                }}
              />
            )}
          </div>
        </div>
      </form>

      {(runIsMarked || progress) && (
        <div className="wm-live" aria-live="polite">
          <span>
            BER now:{' '}
            <strong data-testid="watermark-ber" data-value={progress ? progress.ber : ''}>
              {progress ? `${formatPercent(progress.ber, 2)} (${progress.errors}/${progress.bits})` : 'waiting for the first report…'}
            </strong>
          </span>
          <span>
            Marked weights:{' '}
            <strong data-testid="watermark-frozen" data-value={progress ? String(progress.frozenUnchanged) : ''} className={progress && !progress.frozenUnchanged ? 'wm-no' : 'wm-yes'}>
              {progress ? (progress.frozenUnchanged ? 'unchanged ✓' : 'CHANGED ✗') : '–'}
            </strong>
          </span>
          {progress && (
            <span className="muted small">
              R {progress.settings.replicas} · σ {progress.settings.sigma} · λ {progress.settings.lambda} · m{' '}
              {Number.isFinite(progress.settings.margin) ? progress.settings.margin : 'off'}
              {progress.settingsSinceStep > 0 ? ` since step ${progress.settingsSinceStep}` : ''}
              {progress.metrics.gap !== undefined && ` · replica gap ${progress.metrics.gap.toFixed(3)}`}
            </span>
          )}
        </div>
      )}
      {actions.error && (
        <p className="error" role="alert">
          {actions.error}
        </p>
      )}
      {report && <WatermarkResult report={report} />}
      {training.state === 'finished' && (
        <div className="controls" role="group" aria-label="Downloads">
          <button type="button" disabled={actions.downloading} onClick={actions.downloadModel}>
            Download model (model.json + weights.bin)
          </button>
          <button type="button" disabled={!report} onClick={actions.downloadKey}>
            Download key.json
          </button>
        </div>
      )}
    </section>
  );
}
