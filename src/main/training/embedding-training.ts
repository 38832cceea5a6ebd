/**
 * Training a frozen-backbone transfer model on cached embeddings: the backbone runs once per image
 * (embedding-cache.ts), every epoch trains only the head on the stored vectors, validation too, and the trained head
 * is put back into the whole model at the end, so checkpoints resume, and what is saved and exported, behave as
 * for any run. Used when the backbone is frozen and the images are not augmented (or `model.embeddings` is 'cache').
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from '../../shared/config';
import { english, msg } from '../../shared/messages';
import type { ImageArray } from '../datasets/image-array';
import type { SplitPixels } from '../datasets/split-on-disk';
import { buildModel, copyHeadInto, preprocessingFor, splitTransferModel } from '../models';
import type { Workspace } from '../workspace';
import type { Batch, BatchSource } from './batch-source';
import { CALLBACK_ORDER, type Callback } from './callbacks/callback';
import { epochLength, epochOrder } from './class-balance';
import { embeddingKey, embeddingsFor } from './embedding-cache';
import { skipEmbeddingGradient } from './embedding-head';
import { lossAndAccuracy } from './evaluate';
import { mixSeed } from './seeded-random';

/** Same salt as the image source, so a run shuffles the same way whichever source it trains from. */
const SHUFFLE_SALT = 0x5f1e;

/** Whether this run trains on cached embeddings: a frozen transfer backbone, and no augmentation unless told to cache. */
export function usesEmbeddingCache(config: TrainConfig, augmenting: boolean): boolean {
  const m = config.model;
  if (m.kind !== 'transfer' || m.trainableLayers !== 0) return false;
  if (m.embeddings === 'recompute') return false;
  return m.embeddings === 'cache' || !augmenting;
}

/** Rows of an n × dim float matrix as batches, in the trainer's seeded (and balanced) epoch order. */
export class EmbeddingBatches implements BatchSource {
  readonly batchesPerEpoch: number;
  private order = new Int32Array(0);
  private xs = new Float32Array(0);
  private oneHot = new Float32Array(0);

  constructor(
    private readonly x: Float32Array,
    private readonly dim: number,
    private readonly data: Pick<ImageArray, 'y' | 'n' | 'classes'>,
    private readonly config: Pick<TrainConfig, 'batchSize' | 'seed' | 'balance'>,
  ) {
    this.batchesPerEpoch = Math.ceil(epochLength(config.balance, data.y, data.n, data.classes.length) / config.batchSize);
  }

  beginEpoch(epoch: number): void {
    const { data } = this;
    this.order = epochOrder(this.config.balance, data.y, data.n, data.classes.length, mixSeed(this.config.seed, SHUFFLE_SALT, epoch));
  }

  batch(b: number): Batch {
    const B = this.config.batchSize;
    const rows = this.order.subarray(b * B, Math.min(this.order.length, (b + 1) * B));
    const n = rows.length;
    const C = this.data.classes.length;
    // One buffer per run for the batch's rows and one for its labels (tensor2d copies them into the backend), so
    // the hundreds of small steps of a head make no garbage here.
    if (this.xs.length < B * this.dim) this.xs = new Float32Array(B * this.dim);
    if (this.oneHot.length < B * C) this.oneHot = new Float32Array(B * C);
    const xs = this.xs.subarray(0, n * this.dim);
    // One-hot labels written directly (a head's step is small enough that three extra kernels show).
    const oneHot = this.oneHot.subarray(0, n * C);
    oneHot.fill(0);
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      xs.set(this.x.subarray(r * this.dim, (r + 1) * this.dim), i * this.dim);
      oneHot[i * C + this.data.y[r]!] = 1;
    }
    return { x: tf.tensor2d(xs, [n, this.dim]), y: tf.tensor2d(oneHot, [n, C]), n };
  }
}

/**
 * Probabilities of the head on n × dim embeddings, in inference mode, `batchSize` rows per forward pass.
 * Through `apply` rather than `predict`: predict's input checks and its slicing into batches of 32 cost ~10 ms
 * for a head whose forward pass over a few hundred embeddings takes well under one, once per epoch.
 */
