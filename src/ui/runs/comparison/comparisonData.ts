/** DOM-free shaping of comparison results for the table, the chart and the exports. */
import type { ComparisonEvidence, ComparisonPoint, ComparisonRunResult } from '../../../protocol/api';
import { formatPValue } from '../runsFormat';

/** The flat rows of the CSV / JSON export (one per run and strength). */
export const COMPARISON_COLUMNS = [
  'run', 'method', 'cleanAccuracy', 'secondsPerEpoch', 'attack', 'strength', 'accuracy', 'accuracyDrop',
  'ber', 'triggerAccuracy', 'pValue', 'log10PValue', 'evidenceScore', 'detected',
] as const;

export function comparisonRows(attack: string, runs: readonly ComparisonRunResult[]): Record<(typeof COMPARISON_COLUMNS)[number], unknown>[] {
  return runs.flatMap((r) =>
    r.points.map((p) => ({
      run: r.name, method: r.method, cleanAccuracy: r.cleanAccuracy, secondsPerEpoch: r.secondsPerEpoch, attack, strength: p.strength,
      accuracy: p.accuracy, accuracyDrop: p.accuracyDrop, ber: p.evidence?.ber ?? null, triggerAccuracy: p.evidence?.triggerAccuracy ?? null,
      pValue: p.evidence?.pValue ?? null, log10PValue: p.evidence?.log10PValue ?? null, evidenceScore: p.evidence?.score ?? null,
      detected: p.evidence?.detected ?? null,
    })),
  );
}

/** The method's own number: "BER 0.031" or "trigger 95 %" ("–" without a key). */
export function evidenceText(e: ComparisonEvidence | null): string {
  if (!e) return '–';
  if (e.triggerAccuracy !== null) return `trigger ${(e.triggerAccuracy * 100).toFixed(0)} %`;
  return e.ber !== null ? `BER ${e.ber.toFixed(3)}` : '–';
}

/** Tooltip of an evidence cell: p-value, score and verdict. */
export function evidenceTitle(e: ComparisonEvidence | null): string {
  if (!e) return 'this run has no key';
  return `p = ${formatPValue(e.pValue, e.log10PValue)}, score ${e.score.toFixed(1)}, ${e.detected ? 'detected' : 'not detected'}`;
}

/** Live points grouped per run (in run order), for drawing while the comparison runs. */
export function groupLive(points: readonly ComparisonPoint[]): Map<string, ComparisonPoint[]> {
  const out = new Map<string, ComparisonPoint[]>();
  for (const p of points) {
    const list = out.get(p.runId) ?? [];
    list.push(p);
    out.set(p.runId, list);
  }
  return out;
}
