/**
 * Where the training loop's batches come from. `ImageBatches` is the in-memory source every run uses today:
 * epoch e shuffles with (seed, e), rows are gathered, augmented when an augmenter is given, and normalised.
 * `StreamedImageBatches` reads the same batches from the decoded cache on disk (datasets bigger than memory);
 * another source (cached embeddings) implements `BatchSource` and is passed to the loop.
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from '../../shared/config';
import type { Preprocessing } from '../../shared/dto';
import type { BatchAugmenter } from '../augment/batch-augmenter';
import type { ImageArray } from '../datasets/image-array';
import { readSplitRows, type SplitOnDisk } from '../datasets/split-on-disk';
import { gatherToFloat } from '../engine/batch-prep';
import { normalizeUnitTensor, toInputTensor } from './input';
import { epochLength, epochOrder } from './class-balance';
import { mixSeed } from './seeded-random';

export interface Batch {
  /** Model input, already normalised (images, or feature vectors for a head trained on embeddings). The loop disposes it after the step. */
  x: tf.Tensor4D | tf.Tensor2D;
  /** One-hot (or mixed) labels. The loop disposes it after the step. */
  y: tf.Tensor2D;
  /** Images in the batch. */
  n: number;
}

export interface BatchSource {
  readonly batchesPerEpoch: number;
  /** Called before the first batch of every epoch (0-based). */
  beginEpoch(epoch: number): void;
  /** Batch b (0-based) of the current epoch. */
  batch(b: number): Batch | Promise<Batch>;
}

const SHUFFLE_SALT = 0x5f1e;

export class ImageBatches implements BatchSource {
  readonly batchesPerEpoch: number;
  private readonly rowBytes: number;
  private order = new Int32Array(0);
  private epoch = 0;
  /** The next batch's pixels, being gathered and converted while the current batch trains. */
  private ahead: { b: number; x: Promise<Float32Array> } | null = null;

  /** `dropLonely`: leave out a last batch of one image (training-mode batch norm cannot use it). */
  constructor(
    private readonly data: ImageArray,
    private readonly config: Pick<TrainConfig, 'batchSize' | 'seed'> & Partial<Pick<TrainConfig, 'balance'>>,
    private readonly normalization: Preprocessing['normalization'],
    dropLonely: boolean,
    private readonly augmenter?: BatchAugmenter,
  ) {
    const B = config.batchSize;
    // Oversampling makes an epoch longer than the split (see class-balance.ts).
    const perEpoch = epochLength(config.balance ?? 'none', data.y, data.n, data.classes.length);
    const full = Math.floor(perEpoch / B);
    const rest = perEpoch - full * B;
    this.batchesPerEpoch = full + (rest > 0 && !(dropLonely && rest === 1) ? 1 : 0);
    this.rowBytes = data.size * data.size * data.channels;
  }

  beginEpoch(epoch: number): void {
    this.epoch = epoch;
    this.ahead = null;
    this.order = epochOrder(this.config.balance ?? 'none', this.data.y, this.data.n, this.data.classes.length, mixSeed(this.config.seed, SHUFFLE_SALT, epoch));
  }

  private rowsOf(b: number): Int32Array {
    const B = this.config.batchSize;
    return this.order.subarray(b * B, Math.min(this.order.length, (b + 1) * B));
  }

  /** Batch b's pixels as float32 in the model's range (unit when an augmenter follows), off the JS thread where it can. */
  private pixels(b: number): Promise<Float32Array> {
    const x = gatherToFloat(this.data.x, this.rowsOf(b), this.rowBytes, this.augmenter ? 'unit' : this.normalization);
    // A batch prepared ahead that the loop never asks for (run stopped) must not fail as an unhandled rejection.
    x.catch(() => {});
    return x;
  }

  async batch(b: number): Promise<Batch> {
    const ready = this.ahead?.b === b ? this.ahead.x : this.pixels(b);
    // The next batch is gathered and converted while this one trains.
    this.ahead = b + 1 < this.batchesPerEpoch ? { b: b + 1, x: this.pixels(b + 1) } : null;
    return toBatch(await ready, this.rowsOf(b), this.data, this.normalization, this.augmenter, this.epoch);
  }
}

