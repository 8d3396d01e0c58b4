/**
 * Lecture controls of a training run: Step (one step, then pause), slow motion, a live
 * learning-rate slider, the phase indicator of the last step and the worker's live state.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { SessionLiveState, StepPhaseInfo, TrainSettings } from '../../protocol/api';
import { Hideable } from '../lecture/LectureContext';
import { useEngine } from '../useEngine';
import { useWorkerQuery } from '../common/useWorkerQuery';
import { SLOW_MOTION_MS, type TrainingState } from './useTraining';

interface TrainingSessionProps {
  readonly training: TrainingState;
  readonly settings: TrainSettings;
  readonly onSettings: (s: TrainSettings) => void;
}

/** log10 range of the live learning-rate slider (1e-4 .. 10; our choice, wide enough to make a run diverge on purpose). */
const LR_LOG_MIN = -4;
const LR_LOG_MAX = 1;

function phaseLabel(p: StepPhaseInfo): string {
  if (p.kind === 'clean') return 'clean pass';
  if (p.kind === 'update') return 'update';
  return `replica ${(p.index ?? 0) + 1}/${p.of ?? 1}`;
}

/**
 * The phases of the last step, highlighted one after the other. tfjs issues a step's GPU work
 * in a few milliseconds and runs it asynchronously, so the worker reports the phases of each
 * step as it issued them and this indicator replays them over the step interval (spread over
 * the slow-motion delay when it is on).
 */
function PhaseIndicator({ phases, step, slow }: { phases: readonly StepPhaseInfo[]; step: number; slow: boolean }) {
  const key = `${step}:${phases.length}`;
  const [shown, setShown] = useState({ key, index: 0 });
  if (shown.key !== key) setShown({ key, index: 0 }); // a new step starts from its first phase
  const per = Math.max(60, Math.floor((slow ? SLOW_MOTION_MS * 0.8 : 600) / Math.max(1, phases.length)));
  useEffect(() => {
    if (phases.length <= 1) return;
    const timer = setInterval(() => setShown((s) => (s.index + 1 < phases.length ? { ...s, index: s.index + 1 } : s)), per);
    return () => clearInterval(timer);
  }, [key, per, phases.length]);
  if (phases.length === 0) return null;
  const index = Math.min(shown.index, phases.length - 1);
  return (
    <div className="phase-indicator" data-testid="phase-indicator" data-phase={phaseLabel(phases[index])} data-phases={phases.length} aria-label={`Phases of step ${step}`}>
      <span className="muted small">step {step}:</span>
      <ol>
        {phases.map((p, i) => (
          <li key={i} className={i === index ? 'phase-on' : undefined} aria-current={i === index ? 'step' : undefined}>
            {phaseLabel(p)}
          </li>
        ))}
      </ol>
    </div>
  );
}

/** The worker's live settings after each report (what the engine really uses). */
function useLiveState(training: TrainingState): SessionLiveState | null {
  const engine = useEngine();
  const [state, setState] = useState<SessionLiveState | null>(null);
  const progress = training.progress;
  const runState = training.state;
  // asked again after each report and state change of a run in its training phase; a null answer keeps the last
  useWorkerQuery(useCallback(() => engine.watermarkLiveState(), [engine]), {
    enabled: progress !== null && (progress.phase === 'training' || progress.phase === 'paused'),
    refresh: useMemo(() => ({ progress, runState }), [progress, runState]),
    onAnswer: (s) => s && setState(s),
  });
  return state;
}

/** Step / slow motion / live learning rate / phases / live state. */
export function TrainingSession({ training, settings, onSettings }: TrainingSessionProps) {
  const active = training.state === 'running' || training.state === 'paused';
  const live = useLiveState(training);
  const progress = training.progress;
  const deviceLoss = progress?.deviceLoss ?? training.outcome?.deviceLoss;
  const lr = settings.learningRate > 0 ? settings.learningRate : 0.01;
  const setLr = (v: number) => {
    onSettings({ ...settings, learningRate: v });
    if (active) training.setLearningRate(v);
  };
  return (
    <div className="session-controls" role="group" aria-label="Lecture controls">
      <div className="controls">
        <button type="button" disabled={!active} onClick={training.step} title="Run one training step, then pause (shortcut: s)" aria-keyshortcuts="s">
          Step
        </button>
        <span className="field field-check">
          <input id="slow-motion" type="checkbox" checked={training.slowMotion} onChange={(e) => training.setSlowMotion(e.target.checked)} />
          <label htmlFor="slow-motion" title={`Wait ${SLOW_MOTION_MS / 1000} s before each step and report every step`}>
            Slow motion ({SLOW_MOTION_MS / 1000} s per step)
          </label>
        </span>
        <Hideable id="live-lr">
          <span className="field slider-field session-lr" title="η: the base learning rate (the schedule scales it); during a run a change applies at the next step and is marked on the chart">
            <label htmlFor="live-lr">
              Step size η{active && <span className="live-badge">live</span>}
            </label>
            <span className="slider-row">
              <input
                id="live-lr"
                type="range"
                min={LR_LOG_MIN}
                max={LR_LOG_MAX}
                step={0.05}
                value={Math.log10(lr)}
                aria-valuetext={`${lr} (base learning rate)`}
                onChange={(e) => setLr(Number((10 ** e.target.valueAsNumber).toPrecision(2)))}
              />
              <input
                type="number"
                className="slider-number"
                aria-label="Step size η value"
                min={10 ** LR_LOG_MIN}
                max={10 ** LR_LOG_MAX}
                step="any"
                value={lr}
                onChange={(e) => {
                  const v = e.target.valueAsNumber;
                  if (v > 0 && Number.isFinite(v)) setLr(v);
                }}
              />
            </span>
          </span>
        </Hideable>
      </div>
      {active && progress?.stepPhases && progress.stepPhases.length > 0 && (
        <PhaseIndicator phases={progress.stepPhases} step={progress.step} slow={training.slowMotion} />
      )}
      {active && live && (
        <p
          className="muted small"
          data-testid="session-live-state"
          data-step={live.step}
          data-replicas={live.replicas ?? ''}
          data-lr={live.learningRate}
          data-paused={String(live.paused)}
        >
          Engine now: step {live.step} · lr {live.learningRate}
          {live.replicas !== null && ` · R ${live.replicas} · σ ${live.sigma} · λ ${live.lambda} · m ${Number.isFinite(live.margin) ? live.margin : 'off'}`}
          {live.paused && ' · paused'}
        </p>
      )}
      {deviceLoss && (
        <p className="warning" role="status" data-testid="device-loss">
          The GPU device was lost ({deviceLoss.reason}); the run {progress?.deviceLoss ? 'goes' : 'went'} on with {deviceLoss.to} from its checkpoint of step{' '}
          {deviceLoss.resumedFromStep}.
        </p>
      )}
      {training.liveError && (
        <p className="error" role="alert">
          {training.liveError}
        </p>
      )}
    </div>
  );
}
