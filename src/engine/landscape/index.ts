export type { CancelSignal, Direction, EvalBatch, LossPoint, PositionList, Subspace } from './types';
export { keySubspace, complementSubspace, gatherSubspace, scatterSubspace } from './subspace';
export { keyDirection, complementDirection, directionFromSubspaceVector, disposeDirection, filterNorms, filterUnits } from './directions';
export { crossEntropy, evaluateAt, perturbedOverrides } from './evaluate';
export { symmetricGrid, refinementLevels, refinementOrder1D, refinementOrder2D } from './grid';
export { computeSlices, computeGrid2D, type SliceOptions, type SliceResult, type GridOptions, type GridResult } from './slices';
export {
  powerIteration,
  finiteDifferenceHvp,
  subspaceGradient,
  subspaceTopEigen,
  type MatVec,
  type PowerIterationOptions,
  type PowerIterationResult,
  type SubspaceEigenOptions,
} from './hessian';
export { computeSharpness, type SharpnessOptions, type SharpnessResult, type SubspaceSharpness } from './sharpness';
export { runLandscape, type LandscapeRunOptions, type LandscapeReport } from './run';
export { LiveLandscape, type LiveLandscapeOptions, type LiveLandscapePoint } from './liveLandscape';
export { LiveLandscapeDriver, type LiveLandscapeDriverOptions } from './liveDriver';
export { keyVsControl, matchedControls, pairedGain, type KeyVsControl, type KeyVsControlOptions } from './keyVsControl';
