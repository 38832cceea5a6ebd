export { trainRun, type TrainRunOptions, type TrainRunResult, type TrainHooks, type StopReason, type BuiltInCallback } from './trainer';
export { TrainLoop } from './train-loop';
export { CALLBACK_ORDER, CancelBatch, CancelEpoch, CancelFit, TRAIN_EVENTS, type Callback, type TrainEvent } from './callbacks/callback';
export { evaluateModel, predictProbabilities, type EvaluateOptions } from './evaluate';
export { toInputTensor, normalizeUnitTensor } from './input';
export { parseTrainConfig } from './train-config';
export { RuleOptimizer, clipByGlobalNorm, type OptimizerState, type WeightDecay } from './rule-optimizer';
export { learningRateAt } from './lr-schedule';
export { readCheckpointState, loadCheckpoint } from './checkpoint';