/**
 * A batch from its pixels (rows of `data` in `rows` order): labels one-hot, augmented if asked, normalised.
 * `xBytes` is uint8 pixels, or float32 ones already converted (to 'unit' when there is an augmenter, else to `normalization`).
 */
function toBatch(
  xBytes: Uint8Array | Float32Array,
  rows: ArrayLike<number>,
  data: Pick<ImageArray, 'y' | 'index' | 'size' | 'channels' | 'classes'>,
  normalization: Preprocessing['normalization'],
  augmenter: BatchAugmenter | undefined,
  epoch: number,
): Batch {
  const n = rows.length;
  const labels = new Int32Array(n);
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = data.y[rows[i]!]!;
    ids[i] = data.index[rows[i]!] ?? rows[i]!;
  }
  let y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), data.classes.length).toFloat() as tf.Tensor2D);
  const input = (range: Preprocessing['normalization']) =>
    xBytes instanceof Float32Array ? tf.tensor4d(xBytes, [n, data.size, data.size, data.channels], 'float32') : toInputTensor(xBytes, n, data.size, data.channels, range);
  if (!augmenter) return { x: input(normalization), y, n };
  const unit = input('unit');
  const aug = augmenter.apply(unit, y, { epoch, imageIds: ids });
  const x = normalizeUnitTensor(aug.x, normalization);
  if (aug.x !== unit) aug.x.dispose();
  unit.dispose();
  if (aug.y !== y) {
    y.dispose();
    y = aug.y;
  }
  return { x, y, n };
}

/**
 * Batches streamed from the decoded cache on disk (datasets bigger than memory): the same epochs as ImageBatches
 * (same seeded, balanced order, same batches, same augmentation), but only the pixels of the batch being trained and
 * of the next `readAhead` batches are in memory; those are read in the background while the current one trains.
 * Memory is about (readAhead + 1) × batchSize × rowBytes, whatever the dataset's size.
 */
export class StreamedImageBatches implements BatchSource {
  readonly batchesPerEpoch: number;
  /** Most batches of pixels held at once so far (read, or being read, and not yet handed to the loop). */
  maxHeld = 0;
  private order = new Int32Array(0);
  private epoch = 0;
  private readonly ahead = new Map<number, Promise<Uint8Array>>();

  constructor(
    private readonly split: SplitOnDisk,
    private readonly config: Pick<TrainConfig, 'batchSize' | 'seed'> & Partial<Pick<TrainConfig, 'balance'>>,
    private readonly normalization: Preprocessing['normalization'],
    dropLonely: boolean,
    private readonly augmenter?: BatchAugmenter,
    private readonly readAhead = 2,
  ) {
    const B = config.batchSize;
    const perEpoch = epochLength(config.balance ?? 'none', split.y, split.n, split.classes.length);
    const full = Math.floor(perEpoch / B);
    const rest = perEpoch - full * B;
    this.batchesPerEpoch = full + (rest > 0 && !(dropLonely && rest === 1) ? 1 : 0);
  }

  beginEpoch(epoch: number): void {
    this.epoch = epoch;
    // Reads started for the previous epoch are dropped (their promises settle and are collected).
    this.ahead.clear();
    this.order = epochOrder(this.config.balance ?? 'none', this.split.y, this.split.n, this.split.classes.length, mixSeed(this.config.seed, SHUFFLE_SALT, epoch));
  }

  private rowsOf(b: number): Int32Array {
    const B = this.config.batchSize;
    return this.order.subarray(b * B, Math.min(this.order.length, (b + 1) * B));
  }

  private read(b: number): Promise<Uint8Array> {
    let p = this.ahead.get(b);
    if (!p) {
      p = readSplitRows(this.split, this.rowsOf(b));
      // A read-ahead the loop never asks for (the run stopped) must not fail as an unhandled rejection; batch() still sees the error.
      p.catch(() => {});
      this.ahead.set(b, p);
    }
    return p;
  }

  async batch(b: number): Promise<Batch> {
    const current = this.read(b);
    for (let k = b + 1; k <= Math.min(this.batchesPerEpoch - 1, b + this.readAhead); k++) this.read(k);
    this.maxHeld = Math.max(this.maxHeld, this.ahead.size);
    const xBytes = await current;
    this.ahead.delete(b);
    return toBatch(xBytes, this.rowsOf(b), this.split, this.normalization, this.augmenter, this.epoch);
  }
}

