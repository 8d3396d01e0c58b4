import { useRef, useState } from 'react';
import type { SweepResultsImport } from '../../../protocol/api';
import { MAX_SWEEP_RESULTS_CHARS } from '../../../protocol/runs';
import { downloadText } from '../../common/exportFiles';
import { errorMessage } from '../../common/format';
import type { EngineHandle } from '../../useEngine';
import { sweepCsvName } from './sweepFormat';
import { FilePickerButton } from '../../common/FilePickerButton';
import { SweepResultsTable } from './SweepResultsTable';
import '../../common/analysis.css';
import './comparison.css';

interface SweepImportProps {
  readonly engine: EngineHandle;
}

/**
 * Import of a `wmlab sweep` results.jsonl (issue 19): the worker parses it and builds the same
 * table `wmlab sweep report` writes (table.csv), shown here with a CSV download. Independent of
 * the comparison above and of training (the worker does it without the tensor queue).
 */
export function SweepImport({ engine }: SweepImportProps) {
  const [result, setResult] = useState<SweepResultsImport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Only the latest import's answer counts (a slow big file must not overwrite a later one).
  const round = useRef(0);

  const importFile = (file: File) => {
    const mine = ++round.current;
    setBusy(true);
    setError(null);
    const work = async () => {
      // Checked before reading: a wrong upload (a model, a tarball) must not be read into memory.
      if (file.size > MAX_SWEEP_RESULTS_CHARS) {
        throw new Error(`${file.name}: ${(file.size / 2 ** 20).toFixed(1)} MiB is more than the ${MAX_SWEEP_RESULTS_CHARS / 2 ** 20} MiB a sweep's results.jsonl may have here (is this the right file?)`);
      }
      return engine.importSweepResults(await file.text(), file.name);
    };
    work()
      .then((r) => {
        if (round.current !== mine) return;
        setResult(r);
      })
      .catch((e: unknown) => {
        if (round.current !== mine) return;
        setResult(null);
        setError(errorMessage(e));
      })
      .finally(() => {
        if (round.current === mine) setBusy(false);
      });
  };

  const name = result ? (result.sweeps.length === 1 ? `"${result.sweeps[0]}"` : result.sweeps.map((s) => `"${s}"`).join(', ')) : '';
  const caption = result ? `Sweep ${name}: ${result.cells} cell${result.cells === 1 ? '' : 's'} (${result.source})` : '';

  return (
    <section className="compare sweep-import" aria-labelledby="sweep-import-title" data-testid="sweep-import">
      <h3 id="sweep-import-title">Sweep results</h3>
      <p className="panel-sub">
        Import the <code>results.jsonl</code> of a <code>wmlab sweep</code> (on this machine or a cluster) to see the table{' '}
        <code>wmlab sweep report</code> writes: a row per cell, its settings, accuracy, watermark evidence per attack strength and sharpness.
        The file is read in this tab only.
      </p>
      <div className="controls">
        <FilePickerButton
          disabled={busy}
          accept=".jsonl,.json,.ndjson,.txt,application/jsonl,application/x-ndjson,application/json,text/plain"
          ariaLabel="Import sweep results (results.jsonl)"
          testId="sweep-import-input"
          onFile={importFile}
        >
          Import sweep results (results.jsonl)…
        </FilePickerButton>
        {busy && <span className="muted small">reading…</span>}
        {result && (
          <button type="button" data-testid="sweep-download-csv" onClick={() => downloadText(result.csv, sweepCsvName(result.sweeps), 'text/csv')}>
            Download CSV
          </button>
        )}
      </div>
      {error && (
        <p className="error" role="alert" data-testid="sweep-import-error">
          Sweep import failed: {error}
        </p>
      )}
      {result && !error && <SweepResultsTable table={result.table} caption={caption} />}
    </section>
  );
}
