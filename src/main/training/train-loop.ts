/**
 * The fit loop itself: epochs of batches, each wrapped in the callback events of callbacks/callback.ts.
 * It owns only what every run needs: the batch source, the optimisation step, validation, the epoch summary
 * and the clock. Everything optional (NaN guard, early stopping, checkpoints, schedule, time budget, pause and
 * stop, metrics, progress) is a callback that reads and writes this object.
 */
import type * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from '../../shared/config';
import type { BatchLog, EpochLog, Preprocessing } from '../../shared/dto';
import type { ImageArray } from '../datasets/image-array';
import type { BatchSource } from './batch-source';
import { CancelBatch, CancelEpoch, CancelFit, fire, sortCallbacks, type Callback, type TrainEvent } from './callbacks/callback';
import type { LoopState } from './checkpoint';
import { lossAndAccuracy, predictProbabilities } from './evaluate';
import { mixSeed } from './seeded-random';
import type { TrainStep } from './train-step';

export type StopReason = 'completed' | 'early-stopped' | 'stopped' | 'time-budget';
export type LogLevel = 'info' | 'warn' | 'error';

const DROPOUT_SALT = 0xd20;

export interface TrainLoopInit {
  config: TrainConfig;
  model: tf.LayersModel;
  step: TrainStep;
  source: BatchSource;
  val: ImageArray | null;
  /** Validation by other means than predicting `val`'s pixels (e.g. on cached embeddings); `val` still gives n and labels. */
  validate?: ((model: tf.LayersModel) => Promise<{ loss: number; accuracy: number }>) | null;
  pre: Preprocessing;
  numClasses: number;
  runDir: string;
  callbacks: readonly Callback[];
  state: LoopState;
  log: (level: LogLevel, message: string) => void;
  now: () => number;
}

export class TrainLoop {
  readonly config: TrainConfig;
  readonly model: tf.LayersModel;
  readonly step: TrainStep;
  readonly runDir: string;
  readonly log: (level: LogLevel, message: string) => void;
  readonly now: () => number;
  readonly batchesPerEpoch: number;
  readonly callbacks: readonly Callback[];
  /** The checkpointed loop state; epochsDone and elapsedS are set before every epochEnd. */
  state: LoopState;
  /** 0-based epoch and batch being trained. */
  epoch = 0;
  batch = 0;
  /** Learning rate of the current batch (the schedule callback sets it before the step). */
  lr: number;
  /** The finished batch (set before batchEnd) and the finished epoch (set before epochEnd). */
  batchLog: BatchLog | null = null;
  epochLog: EpochLog | null = null;
  /** Whether the finished epoch is the best so far (set by early stopping, read by checkpoints). */
  isBest = false;
  /** Milliseconds spent paused this session (excluded from durations and the time budget). */
  pausedMs = 0;
  /** The error that ended the fit, visible to fitEnd. */
  error: unknown = null;

  private readonly source: BatchSource;
  private readonly val: ImageArray | null;
  private readonly validate: ((model: tf.LayersModel) => Promise<{ loss: number; accuracy: number }>) | null;
  private readonly pre: Preprocessing;
  private readonly numClasses: number;
  private readonly startElapsedS: number;
  private sessionStart = 0;
  private stop: { reason: StopReason; message: string | null } | null = null;
  private sums = { loss: 0, acc: 0, seen: 0 };

  constructor(init: TrainLoopInit) {
    this.config = init.config;
    this.model = init.model;
    this.step = init.step;
    this.source = init.source;
    this.val = init.val;
    this.validate = init.validate ?? null;
    this.pre = init.pre;
    this.numClasses = init.numClasses;
    this.runDir = init.runDir;
    this.callbacks = sortCallbacks(init.callbacks);
    this.state = init.state;
    this.startElapsedS = init.state.elapsedS;
    this.log = init.log;
    this.now = init.now;
    this.batchesPerEpoch = init.source.batchesPerEpoch;
    this.lr = init.config.optimizer.lr;
  }

  get hasValidation(): boolean {
    return this.val !== null && this.val.n > 0;
  }

  /** Ends the fit after this epoch's epochEnd callbacks; the first request wins and its message is logged then. */
  requestStop(reason: StopReason, message: string | null = null): void {
    this.stop ??= { reason, message };
  }

