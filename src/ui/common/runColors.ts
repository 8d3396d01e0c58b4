/**
 * One colour per run, the same wherever the run is drawn (compare mode, the Runs drawer, the
 * runs comparison): compare mode's twins keep their lane colours (A blue, B orange); every other
 * run takes the next colour of a palette without those two, in the order the runs were made.
 */
import type { CompareLane } from '../../protocol/api';

/** Compare mode's lanes: A blue (solid lines), B orange (dashed). */
export const LANE_COLORS: Readonly<Record<CompareLane, string>> = { A: '#2563eb', B: '#ea580c' };

/** Tableau 10 less its blue and orange (kept for the lanes). */
export const RUN_PALETTE: readonly string[] = ['#e15759', '#59a14f', '#b07aa1', '#76b7b2', '#9c755f', '#edc948', '#ff9da7', '#bab0ac'];

interface ColoredRun {
  readonly id: string;
  readonly createdAt: string;
  readonly lane?: CompareLane;
}

/** The colour of every run in `runs` (by id): lanes by lane, the others by creation order. */
export function runColors(runs: readonly ColoredRun[]): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  const others = runs.filter((r) => !r.lane).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  others.forEach((r, i) => out.set(r.id, RUN_PALETTE[i % RUN_PALETTE.length]));
  for (const r of runs) if (r.lane) out.set(r.id, LANE_COLORS[r.lane]);
  return out;
}
