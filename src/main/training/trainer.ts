/**
 * The training loop: a short Keras-style fit over epochs and batches. Everything optional is a step with one
 * job: the NaN/Inf guard after each batch, early stopping (which also names the best epoch), checkpoints
 * (last after every epoch, best when it improves), the learning-rate schedule, the time budget, pause and stop.
 * Randomness comes from the run's seed alone: epoch e shuffles with (seed, e), batch b of epoch e draws its
 * dropout masks with (seed, e, b), so a run resumed from the last checkpoint retraces the uninterrupted curve.
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from '../../shared/config';
import type { BatchLog, EpochLog, Preprocessing } from '../../shared/dto';
import { LabError } from '../../shared/errors';
import type { BatchAugmenter } from '../augment/batch-augmenter';
import type { ImageArray } from '../datasets/image-array';
import { batchNormBatchSizeWarning, buildModel, hasTrainableBatchNorm, preprocessingFor } from '../models';
import { updateRunProgress } from '../runs/run-files';
import { loadCheckpoint, saveCheckpoint, type LoopState } from './checkpoint';
import { EarlyStopping } from './early-stopping';
import { lossAndAccuracy, predictProbabilities } from './evaluate';
import { gatherRows, normalizeUnitTensor, toInputTensor } from './input';
import { learningRateAt } from './lr-schedule';
import { mixSeed, seededPermutation } from './seeded-random';
import { parseTrainConfig } from './train-config';
import { TrainStep } from './train-step';

export interface TrainHooks {
  onBatch(b: BatchLog): void;
  onEpoch(e: EpochLog): void;
  onLog(level: 'info' | 'warn' | 'error', message: string): void;
}

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
}

export type StopReason = 'completed' | 'early-stopped' | 'stopped' | 'time-budget';

export interface TrainRunResult {
  model: tf.LayersModel;
  stoppedEarly: boolean;
  bestEpoch: number | null;
  epochsDone: number;
  reason: StopReason;
}

const SHUFFLE_SALT = 0x5f1e;
const DROPOUT_SALT = 0xd20;

function checkData(config: TrainConfig, data: ImageArray, what: string): void {
  if (data.size !== config.input.size || data.channels !== config.input.channels) {
    throw new LabError(
      'BAD_CONFIG',
      `The ${what} images are ${data.size}×${data.size}×${data.channels} but input is ${config.input.size}×${config.input.size}×${config.input.channels}: load the split with the run's input settings.`,
    );
  }
  if (data.x.length < data.n * data.size * data.size * data.channels || data.y.length < data.n) {
    throw new LabError('BAD_ARGUMENT', `The ${what} image array is shorter than its n = ${data.n} images.`);
  }
}

export async function trainRun(opts: TrainRunOptions): Promise<TrainRunResult> {
  const config = parseTrainConfig(opts.config);
  const { train, val, hooks, runDir } = opts;
  const now = opts.now ?? (() => Date.now());
  checkData(config, train, 'training');
  if (val) checkData(config, val, 'validation');
  if (train.n === 0) throw new LabError('NO_IMAGES', 'The training split has no images: add images to the class folders and import the dataset again.');
  const numClasses = train.classes.length;
  const pre: Preprocessing = preprocessingFor(config);

  const ckpt = opts.resume ? await loadCheckpoint(runDir, 'last') : null;
  if (opts.resume && !ckpt) hooks.onLog('info', 'No checkpoint to resume from: training starts at epoch 1.');
  const model = ckpt?.model ?? (await buildModel(config, numClasses));
  const outUnits = (model.outputs[0]!.shape as number[])[1];
  if (outUnits !== numClasses) throw new LabError('BAD_MODEL', `The checkpoint predicts ${outUnits} classes but the dataset has ${numClasses}: start a new run.`);

  const step = new TrainStep(model, config);
  const optimizer = step.optimizer;
  const early = new EarlyStopping(config.earlyStopping, val !== null && val.n > 0);
  let state: LoopState = { epochsDone: 0, bestEpoch: null, bestValue: null, wait: 0, elapsedS: 0 };
  if (ckpt) {
    state = ckpt.state;
    if (ckpt.optimizer) optimizer.setState(ckpt.optimizer);
    early.bestEpoch = state.bestEpoch;
    early.bestValue = state.bestValue;
    early.wait = state.wait;
    if (config.earlyStopping.enabled && config.earlyStopping.restoreBest && state.bestEpoch !== null) {
      const best = await loadCheckpoint(runDir, 'best');
      if (best) {
        early.keepWeights(best.model.getWeights());
        best.model.dispose();
      }
    }
    hooks.onLog('info', `Resuming from the checkpoint after epoch ${state.epochsDone}.`);
  }

  const warning = batchNormBatchSizeWarning(model, config.batchSize);
  if (warning) hooks.onLog('warn', warning);
  if (config.earlyStopping.enabled && !early.active) hooks.onLog('warn', 'No validation images: early stopping is off for this run (the best epoch is judged on the training loss).');
  const bn = hasTrainableBatchNorm(model);

  const B = config.batchSize;
  const rowBytes = train.size * train.size * train.channels;
  const fullBatches = Math.floor(train.n / B);
  const rest = train.n - fullBatches * B;
  // A last batch of one image would put training-mode batch norm on a single example: drop it (as the PyTorch peer does).
  const dropLonely = bn && B > 1 && rest === 1;
  const batchesPerEpoch = fullBatches + (rest > 0 && !dropLonely ? 1 : 0);
  if (dropLonely) hooks.onLog('info', 'The last batch of each epoch would hold one image; it is skipped because batch normalization needs at least two.');
  if (batchesPerEpoch === 0) throw new LabError('BAD_CONFIG', `batchSize: no full batch can be formed from ${train.n} training image(s).`);

  let reason: StopReason = 'completed';
  let lastEpochDone = state.epochsDone;
  const sessionStart = now();
  let pausedMs = 0;

  try {
    for (let epoch = state.epochsDone; epoch < config.epochs; epoch++) {
      const epochStart = now();
      const pausedAtEpochStart = pausedMs;
      const order = seededPermutation(train.n, mixSeed(config.seed, SHUFFLE_SALT, epoch));
      let lossSum = 0;
      let accSum = 0;
      let seen = 0;
      let lr = learningRateAt(config, epoch, 0, batchesPerEpoch);
      let stopped = false;

      for (let b = 0; b < batchesPerEpoch; b++) {
        if (opts.pause) {
          const t0 = now();
          await opts.pause.wait();
          pausedMs += now() - t0;
        }
        if (opts.signal?.aborted) {
          stopped = true;
          break;
        }
        lr = learningRateAt(config, epoch, b, batchesPerEpoch);
        const rows = order.subarray(b * B, Math.min(train.n, (b + 1) * B));
        const n = rows.length;
        const xBytes = gatherRows(train.x, rows, rowBytes);
        const labels = new Int32Array(n);
        const ids = new Int32Array(n);
        for (let i = 0; i < n; i++) {
          labels[i] = train.y[rows[i]!]!;
          ids[i] = train.index[rows[i]!] ?? rows[i]!;
        }
        let x: tf.Tensor4D;
        let y: tf.Tensor2D = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), numClasses).toFloat() as tf.Tensor2D);
        if (opts.augmenter) {
          const unit = toInputTensor(xBytes, n, train.size, train.channels, 'unit');
          const aug = opts.augmenter.apply(unit, y, { epoch, imageIds: ids });
          x = normalizeUnitTensor(aug.x, pre.normalization);
          if (aug.x !== unit) aug.x.dispose();
          unit.dispose();
          if (aug.y !== y) {
            y.dispose();
            y = aug.y;
          }
        } else {
          x = toInputTensor(xBytes, n, train.size, train.channels, pre.normalization);
        }

        const { loss, accuracy: acc } = await step.run(x, y, lr, mixSeed(config.seed, DROPOUT_SALT, epoch, b));
        x.dispose();
        y.dispose();

        if (!Number.isFinite(loss)) {
          const what = Number.isNaN(loss) ? 'NaN' : 'Inf';
          const message = `loss became ${what} at epoch ${epoch + 1} batch ${b + 1}: learning rate likely too large or inputs out of range`;
          hooks.onLog('error', message);
          throw new LabError('NAN_LOSS', message, { epoch: epoch + 1, batch: b + 1, lr });
        }

        lossSum += loss * n;
        accSum += acc * n;
        seen += n;
        hooks.onBatch({ epoch: epoch + 1, batch: b + 1, batchesPerEpoch, loss, accuracy: acc, lr });
        // Let messages (pause, stop) in before the next batch.
        await new Promise<void>((r) => setImmediate(r));
      }

      if (stopped) {
        reason = 'stopped';
        hooks.onLog('info', `Stopped during epoch ${epoch + 1}; the last checkpoint (after epoch ${lastEpochDone}) is kept and can be resumed.`);
        break;
      }

      let valLoss: number | null = null;
      let valAccuracy: number | null = null;
      if (val && val.n > 0) {
        const probs = await predictProbabilities(model, val, pre);
        ({ loss: valLoss, accuracy: valAccuracy } = lossAndAccuracy(probs, val.y, numClasses));
      }
      const durationS = Math.max(1e-9, (now() - epochStart - (pausedMs - pausedAtEpochStart)) / 1000);
      const log: EpochLog = {
        epoch: epoch + 1,
        loss: lossSum / seen,
        accuracy: accSum / seen,
        valLoss,
        valAccuracy,
        lr,
        durationS,
        imagesPerS: seen / durationS,
        bestEpoch: null,
        patienceLeft: null,
      };
      const isBest = early.update(log, model);
      hooks.onEpoch(log);
      lastEpochDone = epoch + 1;

      const elapsedS = state.elapsedS + (now() - sessionStart - pausedMs) / 1000;
      state = { epochsDone: epoch + 1, bestEpoch: early.bestEpoch, bestValue: early.bestValue, wait: early.wait, elapsedS };
      if (isBest) await saveCheckpoint(runDir, 'best', model, state);
      await saveCheckpoint(runDir, 'last', model, state, optimizer.getState());
      await updateRunProgress(runDir, {
        epochsDone: epoch + 1,
        bestEpoch: early.bestEpoch,
        ...(valLoss !== null && early.bestEpoch === epoch + 1 ? { bestValLoss: valLoss, bestValAccuracy: valAccuracy } : {}),
      });

      if (early.shouldStop) {
        reason = 'early-stopped';
        hooks.onLog('info', `Early stopping: ${early.monitor} has not improved for ${config.earlyStopping.patience} epoch(s); best epoch ${early.bestEpoch}.`);
        break;
      }
      if (config.timeBudgetS !== null && elapsedS >= config.timeBudgetS) {
        reason = 'time-budget';
        hooks.onLog('info', `Time budget of ${config.timeBudgetS} s reached after epoch ${epoch + 1}.`);
        break;
      }
    }

    const restored = early.restore(model, lastEpochDone);
    if (restored !== null) hooks.onLog('info', `Restored the weights of the best epoch (${restored}, ${early.monitor} ${early.bestValue?.toPrecision(4)}).`);
  } finally {
    optimizer.dispose();
    early.disposeWeights();
  }

  return { model, stoppedEarly: reason === 'early-stopped', bestEpoch: early.bestEpoch, epochsDone: lastEpochDone, reason };
}
