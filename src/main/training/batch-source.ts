/**
 * Where the training loop's batches come from. `ImageBatches` is the in-memory source every run uses today:
 * epoch e shuffles with (seed, e), rows are gathered, augmented when an augmenter is given, and normalised.
 * Another source (streamed from disk, cached embeddings) implements `BatchSource` and is passed to the loop.
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from '../../shared/config';
import type { Preprocessing } from '../../shared/dto';
import type { BatchAugmenter } from '../augment/batch-augmenter';
import type { ImageArray } from '../datasets/image-array';
import { gatherRows, normalizeUnitTensor, toInputTensor } from './input';
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
    this.order = epochOrder(this.config.balance ?? 'none', this.data.y, this.data.n, this.data.classes.length, mixSeed(this.config.seed, SHUFFLE_SALT, epoch));
  }

  batch(b: number): Batch {
    const { data } = this;
    const B = this.config.batchSize;
    const rows = this.order.subarray(b * B, Math.min(this.order.length, (b + 1) * B));
    const n = rows.length;
    const xBytes = gatherRows(data.x, rows, this.rowBytes);
    const labels = new Int32Array(n);
    const ids = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = data.y[rows[i]!]!;
      ids[i] = data.index[rows[i]!] ?? rows[i]!;
    }
    let y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), data.classes.length).toFloat() as tf.Tensor2D);
    if (!this.augmenter) return { x: toInputTensor(xBytes, n, data.size, data.channels, this.normalization), y, n };
    const unit = toInputTensor(xBytes, n, data.size, data.channels, 'unit');
    const aug = this.augmenter.apply(unit, y, { epoch: this.epoch, imageIds: ids });
    const x = normalizeUnitTensor(aug.x, this.normalization);
    if (aug.x !== unit) aug.x.dispose();
    unit.dispose();
    if (aug.y !== y) {
      y.dispose();
      y = aug.y;
    }
    return { x, y, n };
  }
}
