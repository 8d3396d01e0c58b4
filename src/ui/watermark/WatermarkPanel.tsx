/**
 * The "Watermark" panel: method (WaterMAS, Uchida, FCW), payload, key and method settings; live
 * BER or trigger accuracy; the FCW trigger gallery; verdict and downloads.
 */
import { useState } from 'react';
import type { DatasetInfo, TrainSettings, WatermarkLiveSettings, WatermarkMethodName, WatermarkPayload, WatermarkProgress } from '../../protocol/api';
import type { EngineHandle } from '../useEngine';
import type { TrainingState } from '../training/useTraining';
import { useWatermark } from './useWatermark';
import { WatermarkLive } from './WatermarkLive';
import { PixelImage, WatermarkResult } from './WatermarkResult';
import { imageFileToPayload } from './imagePayload';
import { DEFAULT_RANDOM_BITS, DEFAULT_TEXT, builtInLogo, payloadSize, watermarkForm, withMethod, type WatermarkForm } from './watermarkDefaults';
import { UI_METHOD_LIST, liveMethodOf, uiMethod } from './methods/registry';
import { methodView } from './methods/views';
import { errorMessage } from '../common/format';
import './watermark.css';
import { ExplainCard } from '../lecture/explain/ExplainCard';
import { Hideable } from '../lecture/LectureContext';
import { Term } from '../lecture/explain/Term';

interface WatermarkPanelProps {
  readonly engine: EngineHandle;
  readonly training: TrainingState;
  readonly settings: TrainSettings;
  readonly onSettings: (s: TrainSettings) => void;
  /** The loaded data set (class names for the trigger gallery; its preview waits for it). */
  readonly dataset?: DatasetInfo | null;
  /** Backend and data are ready (the Uchida layer list builds a model in the worker). */
  readonly ready?: boolean;
}

const PAYLOAD_KIND_LABELS: Readonly<Record<WatermarkPayload['kind'], string>> = { random: 'random bits', text: 'text', image: 'logo image' };

const LIVE_KEYS: readonly (keyof WatermarkLiveSettings)[] = ['replicas', 'sigma', 'lambda', 'mode', 'rho', 'margin'];

/** The watermark of the next run, the live state of the current one, and the result of the last one. */
export function WatermarkPanel({ engine, training, settings, onSettings, dataset = null, ready = true }: WatermarkPanelProps) {
  const actions = useWatermark(engine);
  const config = watermarkForm(settings.watermark);
  const method = uiMethod(config.method);
  const view = methodView(config.method);
  const active = training.state === 'running' || training.state === 'paused';
  /** The run's objective settings may change while it runs (WaterMAS). */
  const runIsMarked = active && method.liveObjective;
  const [uploadError, setUploadError] = useState<string | null>(null);

  const update = (partial: Partial<WatermarkForm>) => {
    onSettings({ ...settings, watermark: { ...config, ...partial } });
    if (runIsMarked) {
      const live: Partial<Record<keyof WatermarkLiveSettings, unknown>> = {};
      for (const k of LIVE_KEYS) if (partial[k] !== undefined) live[k] = partial[k];
      if (Object.keys(live).length > 0) actions.pushLive(live as Partial<WatermarkLiveSettings>);
    }
  };
  const setPayload = (payload: WatermarkPayload) => update({ payload });

  const marked = method.liveObjective;
  /** Payload and key seed apply to WaterMAS and Uchida. */
  const keyed = method.keyed;
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
  // The method of the run the live reports come from (the config is locked while it runs).
  const liveMethod = liveMethodOf(progress, config.method);
  const showLive = (active && method.marks) || progress !== null;
  // The settings of the last run of each method (the FCW gallery shows the trained model's triggers when they match).
  const [lastRuns, setLastRuns] = useState<Partial<Record<WatermarkMethodName, TrainSettings>>>({});
  if (active && lastRuns[config.method] !== settings) setLastRuns({ ...lastRuns, [config.method]: settings });

  return (
    <section className="panel" aria-labelledby="watermark-title">
      <div className="panel-head">
        <h2 id="watermark-title">Watermark</h2>
        <p className="panel-sub">
          WaterMAS writes a secret payload into <Term id="key">key</Term> weights before training, freezes them, and trains the other weights so that the key subspace
          becomes sharp: removing the mark costs accuracy.
        </p>
      </div>
      <ExplainCard topic="watermark" method={config.method} />
      <form className="train-form wm-form" onSubmit={(e) => e.preventDefault()} aria-label="Watermark settings">
        <Hideable id="wm-method"><div className="field">
          <label htmlFor="wm-method">Method</label>
          <select
            id="wm-method"
            value={config.method}
            disabled={lockedSetup}
            onChange={(e) => onSettings({ ...settings, watermark: withMethod(config, e.target.value as WatermarkForm['method']) })}
          >
            {UI_METHOD_LIST.map((m) => (
              <option key={m.id} value={m.id}>
                {m.optionLabel}
              </option>
            ))}
          </select>
        </div></Hideable>
        {method.payloadKinds.length > 0 && (
          <>
          <div className="field">
            <label htmlFor="wm-payload-kind">Payload</label>
            <select
              id="wm-payload-kind"
              value={p.kind}
              disabled={lockedSetup || !keyed}
              onChange={(e) => {
                const kind = e.target.value;
                if (kind === 'random') setPayload({ kind: 'random', bits: DEFAULT_RANDOM_BITS });
                else if (kind === 'text') setPayload({ kind: 'text', text: DEFAULT_TEXT });
                else setPayload(builtInLogo());
              }}
            >
              {method.payloadKinds.map((kind) => (
                <option key={kind} value={kind}>
                  {PAYLOAD_KIND_LABELS[kind]}
                </option>
              ))}
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
                disabled={lockedSetup || !keyed}
                title="Number n of marked weights (one bit each)"
                onChange={(e) => Number.isFinite(e.target.valueAsNumber) && setPayload({ kind: 'random', bits: Math.round(e.target.valueAsNumber) })}
              />
            </div>
          )}
          {p.kind === 'text' && (
            <div className="field field-wide">
              <label htmlFor="wm-text">Watermark text</label>
              <input id="wm-text" type="text" value={p.text} maxLength={128} disabled={lockedSetup || !keyed} onChange={(e) => setPayload({ kind: 'text', text: e.target.value })} />
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
                disabled={lockedSetup || !keyed}
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
                <button type="button" className="link-button" disabled={lockedSetup || !keyed} onClick={() => setPayload(builtInLogo())}>
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
              disabled={lockedSetup || !keyed}
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
                disabled={lockedSetup || !keyed}
                onChange={(e) => update({ key: { kind: 'passphrase', passphrase: e.target.value } })}
              />
              <span className="hint">PBKDF2-SHA256, 600 000 rounds</span>
            </div>
          )}
          </>
        )}
        <p className="hint field-wide">
          {method.hint(payloadSize(p))}
          {runIsMarked && ' R, σ, λ, mode, ρ and margin apply at the next step; the rest is fixed at embedding.'}
        </p>
        <view.Settings
          engine={engine}
          settings={settings}
          config={config}
          bits={payloadSize(p)}
          lockedSetup={lockedSetup}
          liveDisabled={liveDisabled}
          liveBadge={liveBadge}
          ready={ready}
          update={update}
        />
      </form>

      {showLive && <WatermarkLive progress={progress} method={liveMethod} />}
      {view.Extra && <view.Extra engine={engine} settings={settings} training={training} dataset={dataset} active={active} lastRun={lastRuns[config.method] ?? null} />}
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
