/** The watermark methods (WaterMAS, Uchida, FCW): the registry, and the entry the run and the CLI import. */
export type { MethodSession, SessionContext } from './session';
export { LiveWatermarkSettings } from './watermas/session';
export { startWatermarkSession, validateWatermarkConfig } from './start';
export { METHODS, DEFAULT_KEY_METHOD, getMethod, isConfigOf, isMethodId, keyOfMethod, methodOf, type KeyEvidence, type MethodKey, type UploadVerification } from './registry';
export type { EvidenceVerdict, KeyEvidenceOptions, UploadToVerify, WatermarkMethod } from './types';
export { checkMethodKeyAgainstModel, parseMethodKeyFile, serializeMethodKey } from './keys';
export { evidenceColumns, keyEvidence } from './evidence';
export { METHOD_INFOS, methodInfo, type MethodInfo } from './info';
export { uploadVerdict, verifyReportFields } from './upload';
export { WATERMAS } from './watermas/method';
export { UCHIDA } from './uchida/method';
export { FCW } from './fcw/method';
