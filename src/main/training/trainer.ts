/**
 * trainRun: sets a run up (config, data checks, model or checkpoint, optimisation step, batch source) and fits it
 * with TrainLoop and a list of callbacks (callbacks/*.ts): pause/stop, LR schedule, NaN guard, early stopping,
 * metrics log, progress events, checkpoints and time budget, plus any the caller adds.
 * Randomness comes from the run's seed alone: epoch e shuffles with (seed, e), batch b of epoch e draws its
 * dropout masks with (seed, e, b), so a run resumed from the last checkpoint retraces the uninterrupted curve.
 */
import type * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from '../../shared/config';
import type { BatchLog, EpochLog } from '../../shared/dto';
import { LabError } from '../../shared/errors';
import { msg } from '../../shared/messages';
import type { BatchAugmenter } from '../augment/batch-augmenter';
import type { ImageArray } from '../datasets/image-array';
import { batchNormBatchSizeWarning, buildModel, hasTrainableBatchNorm, preprocessingFor } from '../models';
import { ImageBatches, StreamedImageBatches, type BatchSource } from './batch-source';
import type { SplitOnDisk } from '../datasets/split-on-disk';
import type { Callback } from './callbacks/callback';
import { checkpoints } from './callbacks/checkpoints';
import { earlyStopping } from './callbacks/early-stopping';
import { lrSchedule } from './callbacks/lr-schedule';
import { metricsLog } from './callbacks/metrics-log';
import { nanGuard } from './callbacks/nan-guard';
import { pauseStop } from './callbacks/pause-stop';
import { progress } from './callbacks/progress';
import { timeBudget } from './callbacks/time-budget';
import { loadCheckpoint, type LoopState } from './checkpoint';
import { lossWeightsFor } from './class-balance';
import { parseTrainConfig } from './train-config';
import { TrainLoop, type LogLevel, type StopReason } from './train-loop';
import { TrainStep } from './train-step';
import { DenseHeadStep } from './embedding-head-step';

export type { StopReason };

export interface TrainHooks {
  onBatch(b: BatchLog): void;
  onEpoch(e: EpochLog): void;
  onLog(level: LogLevel, message: string): void;
}

/** The built-in callbacks, by name, for `without`. */
export type BuiltInCallback = 'pause-stop' | 'lr-schedule' | 'nan-guard' | 'early-stopping' | 'metrics-log' | 'progress' | 'checkpoints' | 'time-budget';

export interface TrainRunOptions {
  config: TrainConfig;
  train: ImageArray;
  val: ImageArray | null;
  runDir: string;
  hooks: TrainHooks;
  signal?: AbortSignal;
  pause?: { wait(): Promise<void> };
  augmenter?: BatchAugmenter;
  /** Continue from runDir/checkpoints/last (if there is one). */
  resume?: boolean;
  /** Clock in milliseconds (tests inject one to exercise the time budget). */
  now?: () => number;
  /** Append every batch and epoch to runDir/metrics.jsonl (the worker and the tuner do; tests need not). */
  writeMetrics?: boolean;
  /** Extra behaviours, run in their `order` among the built-in ones. */
  callbacks?: Callback[];
  /** Built-in callbacks to leave out (the LR range test needs no checkpoints, schedule or early stopping). */
  without?: BuiltInCallback[];
  /** Where batches come from (default: the shuffled, augmented `train` array). */
  source?: BatchSource;
  /** Stream the training batches from the decoded cache on disk (datasets bigger than memory); `train` then needs labels only. */
  stream?: SplitOnDisk;
  /** Train this model instead of building one from the config (e.g. a transfer head trained on cached embeddings). */
  model?: tf.LayersModel;
  /** Validation by other means than predicting `val`'s pixels (see TrainLoopInit.validate). */
  validate?: ((model: tf.LayersModel) => Promise<{ loss: number; accuracy: number }>) | null;
  /** Use tfjs's recorded gradient even for a plain dense head (embedding-head-step.ts); tests compare the two. */
  recordedGradient?: boolean;
}

export interface TrainRunResult {
  model: tf.LayersModel;
  stoppedEarly: boolean;
  bestEpoch: number | null;
  epochsDone: number;
  reason: StopReason;
}

function splitName(what: 'training' | 'validation') {
  return msg(what === 'training' ? 'error.train.splitTraining' : 'error.train.splitValidation');
}

