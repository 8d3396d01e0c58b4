/** Model import/export: the lab's model.json format, safetensors, TensorFlow.js weights, verification on tensor maps. */
export { MODEL_FORMAT, MODEL_FORMAT_VERSION, WEIGHTS_FILE, ModelFileError, modelJsonSchema, namedWeights, saveModel, snapshotWeights, parseModelJson, configOf, decodeWeights, assignWeights, type ModelJson, type ModelArtifacts, type ModelWeights, type WeightsSnapshot } from './modelFile';
export { loadModel } from './loadModel';
export { DEFAULT_IMPORT_LIMITS, resolveLimits, formatBytes, Deadline, type ImportLimits } from './limits';
export { jsonDepth, parseGuardedJson, decodeUtf8, type JsonGuards } from './safeJson';
export { f16ToNumber, bf16ToNumber } from './halfFloat';
export {
  writeSafetensors,
  readSafetensors,
  readSafetensorsFile,
  assertFinite,
  type SafetensorsTensor,
  type SafetensorsInput,
  type SafetensorsContents,
  type SafetensorsFloatDtype,
  type ReadSafetensorsOptions,
} from './safetensors';
export { tfjsModelJsonSchema, parseTfjsModelJson, decodeTfjsWeights, shardBaseName, type TfjsModelJson, type NamedTensor } from './tfjsWeights';
export { sha256Hex, modelFingerprint, type FileDigest } from './modelSha256';
export { importWeights, type ImportFormat, type ImportOptions, type ImportedWeights, type UploadedFile } from './importWeights';
export { exportSafetensors } from './exportSafetensors';
export { verifyTensors, type VerifyTensorsOptions } from './verifyTensors';
export { checkUpload, KeyUploadError, type UploadFile, type CheckUploadOptions, type CheckUploadResult, type CheckUploadError } from './checkUpload';
export { DEMO_MODELS_DIR, DEMO_MODEL_NAMES, demoIndexSchema, parseDemoIndex, demoModel, checkDemoFile, type DemoIndex, type DemoModelEntry, type DemoModelName, type DemoPairMeasure } from './demoIndex';
