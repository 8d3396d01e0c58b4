/**
 * Compare mode's run state in the page: drives one comparison in the worker (startCompare) and
 * collects, per run (A and B), the training curve, the landscape slices and the attack points.
 */
import { useCallback, useRef, useState } from 'react';
import type {
  AttackPoint, AttackSweepOutcome, CompareEvent, CompareLane, CompareOutcome, CompareRequest, LandscapeOutcome, LoadedDemoModel, TrainProgress,
} from '../../protocol/api';
import type { EngineHandle } from '../useEngine';
import { proxyCallback } from '../useEngine';
import { errorMessage } from '../common/format';

export type CompareRunState = 'idle' | 'running' | 'paused' | 'finished' | 'failed';
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

function emptyLane(grid: number): LaneView {
  return {
    phase: 'waiting', progress: null, ber: null, history: [], sliceKey: Array<number | null>(grid).fill(null), sliceComplement: Array<number | null>(grid).fill(null),
    landscape: null, attackPoints: [], attack: null, loaded: null,
  };
}

/** The lane after one event. */
function applyEvent(lane: LaneView, e: CompareEvent): LaneView {
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

export interface CompareRun {
  readonly state: CompareRunState;
  readonly lanes: Lanes;
  /** The request of the current / last comparison (for the charts' scales). */
  readonly request: CompareRequest | null;
  readonly outcome: CompareOutcome | null;
  readonly error: string | null;
  start(request: CompareRequest): void;
  pause(): void;
  resume(): void;
  cancel(): void;
}

/** Drives one comparison at a time in the worker. */
export function useCompareRun(engine: EngineHandle): CompareRun {
  const [state, setState] = useState<CompareRunState>('idle');
  const [lanes, setLanes] = useState<Lanes>({ A: emptyLane(0), B: emptyLane(0) });
  const [request, setRequest] = useState<CompareRequest | null>(null);
  const [outcome, setOutcome] = useState<CompareOutcome | null>(null);
  const [error, setError] = useState<string | null>(null);
  const running = useRef(false);

  const start = useCallback(
    (req: CompareRequest) => {
      if (running.current) return;
      running.current = true;
      const grid = req.landscape?.grid ?? 11;
      setState('running');
      setRequest(req);
      setLanes({ A: emptyLane(grid), B: emptyLane(grid) });
      setOutcome(null);
      setError(null);
      const onEvent = proxyCallback((e: CompareEvent) => setLanes((l) => ({ ...l, [e.lane]: applyEvent(l[e.lane], e) })));
      engine
        .startCompare(req, onEvent)
        .then((o) => {
          setOutcome(o);
          setState('finished');
        })
        .catch((e: unknown) => {
          setError(errorMessage(e));
          setState('failed');
        })
        .finally(() => {
          running.current = false;
        });
    },
    [engine],
  );

  const pause = useCallback(() => {
    engine.pauseCompare().then(() => setState((s) => (s === 'running' ? 'paused' : s)), (e: unknown) => setError(errorMessage(e)));
  }, [engine]);
  const resume = useCallback(() => {
    engine.resumeCompare().then(() => setState((s) => (s === 'paused' ? 'running' : s)), (e: unknown) => setError(errorMessage(e)));
  }, [engine]);
  const cancel = useCallback(() => {
    engine.cancelCompare().catch((e: unknown) => setError(errorMessage(e)));
  }, [engine]);

  return { state, lanes, request, outcome, error, start, pause, resume, cancel };
}
