export type { AttackedWeights, AttackFn, AttackOptions, CancelSignal, KeyPositions } from './types';
export { ATTACKS, getAttack, runAttack, type AttackId, type AttackInfo } from './registry';
export { runSweep, type SweepMetrics, type SweepOptions, type SweepPoint, type SweepResult } from './sweep';
export { disposeWeights, cloneParams, weightParams } from './weights';
export { gaussianNoiseAttack } from './noise';
export { pruneAttack, globalPruneAttack, prunedCount, smallestMagnitudeMask } from './prune';
export { quantizeAttack, quantizeValues } from './quantize';
export { overwriteAttack, drawPositions } from './overwrite';
export { interceptAttack, interceptedCount } from './intercept';
export { weightShiftAttack } from './shift';
export { permuteAttack, unitPermutation } from './permute';
export { permutableGroups, inferSequentialGroups, inferResidualInnerGroups, type PermutableGroup, type UnitAxis } from './permutableGroups';
export { fineTuneAttack, lastLayerNames, type FineTuneDeps, type FineTuneMode, type FineTuneRequest } from './finetune';
export { trainerFineTune, frozenExcept, type TrainerFineTuneOptions } from './finetuneTrainer';
export {
  ATTACKER_LIMIT,
  attackerSet,
  attackOptionsFor,
  sweepWithEvidence,
  type AttackOptionSettings,
  type EvidencePoint,
  type EvidenceSweepInput,
} from './evidenceSweep';
