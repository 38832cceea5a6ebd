export { trainRun, type TrainRunOptions, type TrainRunResult, type TrainHooks, type StopReason } from './trainer';
export { evaluateModel, predictProbabilities, type EvaluateOptions } from './evaluate';
export { toInputTensor, normalizeUnitTensor } from './input';
export { parseTrainConfig } from './train-config';
export { RuleOptimizer, clipByGlobalNorm, type OptimizerState, type WeightDecay } from './rule-optimizer';
export { learningRateAt } from './lr-schedule';
export { readCheckpointState, loadCheckpoint } from './checkpoint';