export async function headProbabilities(head: tf.LayersModel, x: Float32Array, n: number, dim: number, batchSize = 2048): Promise<Float32Array> {
  let out: Float32Array | null = null;
  for (let start = 0; start < n; start += batchSize) {
    const m = Math.min(batchSize, n - start);
    const p = tf.tidy(() => head.apply(tf.tensor2d(x.subarray(start * dim, (start + m) * dim), [m, dim]), { training: false }) as tf.Tensor2D);
    const values = (await p.data()) as Float32Array;
    p.dispose();
    out ??= new Float32Array(n * p.shape[1]);
    out.set(values, start * p.shape[1]);
  }
  return out ?? new Float32Array(0);
}

export interface EmbeddingRun {
  /** The model to train: the head alone (input: an embedding). */
  head: tf.LayersModel;
  source: BatchSource;
  /** Validation on the cached validation embeddings (null without a validation split). */
  validate: ((model: tf.LayersModel) => Promise<{ loss: number; accuracy: number }>) | null;
  /** The whole model with the trained head (`trained`: the head the trainer returns, possibly from a checkpoint). */
  finish(trained: tf.LayersModel): tf.LayersModel;
  /** Images run through the backbone for this run, and reused from the cache. */
  computed: number;
  reused: number;
}

export interface EmbeddingRunOptions {
  ws: Workspace;
  config: TrainConfig;
  /** In memory, or on disk (openSplit): only a batch of pixels at a time is read to compute missing embeddings. */
  train: SplitPixels;
  val: SplitPixels | null;
  log: (level: 'info' | 'warn', message: string) => void;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** Filled with the milliseconds each part took (buildMs, keyMs, embedMs), for the benchmark. */
  timings?: Record<string, number>;
}

/** Builds the run's model, splits it, and fills (or reads) the embedding cache for the train and validation images. */
export async function prepareEmbeddingRun(o: EmbeddingRunOptions): Promise<EmbeddingRun> {
  const { config, train, val } = o;
  const cfg = config.model as Extract<TrainConfig['model'], { kind: 'transfer' }>;
  const numClasses = train.classes.length;
  const pre = preprocessingFor(config);
  const time = o.timings ?? {};
  let t = Date.now();
  const whole = await buildModel(config, numClasses);
  const { features, head, dim } = splitTransferModel(whole, cfg, numClasses);
  skipEmbeddingGradient(head);
  time.buildMs = Date.now() - t;
  const splits = val && val.n > 0 ? [train, val] : [train];
  t = Date.now();
  const key = await embeddingKey(config, pre);
  time.keyMs = Date.now() - t;
  const images = splits.reduce((a, s) => a + s.n, 0);
  o.log('info', english(msg('model.embeddings.computing', { images })));
  t = Date.now();
  const got = await embeddingsFor(o.ws, config.datasetId, key, features, pre, splits, { ...(o.signal ? { signal: o.signal } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}) });
  time.embedMs = Date.now() - t;
  if (got.computed === 0) o.log('info', english(msg('model.embeddings.reused', { images })));
  o.log('info', english(msg('model.embeddings.cached', { images, dim })));
  const [trainX, valX] = got.sets;
  const validate =
    val && valX
      ? async (model: tf.LayersModel) => lossAndAccuracy(await headProbabilities(model, valX, val.n, dim), val.y, numClasses)
      : null;
  return {
    head,
    source: new EmbeddingBatches(trainX!, dim, train, config),
    validate,
    finish: (trained) => copyHeadInto(trained, whole),
    computed: got.computed,
    reused: got.reused,
  };
}

/**
 * For a frozen backbone that runs on augmented images every epoch: after the first epoch, says what that costs
 * (its measured duration) and how to train on cached embeddings instead.
 */
export function augmentationCostNote(log: (level: 'info', message: string) => void): Callback {
  return {
    name: 'augmentation-cost',
    order: CALLBACK_ORDER.progress + 1,
    epochEnd: (loop) => {
      if (loop.epoch === 0 && loop.epochLog) log('info', english(msg('model.embeddings.augmentCost', { seconds: Math.max(1, Math.round(loop.epochLog.durationS)) })));
    },
  };
}

/** A frozen transfer backbone that does not use the cache (augmenting, or told to recompute). */
export function recomputesFrozenBackbone(config: TrainConfig, augmenting: boolean): boolean {
  const m = config.model;
  return m.kind === 'transfer' && m.trainableLayers === 0 && augmenting && !usesEmbeddingCache(config, augmenting);
}
