export { predictImages, toInputTensor, type PredictOptions } from './predict-images';
export { predictionsToCsv, labelsFromPredictions, csvField } from '../../shared/predictions-csv';
export { expandImagePaths, PREDICTABLE_EXTENSIONS, type PredictTarget } from './expand-paths';
export { resolvePredictModel, type ResolvedModel } from './resolve-model';
