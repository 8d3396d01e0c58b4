/** The dataset layer: CIFAR-10 binary parsing, the synthetic default set, normalisation, augmentation, batching, data setup. */
export type { Dataset, DatasetName, ImageSet, Normalization } from './types';
export {
  CIFAR10_ALL_FILES, CIFAR10_CHANNELS, CIFAR10_CLASS_NAMES, CIFAR10_FILES, CIFAR10_FILE_BYTES, CIFAR10_HEIGHT,
  CIFAR10_META_FILE, CIFAR10_PIXEL_BYTES, CIFAR10_RECORDS_PER_FILE, CIFAR10_RECORD_BYTES, CIFAR10_WIDTH,
  assembleCifar10, checkCifarBatch, cifarFilesNeeded, encodeCifarBatch, parseCifarBatch, type CifarLimits,
} from './cifar10';
export { classCounts, concatImageSets, sliceImageSet } from './imageset';
export { SYNTHETIC_CLASS_NAMES, SYNTHETIC_LABEL, generateSynthetic, type SyntheticOptions } from './synthetic';
export { CIFAR10_NORMALIZATION, SYNTHETIC_NORMALIZATION, computeNormalization, normalizationFor, normalizationLut, normalizePixels } from './normalize';
export {
  CROP_PADDING, IDENTITY_AUGMENT, augmentImage, augmentNormalizeInto, drawAugmentParams, type AugmentParams,
} from './augment';
export { BatchStream, evalBatches, type BatchItem, type BatchStreamOptions, type LastBatchPolicy } from './batches';
export { readTar, tarFiles, type TarEntry } from './tar';
export {
  CIFAR10_ARCHIVE_MD5, CIFAR10_ARCHIVE_URL, cifar10FromArchive, md5Hex, unpackCifar10Archive, type UnpackOptions,
} from './archive';
export {
  inspectCifar10Dir, joinPath, loadCifar10, setupCifar10,
  type DataFs, type DataSource, type SetupCifar10Options, type SetupResult,
} from './sources';
