/** What compare mode's page knows of its two runs, built from the worker's events (pure: no React), tested in tests/unit/ui. */
import type { AttackPoint, AttackSweepOutcome, CompareEvent, CompareLane, LandscapeOutcome, LoadedDemoModel, TrainProgress } from '../../protocol/api';

export type LanePhase = 'waiting' | 'training' | 'landscape' | 'attack' | 'done' | 'cancelled';

export interface CompareCurvePoint {
  readonly step: number;
  readonly loss: number | null;
  readonly accuracy: number | null;
}

/** What the page knows of one run. */
export interface LaneView {
  readonly phase: LanePhase;
  readonly progress: TrainProgress | null;
  /** BER of the marked weights at the last report that carried one (kept after training). */
  readonly ber: number | null;
  readonly history: readonly CompareCurvePoint[];
  /** Slice losses by grid index (null = not computed yet). */
  readonly sliceKey: readonly (number | null)[];
  readonly sliceComplement: readonly (number | null)[];
  readonly landscape: LandscapeOutcome | null;
  readonly attackPoints: readonly AttackPoint[];
  readonly attack: AttackSweepOutcome | null;
  /** A shipped demo model this run analyses (the trained pair), else null. */
  readonly loaded: LoadedDemoModel | null;
}

export type Lanes = Readonly<Record<CompareLane, LaneView>>;

export function emptyLane(grid: number): LaneView {
  return {
    phase: 'waiting', progress: null, ber: null, history: [], sliceKey: Array<number | null>(grid).fill(null), sliceComplement: Array<number | null>(grid).fill(null),
    landscape: null, attackPoints: [], attack: null, loaded: null,
  };
}

/** The lane after one event. */
export function applyLaneEvent(lane: LaneView, e: CompareEvent): LaneView {
  switch (e.kind) {
    case 'loaded':
      return { ...lane, loaded: e.model, ber: e.model.ber };
    case 'train': {
      const p = e.progress;
      const phase: LanePhase = p.phase === 'cancelled' ? 'cancelled' : p.phase === 'done' ? 'done' : 'training';
      const history = (p.phase === 'training' || p.phase === 'paused') && p.loss !== null ? [...lane.history, { step: p.step, loss: p.loss, accuracy: p.accuracy }] : lane.history;
      return { ...lane, phase, progress: p, history, ber: p.watermark?.ber ?? lane.ber };
    }
    case 'phase':
      return { ...lane, phase: e.phase };
    case 'landscape': {
      const ev = e.event;
      if (ev.kind !== 'slice') return lane;
      const which = ev.subspace === 'key' ? 'sliceKey' : 'sliceComplement';
      const next = [...lane[which]];
      next[ev.index] = ev.loss;
      return { ...lane, [which]: next };
    }
    case 'landscape-done':
      return { ...lane, landscape: e.outcome };
    case 'attack':
      return { ...lane, attackPoints: [...lane.attackPoints, e.point] };
    case 'attack-done':
      return { ...lane, attack: e.outcome, phase: 'done' };
  }
}

/** Both runs before a comparison with `grid` landscape points. */
export function emptyLanes(grid: number): Lanes {
  return { A: emptyLane(grid), B: emptyLane(grid) };
}

/** Both runs after one event (it names its run). */
export function foldCompareEvent(lanes: Lanes, e: CompareEvent): Lanes {
  return { ...lanes, [e.lane]: applyLaneEvent(lanes[e.lane], e) };
}
