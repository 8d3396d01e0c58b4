import type { ReactNode } from 'react';
import type { BackendInfo, BackendPreference, DatasetInfo } from '../protocol/api';
import { BACKEND_PREFERENCES } from '../protocol/api';
import { formatMs } from './common/format';

interface HeaderProps {
  readonly backend: BackendInfo | null;
  readonly backendBusy: boolean;
  readonly preference: BackendPreference;
  readonly onPreference: (p: BackendPreference) => void;
  readonly dataset: DatasetInfo | null;
  readonly locked: boolean;
  /** Extra header controls (lecture mode: preset, theme, share, classroom link). */
  readonly tools?: ReactNode;
}

const ORIGIN_TEXT: Record<DatasetInfo['origin'], string> = {
  'browser-storage': 'from your imported tarball',
  server: 'served with the lab',
  synthetic: '',
};

/** Title bar: backend badge + override selector, dataset source. */
export function Header({ backend, backendBusy, preference, onPreference, dataset, locked, tools }: HeaderProps) {
  const tried = backend
    ? [
        ...backend.tried.map((t) => `${t.name}: ${t.ok ? 'ok' : (t.reason ?? 'failed')}`),
        ...(backend.adapter ? [`GPU adapter: ${backend.adapter}${backend.softwareAdapter ? ' (software)' : ''}`] : []),
        ...(backend.wasm
          ? [`wasm: ${backend.wasm.threads} thread${backend.wasm.threads === 1 ? '' : 's'}, SIMD ${backend.wasm.simd ? 'on' : 'off'}, the lab's SIMD kernels ${backend.wasm.labKernels ? 'on' : backend.wasm.threads > 1 ? 'off (threaded build)' : 'off'}`]
          : []),
        ...(backend.choice ? [backend.choice.reason] : []),
        `ms/step probe: ${backend.probe ?? 'not run'}`,
      ].join('\n')
    : undefined;
  const fellBack = backend && !backendBusy && preference !== 'auto' && backend.name !== preference;
  return (
    <header className="app-header">
      <div className="brand">
        <h1>WaterMAS Lab</h1>
        <span className="tagline">neural-network watermarks, in your browser</span>
      </div>
      <div className="header-status">
        <div className="status-item">
          <span className="status-label">Backend</span>
          <span
            className={`badge ${backend ? 'badge-ok' : 'badge-pending'}`}
            data-testid="backend-badge"
            data-backend={backend?.name ?? ''}
            data-chosen-by={backend?.choice?.basis ?? 'ladder'}
            data-measuring={backend?.choice?.measuring ?? ''}
            title={tried}
            aria-live="polite"
          >
            {backendBusy || !backend ? 'starting…' : backend.name}
            {backend && !backendBusy && backend.msPerStep !== null && (
              <span className="badge-detail" data-testid="backend-ms">
                {formatMs(backend.msPerStep)}/step
              </span>
            )}
            {backend?.choice?.measuring && !backendBusy && (
              <span className="badge-detail" data-testid="backend-measuring" title={`measuring ${backend.choice.measuring} in the background`}>
                · checking {backend.choice.measuring}
              </span>
            )}
          </span>
          <label className="sr-only" htmlFor="backend-select">
            Backend preference
          </label>
          <select
            id="backend-select"
            aria-label="Backend preference"
            value={preference}
            disabled={locked || backendBusy}
            onChange={(e) => onPreference(e.target.value as BackendPreference)}
          >
            {BACKEND_PREFERENCES.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
          {fellBack && (
            <span className="fallback-note" role="status">
              {preference} unavailable: {backend.tried.find((t) => t.name === preference)?.reason ?? 'failed'}
            </span>
          )}
        </div>
        <div className="status-item">
          <span className="status-label">Data</span>
          <span
            className={`badge ${dataset?.name === 'synthetic' ? 'badge-warn' : dataset ? 'badge-ok' : 'badge-pending'}`}
            data-testid="dataset-source"
            data-dataset={dataset?.name ?? ''}
            title={dataset?.note}
            aria-live="polite"
          >
            {dataset ? dataset.label : 'loading…'}
            {dataset && ORIGIN_TEXT[dataset.origin] && <span className="badge-detail">{ORIGIN_TEXT[dataset.origin]}</span>}
          </span>
        </div>
        {tools}
      </div>
    </header>
  );
}
