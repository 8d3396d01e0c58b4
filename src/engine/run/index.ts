/** The training run shared by the worker and `wmlab train` (runTraining.ts) and its parts. */
export { runTraining } from './runTraining';
export { CHECKPOINT_EVERY, logEveryFor, scheduleFor } from './runPlan';
export { TrainingDivergedError, divergenceOf } from './divergence';
export { LOST_GRACE_MS, trainWithDeviceFallback, type DeviceFallbackInput, type DeviceFallbackOutput } from './deviceFallback';
export { withTurn, type TurnTaking } from './turnTaking';
export { SessionLive, keyWithObjectiveChanges, liveSettingsOf, methodKeyWithObjectiveChanges, validateLiveLearningRate, validateSlowMotion, withSession, withSessionProgress } from './sessionLive';
export type { LiveViewHub, RunInput, RunMethod, RunMethodKey, RunOutput, RunPlan, RunResume, RunSnapshot } from './types';
