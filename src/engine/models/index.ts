export * from './types';
export { createModel, planModel, MAX_MODEL_VALUES, type CreateModelOptions, type ModelPlan } from './createModel';
export { ModelTooLargeError } from './paramBuilder';
export { ARCHITECTURES, ARCH_NAMES, isArchName, type ArchitectureInfo } from './registry';
export { FunctionalModel, DEFAULT_BN_MOMENTUM } from './functionalModel';
export { ParamBuilder } from './paramBuilder';
export { ForwardContext, BN_EPSILON, LN_EPSILON, disposeStats } from './layers';
export type { ArchOptions } from './options';
export { parameterSize, paramInfoByName } from './paramUtils';