  /** Training seconds over every session of this run, pauses excluded. */
  elapsedS(): number {
    return this.startElapsedS + (this.now() - this.sessionStart - this.pausedMs) / 1000;
  }

  async fit(): Promise<StopReason> {
    this.sessionStart = this.now();
    let reason: StopReason = 'completed';
    try {
      await this.fire('fitBegin');
      for (this.epoch = this.state.epochsDone; this.epoch < this.config.epochs && !this.stop; this.epoch++) {
        await this.runEpoch();
      }
      if (this.stop) reason = this.stop.reason;
    } catch (err) {
      if (!(err instanceof CancelFit)) {
        this.error = err;
        throw err;
      }
      reason = (err.reason as StopReason | null) ?? 'stopped';
    } finally {
      await this.fire('fitEnd');
    }
    return reason;
  }

  private fire(event: TrainEvent): Promise<void> {
    return fire(this.callbacks, event, this);
  }

  private async runEpoch(): Promise<void> {
    const epochStart = this.now();
    const pausedAtStart = this.pausedMs;
    this.sums = { loss: 0, acc: 0, seen: 0 };
    this.batch = 0;
    this.epochLog = null;
    this.isBest = false;
    try {
      this.source.beginEpoch(this.epoch);
      await this.fire('epochBegin');
      for (this.batch = 0; this.batch < this.batchesPerEpoch; this.batch++) {
        try {
          await this.runBatch();
        } catch (err) {
          if (!(err instanceof CancelBatch)) throw err;
        }
        // Let messages (pause, stop) in before the next batch.
        await new Promise<void>((r) => setImmediate(r));
      }
      const trainS = Math.max(1e-9, (this.now() - epochStart - (this.pausedMs - pausedAtStart)) / 1000);
      this.epochLog = await this.summarise(trainS, () => Math.max(1e-9, (this.now() - epochStart - (this.pausedMs - pausedAtStart)) / 1000));
      this.state = { ...this.state, epochsDone: this.epoch + 1, elapsedS: this.elapsedS() };
      await this.fire('epochEnd');
    } catch (err) {
      if (!(err instanceof CancelEpoch)) throw err;
    }
    if (this.stop?.message) this.log('info', this.stop.message);
  }

  private async runBatch(): Promise<void> {
    this.batchLog = null;
    await this.fire('batchBegin');
    const { x, y, n } = await this.source.batch(this.batch);
    let result;
    try {
      result = await this.step.run(x, y, this.lr, mixSeed(this.config.seed, DROPOUT_SALT, this.epoch, this.batch));
    } finally {
      x.dispose();
      y.dispose();
    }
    const { loss, accuracy } = result;
    this.batchLog = { epoch: this.epoch + 1, batch: this.batch + 1, batchesPerEpoch: this.batchesPerEpoch, loss, accuracy, lr: this.lr };
    this.sums.loss += loss * n;
    this.sums.acc += accuracy * n;
    this.sums.seen += n;
    await this.fire('batchEnd');
  }

  /**
   * The epoch's log: training means, validation, the epoch's duration measured after validation, and the training
   * throughput over the batches alone (`trainS`, pauses excluded), as the peer measures its own.
   */
  private async summarise(trainS: number, duration: () => number): Promise<EpochLog> {
    let valLoss: number | null = null;
    let valAccuracy: number | null = null;
    if (this.val && this.val.n > 0 && this.validate) {
      ({ loss: valLoss, accuracy: valAccuracy } = await this.validate(this.model));
    } else if (this.val && this.val.n > 0) {
      const probs = await predictProbabilities(this.model, this.val, this.pre);
      ({ loss: valLoss, accuracy: valAccuracy } = lossAndAccuracy(probs, this.val.y, this.numClasses));
    }
    const durationS = duration();
    const { loss, acc, seen } = this.sums;
    return {
      epoch: this.epoch + 1,
      loss: loss / seen,
      accuracy: acc / seen,
      valLoss,
      valAccuracy,
      lr: this.lr,
      durationS,
      imagesPerS: seen / trainS,
      bestEpoch: null,
      patienceLeft: null,
    };
  }
}
