/**
 * Lecture mode's session state lives with the training run in the engine (engine/run/sessionLive.ts);
 * re-exported here for the worker's service.
 */
export { SessionLive, keyWithObjectiveChanges, liveSettingsOf, methodKeyWithObjectiveChanges, validateLiveLearningRate, validateSlowMotion, withSession, withSessionProgress } from '../../engine/run';
