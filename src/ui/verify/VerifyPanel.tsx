import { useCallback, useRef, useState } from 'react';
import type { VerifyFile, VerifyOutcome } from '../../protocol/api';
import { errorMessage } from '../common/format';
import { ExplainCard } from '../lecture/explain/ExplainCard';
import type { EngineHandle } from '../useEngine';
import { VerifyResultCard } from './VerifyResultCard';
import { StressPanel } from './StressPanel';
import { limitsFromSearch } from './verifyLimits';
import './verify.css';

interface VerifyPanelProps {
  readonly engine: EngineHandle;
}

const isKeyFile = (f: File): boolean => /\.json$/i.test(f.name) && /key/i.test(f.name);

/** Hands the picked files to the worker as File handles: it checks their sizes before reading them. */
async function checkFiles(engine: EngineHandle, files: readonly File[]): Promise<VerifyOutcome> {
  const payload: VerifyFile[] = files.map((f) => ({ name: f.name, file: f }));
  const limits = limitsFromSearch(window.location.search);
  return engine.checkModelFiles(payload, limits ? { limits } : {});
}

/**
 * The Verify panel: drop or pick a model (model.json + shards, or a .safetensors file) and its
 * key.json; the worker checks the watermark and the panel shows the verdict, BER, p-value,
 * payload, per-tensor errors and the model's SHA-256. Every drop or pick is a fresh selection;
 * a key can be added afterwards to the same model files. Nothing leaves the tab.
 */
export function VerifyPanel({ engine }: VerifyPanelProps) {
  const [files, setFiles] = useState<readonly File[]>([]);
  const [outcome, setOutcome] = useState<VerifyOutcome | null>(null);
  const [busy, setBusy] = useState(false);
  /** Number of the current check (data-run on the file list: tests wait for "their" check to finish). */
  const [runCount, setRunCount] = useState(0);
  const [dragging, setDragging] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const keyInputRef = useRef<HTMLInputElement>(null);
  const runId = useRef(0);

  const run = useCallback(
    (selection: readonly File[]) => {
      if (selection.length === 0) return;
      const id = ++runId.current;
      setRunCount(id);
      setFiles(selection);
      setBusy(true);
      setOutcome(null);
      checkFiles(engine, selection)
        .then(
          (o) => id === runId.current && setOutcome(o),
          (e: unknown) => id === runId.current && setOutcome({ ok: false, error: errorMessage(e), code: 'worker' }),
        )
        .finally(() => id === runId.current && setBusy(false));
    },
    [engine],
  );

  const addKey = (key: File) => run([...files.filter((f) => !isKeyFile(f)), key]);

  return (
    <section className="panel panel-wide" aria-labelledby="verify-title" data-testid="verify-panel">
      <div className="panel-head">
        <h2 id="verify-title">Verify</h2>
        <p className="panel-sub">Check a model for a watermark: the lab&apos;s model.json + weights.bin, a TensorFlow.js model (model.json + shards) or a .safetensors file (e.g. from PyTorch), with its key.json.</p>
      </div>
      <ExplainCard topic="verify" />
      <p className="notice verify-privacy" data-testid="verify-privacy">
        Everything stays on your machine: files are read in this tab and never uploaded.
      </p>
      <div
        className={`drop-zone${dragging ? ' drop-zone-active' : ''}`}
        data-testid="verify-drop"
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          run([...e.dataTransfer.files]);
        }}
      >
        <p>
          {busy ? 'Reading and checking the files…' : 'Drop the model file(s) and key.json here'}
          {!busy && (
            <>
              {' '}
              or{' '}
              <button type="button" className="link-button" onClick={() => inputRef.current?.click()}>
                choose files
              </button>
            </>
          )}
        </p>
        <input
          ref={inputRef}
          type="file"
          multiple
          accept=".json,.bin,.safetensors,application/json,application/octet-stream"
          aria-label="Files to verify"
          className="sr-only"
          data-testid="verify-input"
          onChange={(e) => {
            run([...(e.target.files ?? [])]);
            e.target.value = '';
          }}
        />
      </div>
      {files.length > 0 && (
        <p className="muted small" data-testid="verify-files" data-run={runCount} data-busy={String(busy)}>
          {busy ? 'Checking' : 'Checked'}: {files.map((f) => f.name).join(', ')}
        </p>
      )}
      {outcome && !outcome.ok && (
        <div className="error verify-error" role="alert" data-testid="verify-error" data-code={outcome.code}>
          <strong>Could not verify.</strong> {outcome.error}
        </div>
      )}
      {outcome?.ok && (
        <VerifyResultCard report={outcome}>
          {outcome.verification && <StressPanel engine={engine} readiness={outcome.stress} />}
        </VerifyResultCard>
      )}
      {outcome?.ok && !outcome.verification && (
        <p>
          <button type="button" onClick={() => keyInputRef.current?.click()} disabled={busy}>
            Add key.json…
          </button>
          <input
            ref={keyInputRef}
            type="file"
            accept=".json,application/json"
            aria-label="Add a key to verify with"
            className="sr-only"
            data-testid="verify-key-input"
            onChange={(e) => {
              const key = e.target.files?.[0];
              if (key) addKey(new File([key], /key/i.test(key.name) ? key.name : `key-${key.name}`, { type: key.type }));
              e.target.value = '';
            }}
          />
        </p>
      )}
    </section>
  );
}
