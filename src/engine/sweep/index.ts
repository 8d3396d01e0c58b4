export { SWEEP_ARCHS, SWEEP_METHODS, SweepSpecError, TRAIN_OPTION_NAMES, fieldPath, parseSweepSpec, sweepSpecSchema } from './spec';
export type { AttackStep, LandscapeStep, SweepSpec, TrainOptionName, TrainOptions, VerifyStep } from './spec';
export { OBJECTIVE_FIELDS, canonicalJson, cellId, cellSteps, derivedKeySeed, trainArgv, twinIdentity, expandCells, gridPoints, optionsToArgv, parseShard, settingsHash, shardCells, stepApplies } from './cells';
export type { CellStep, SweepCell } from './cells';
export { SUMMARY_METRICS, keyVsControlOf, parseCellResult, parseResultsJsonl, summaryToMarkdown, sweepSummary, sweepTable, tableToCsv, withReplicas } from './results';
export type { CellResult, SummaryRow, SweepTable, TableValue } from './results';
