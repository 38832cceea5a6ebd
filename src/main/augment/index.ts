/** Augmentation: seeded parameters, the sharp reference path, the batched training path, test-time views, previews. */
export type { BatchAugmenter, BatchAugmentContext } from './batch-augmenter';
export { drawParams, drawMixup, IDENTITY_PARAMS, type AugmentParams, type EraseParams, type MixupParams } from './params';
export { createBatchAugmenter, applyParamsBatch, mixupOp, type BatchAugmentOptions } from './batch-path';
export { augmentWithSharp, encodePng, pngDataUrl, type RawDims, type SharpAugmentOptions } from './sharp-path';
export { testTimeCrops, testTimeBoxes, predictTestTime, predictProbabilitiesTestTime, evaluateTestTime, type TestTimeMode } from './test-time';
export { buildPreview, buildBatchPreview, trainingBatchRows } from './preview';
export { writeAugmentedCopies } from './write-copies';
export { channelMean, datasetMean } from './dataset-mean';
