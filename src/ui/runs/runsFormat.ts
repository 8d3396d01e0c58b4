/** Display helpers shared by the Runs drawer and the comparison view. */
import type { RunOutcomeSummary } from '../../protocol/api';
import { findUiMethod } from '../watermark/methods/registry';

/** "WaterMAS", "Uchida", "FCW", "plain" (unknown methods as they are named). */
export function methodName(method: string): string {
  return findUiMethod(method)?.name ?? method;
}

/** The watermark evidence at the end of training: "BER 0.000", "trigger 100 %", or "–". */
export function outcomeEvidence(o: RunOutcomeSummary): string {
  if (o.triggerAccuracy !== null) return `trigger ${(o.triggerAccuracy * 100).toFixed(0)} %`;
  if (o.ber !== null) return `BER ${o.ber.toFixed(3)}`;
  return '–';
}

/** A p-value from its log10 (exact where p underflows): "3.2e-12", "1e-310". */
export function formatPValue(pValue: number, log10PValue: number): string {
  if (pValue === 0 || !Number.isFinite(pValue)) return `1e${Math.round(log10PValue)}`;
  return pValue >= 0.001 ? pValue.toFixed(3) : pValue.toExponential(1);
}

/** "2026-11-23 14:32" in local time. */
export function formatDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** Seconds per epoch: "12.3 s", "4 min 05 s". */
export function formatEpochSeconds(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '–';
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  return `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, '0')} s`;
}
