/** Watermark engine: keys, payload codec, substitution, WaterMAS objective, extraction, verification. */
export { SeedStream } from './seed/seedStream';
export { SEED_BYTES, PASSPHRASE_SALT, PASSPHRASE_ITERATIONS, randomSeed, seedFromPassphrase, seedToHex, seedFromHex } from './seed/seed';
export { architectureFingerprint, shapeSize, type TensorShape } from './fingerprint';
export {
  POSITIONS_STREAM_LABEL,
  WEIGHT_BIAS_NORM_ROLES,
  eligibleTensors,
  selectPositions,
  positionCount,
  toFrozenPositions,
  type PositionGroup,
  type PositionOptions,
} from './keys';
export {
  DEFAULT_STRENGTH,
  MAGNITUDE_FLOOR,
  DEFAULT_IMAGE_SCALE,
  absQuantile,
  encodeSignValues,
  decodeSigns,
  encodeImageValues,
  decodeImageValues,
  imageSignBits,
  pearson,
} from './payload/codec';
export { PAYLOAD_STREAM_LABEL, textToBits, bitsToText, randomBits, bitsToString, bitsFromString } from './payload/payloadBits';
export { bytesToBase64, base64ToBytes } from './payload/base64';
export {
  KEY_FORMAT,
  KEY_VERSION,
  KeyFileSchema,
  KeyFileError,
  KeyModelMismatchError,
  parseKeyFile,
  parseKeyEnvelope,
  schemaError,
  validateKey,
  serializeKey,
  payloadLength,
  firstArchitectureMismatch,
  checkKeyAgainstModel,
  type WatermasKey,
  type KeyPayload,
  type KeyObjectiveSettings,
  type KeyObjectiveChange,
  objectiveInForce,
  type KeyFileErrorCode,
} from './keyFile';
export {
  DEFAULT_WATERMAS_SETTINGS,
  BALANCE_MODES,
  RECIPE_2020_SETTINGS,
  REPLICA_BATCH_MODES,
  REPLICA_BN_MODES,
  REPLICA_MODES,
  modeDefaults,
  validateSettings,
  settingsToKey,
  settingsFromKey,
  type WaterMASSettings,
  type ReplicaMode,
  type ReplicaBatch,
  type Balance,
} from './settings';
export { createKey, applyKey, embedWatermark, keyBits, type PayloadSpec, type CreateKeyOptions } from './embed';
export { WaterMASObjective, createWaterMASObjective, objectiveFromKey, type WaterMASObjectiveOptions, type LossFn } from './objective';
export { readKeyValues, readKeyEvidence, keyValuesFrom } from './extract';
export { signRates, calibratedBitsPValue, poissonBinomialLowerTail, MIN_SIGN_SAMPLE, type SignRate, type CalibratedPValue } from './stats/calibration';
export { logGamma, logChoose, logBinomialCdfHalf, binomialPValue } from './stats/binomial';
export { logNormalUpperTail, logCorrelationPValue } from './stats/normalTail';
export {
  DEFAULT_P_THRESHOLD,
  verifyWatermark,
  judgeValues,
  calibrateNull,
  type VerifyResult,
  type VerifyOptions,
  type TensorErrors,
  type NullCalibration,
} from './verify';
export {
  UCHIDA_DEFAULT_BITS,
  UCHIDA_DEFAULT_LAMBDA,
  UchidaKeySchema,
  defaultUchidaLayer,
  createUchidaKey,
  uchidaMatrix,
  validateUchidaKey,
  parseUchidaKeyFile,
  serializeUchidaKey,
  checkUchidaKeyAgainstModel,
  verifyUchida,
  type UchidaKey,
  type CreateUchidaKeyOptions,
  type UchidaVerifyResult,
} from './uchida';
export { UchidaObjective } from './uchidaObjective';
export { subspaceSensitivity, type SubspaceSensitivity, type SensitivityOptions, type RiseStats } from './sensitivity';
