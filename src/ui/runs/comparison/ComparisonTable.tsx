import type { ComparisonPoint, ComparisonRunResult } from '../../../protocol/api';
import { formatPercent } from '../../common/format';
import { formatEpochSeconds, methodName } from '../runsFormat';
import { evidenceText, evidenceTitle } from './comparisonData';

interface ComparisonTableProps {
  readonly strengths: readonly number[];
  /** Finished runs, or the runs so far with their live points. */
  readonly runs: readonly ComparisonRunResult[];
  /** How many test images the comparison measures on (its own subset, not the training run's). */
  readonly testImages: number | null;
}

function Cell({ p }: { readonly p: ComparisonPoint | undefined }) {
  if (!p) return <td className="muted">…</td>;
  return (
    <td title={evidenceTitle(p.evidence)}>
      {formatPercent(p.accuracy)}
      <br />
      <span className={p.evidence ? (p.evidence.detected ? 'compare-detected' : 'compare-lost') : 'muted'}>
        {evidenceText(p.evidence)}
        {p.evidence ? (p.evidence.detected ? ' ✓' : ' ✗') : ''}
      </span>
    </td>
  );
}

/** One row per run: method, clean accuracy, time per epoch, then accuracy and evidence at each strength. */
export function ComparisonTable({ strengths, runs, testImages }: ComparisonTableProps) {
  return (
    <div className="table-wrap">
      <table className="results-table" data-testid="comparison-table">
        <thead>
          <tr>
            <th>run</th>
            <th>method</th>
            <th title="Accuracy of the unattacked model on the comparison's test images (the first N of the test set), which may differ from the images of its training report">
              clean accuracy{testImages !== null ? ` (${testImages} test images)` : ''}
            </th>
            <th>time / epoch</th>
            {strengths.map((s, i) => (
              <th key={i}>strength {s}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.runId} data-testid="comparison-row" data-run-id={r.runId}>
              <td>{r.name}</td>
              <td>{methodName(r.method)}</td>
              <td>{formatPercent(r.cleanAccuracy)}</td>
              <td>{formatEpochSeconds(r.secondsPerEpoch)}</td>
              {r.error ? (
                <td colSpan={strengths.length} className="error-text">
                  {r.error}
                </td>
              ) : (
                strengths.map((_s, i) => <Cell key={i} p={r.points.find((p) => p.index === i)} />)
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
