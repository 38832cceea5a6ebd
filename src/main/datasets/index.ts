/** The datasets engine: import and validate folders, split, browse, decoded caches, model preprocessing. */
export type { ImageArray } from './image-array';
export { importDataset, type ImportOptions } from './import';
export { MAX_FILE_BYTES } from './validate';
export { editSamples } from './edit';
export { inspectFolders, listDatasets, getDataset, deleteDataset, querySamples } from './browse';
export { resolveSampleImage, THUMB_SIZE } from './sample-image';
export { loadSplit, classOrder } from './pixel-cache';
export { decodeForModel, MAX_PIXELS } from './preprocess';
export { benchImport, type ImportBench } from './bench';
export { readManifest, type Manifest, type ManifestItem } from './manifest';
export type { ImportProgress, ProgressFn } from './progress';
