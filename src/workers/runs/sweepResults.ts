/**
 * The comparison view's import of a sweep's `results.jsonl` (`wmlab sweep`, issue 19): the same
 * table `wmlab sweep report` writes as table.csv, parsed and built in the worker by the engine's
 * pure sweep code (no tensors: it never waits for the tensor queue, so it does not disturb a
 * training run or a comparison going on).
 */
import { parseResultsJsonl, sweepTable, tableToCsv } from '../../engine/sweep';
import { MAX_SWEEP_RESULTS_CHARS, type SweepResultsImport } from '../../protocol/runs';

/**
 * The sweep table of a results.jsonl text; `source` (the file's name) names the file in error
 * messages ("results.jsonl line 3: not JSON"). Throws a one-line reason for anything that is not
 * a sweep's results: not text, too large, empty, a line that is not JSON or not a cell result.
 */
export function importSweepResults(text: string, source = 'results.jsonl'): SweepResultsImport {
  const name = typeof source === 'string' && source.trim() ? source.trim().slice(0, 200) : 'results.jsonl';
  if (typeof text !== 'string') throw new Error(`${name}: expected the file's text`);
  if (text.length > MAX_SWEEP_RESULTS_CHARS) {
    throw new Error(`${name}: larger than the ${MAX_SWEEP_RESULTS_CHARS / 2 ** 20} MiB a sweep's results.jsonl may have here (is this the right file?)`);
  }
  const cells = parseResultsJsonl(text, name);
  const table = sweepTable(cells);
  const sweeps = [...new Set(cells.map((c) => c.sweep))];
  return { source: name, sweeps, cells: cells.length, table, csv: tableToCsv(table) };
}