function checkData(config: TrainConfig, data: ImageArray, what: 'training' | 'validation', pixelsInMemory = true): void {
  if (data.size !== config.input.size || data.channels !== config.input.channels) {
    throw new LabError(
      'BAD_CONFIG',
      msg('error.train.inputMismatch', { what: splitName(what), size: data.size, channels: data.channels, inputSize: config.input.size, inputChannels: config.input.channels }),
    );
  }
  if ((pixelsInMemory && data.x.length < data.n * data.size * data.size * data.channels) || data.y.length < data.n) {
    throw new LabError('BAD_ARGUMENT', msg('error.train.arrayShort', { what: splitName(what), n: data.n }));
  }
}

export async function trainRun(opts: TrainRunOptions): Promise<TrainRunResult> {
  const config = parseTrainConfig(opts.config);
  const { train, val, hooks, runDir } = opts;
  // With its own batch source (streamed from disk, cached embeddings) the training pixels need not be in memory.
  checkData(config, train, 'training', !opts.source && !opts.stream);
  // Validation by other means (cached embeddings, streamed from disk) needs val's labels, not its pixels.
  if (val) checkData(config, val, 'validation', !opts.validate);
  if (train.n === 0) throw new LabError('NO_IMAGES', msg('error.train.noImages'));
  const numClasses = train.classes.length;
  const pre = preprocessingFor(config);

  const ckpt = opts.resume ? await loadCheckpoint(runDir, 'last') : null;
  if (opts.resume && !ckpt) hooks.onLog('info', 'No checkpoint to resume from: training starts at epoch 1.');
  const model = ckpt?.model ?? opts.model ?? (await buildModel(config, numClasses));
  const outUnits = (model.outputs[0]!.shape as number[])[1];
  if (outUnits !== numClasses) throw new LabError('BAD_MODEL', msg('error.train.classCountMismatch', { outUnits, numClasses }));
  const classWeights = lossWeightsFor(config.balance, train.y, train.n, numClasses);
  // A plain dense head (a transfer head on cached embeddings) trains with its gradient written out.
  const step = (opts.recordedGradient ? null : DenseHeadStep.for(model, config, classWeights)) ?? new TrainStep(model, config, classWeights);
  if (ckpt?.optimizer) step.optimizer.setState(ckpt.optimizer);
  if (ckpt) hooks.onLog('info', `Resuming from the checkpoint after epoch ${ckpt.state.epochsDone}.`);

  const warning = batchNormBatchSizeWarning(model, config.batchSize);
  if (warning) hooks.onLog('warn', warning);
  // A last batch of one image would put training-mode batch norm on a single example: drop it (as the PyTorch peer does).
  const dropLonely = hasTrainableBatchNorm(model) && config.batchSize > 1 && train.n % config.batchSize === 1;
  if (dropLonely) hooks.onLog('info', 'The last batch of each epoch would hold one image; it is skipped because batch normalization needs at least two.');
  const source =
    opts.source ??
    (opts.stream ? new StreamedImageBatches(opts.stream, config, pre.normalization, dropLonely, opts.augmenter) : new ImageBatches(train, config, pre.normalization, dropLonely, opts.augmenter));
  if (source.batchesPerEpoch === 0) throw new LabError('BAD_CONFIG', msg('error.train.noFullBatch', { n: train.n }));

  const builtIn: Record<BuiltInCallback, () => Callback> = {
    'pause-stop': () => pauseStop(opts),
    'lr-schedule': lrSchedule,
    'nan-guard': nanGuard,
    'early-stopping': () => earlyStopping({ resumed: ckpt !== null }),
    'metrics-log': metricsLog,
    progress: () => progress(hooks),
    checkpoints,
    'time-budget': timeBudget,
  };
  const skip = new Set<BuiltInCallback>([...(opts.without ?? []), ...(opts.writeMetrics ? [] : ['metrics-log' as const])]);
  const callbacks = [...Object.entries(builtIn).filter(([name]) => !skip.has(name as BuiltInCallback)).map(([, make]) => make()), ...(opts.callbacks ?? [])];

  const state: LoopState = ckpt?.state ?? { epochsDone: 0, bestEpoch: null, bestValue: null, wait: 0, elapsedS: 0 };
  const loop = new TrainLoop({ config, model, step, source, val, validate: opts.validate ?? null, pre, numClasses, runDir, callbacks, state, log: hooks.onLog, now: opts.now ?? (() => Date.now()) });
  try {
    const reason = await loop.fit();
    return { model, stoppedEarly: reason === 'early-stopped', bestEpoch: loop.state.bestEpoch, epochsDone: loop.state.epochsDone, reason };
  } finally {
    step.optimizer.dispose();
    step.dispose();
  }
}
