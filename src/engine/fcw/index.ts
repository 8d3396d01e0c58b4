export * from './types';
export { downsample2x2, directFusion, invisibleFusion } from './fusion';
export { generateTriggers, fuseTriggers, type GenerateTriggersOptions } from './triggers';
export { withTriggers, triggerIndicesFor, type TriggerBatchOptions } from './triggerBatches';
export { createWeightMasker, type WeightMasker, type WeightMaskingOptions, type MaskEvent } from './weightMasking';
export { trainFcw, fcwTrainingSetup, type FcwEmbedOptions, type FcwTrainingSetup, type FcwTrainResult } from './embed';
export { logBinomialUpperTail, triggerPValue } from './binomialTail';
export {
  predictImages,
  triggerAccuracy,
  measureNullRate,
  verifyFcw,
  type PredictOptions,
  type TriggerAccuracy,
  type NullRate,
  type FcwVerifyOptions,
  type FcwVerifyResult,
} from './verify';
export {
  FcwKeySchema,
  createFcwKey,
  parseFcwKeyFile,
  serializeFcwKey,
  validateFcwKey,
  fcwTriggersFromKey,
  triggerDigest,
  committedTriggers,
  checkFcwCommitment,
  fcwNonce,
  fcwTriggerSeed,
  fcwDigest,
  FCW_COMMIT_SCHEME,
  type FcwKey,
  type CreateFcwKeyOptions,
} from './keyFile';
export { verifyFcwKey, type FcwKeyVerifyOptions } from './verifyKey';
export { decoyImages, decoyVerdict, logFisherUpperTail, DEFAULT_DECOYS, type DecoyOptions } from './decoys';
export { nullModelRate, type NullModelOptions, type NullModelRate } from './nullModels';
