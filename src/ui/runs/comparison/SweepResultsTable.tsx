import type { SweepTable } from '../../../protocol/api';
import { formatSweepValue } from './sweepFormat';

interface SweepResultsTableProps {
  readonly table: SweepTable;
  /** The caption's text (sweep name, number of cells). */
  readonly caption: string;
}

/** The imported sweep as `wmlab sweep report`'s table: a row per cell, the columns in the CLI's order. */
export function SweepResultsTable({ table, caption }: SweepResultsTableProps) {
  return (
    <div className="table-wrap sweep-table-wrap">
      <table className="results-table sweep-table" data-testid="sweep-table" data-rows={table.rows.length} data-columns={table.columns.length}>
        <caption data-testid="sweep-caption">{caption}</caption>
        <thead>
          <tr>
            {table.columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((r, i) => (
            <tr key={`${String(r.id)}-${i}`} data-testid="sweep-row" data-cell-id={String(r.id ?? '')}>
              {table.columns.map((c) => {
                const v = r[c] ?? null;
                return (
                  <td key={c} data-column={c} title={v === null ? undefined : `${c}: ${String(v)}`}>
                    {formatSweepValue(c, v)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
