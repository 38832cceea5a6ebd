/**
 * Which pixels of a run's training and validation splits are loaded into memory, and which stay in the decoded cache
 * on disk and are read a batch at a time:
 *   - a frozen backbone trained on cached embeddings reads pixels only to compute the embeddings the cache lacks, a
 *     batch at a time (embedding-cache.ts), so neither split is loaded;
 *   - a training split bigger than the memory allowance (streamAboveBytes) is streamed (StreamedImageBatches);
 *   - the validation split is streamed (streamed-validation.ts) when the training split is, or when it is itself
 *     bigger than the allowance;
 *   - everything else is loaded whole (fastest when it fits), as is everything for a trainer that needs arrays
 *     (`inMemory`, e.g. a job handed to PyTorch).
 */
import type { TrainConfig } from '../../shared/config';
import { channelMean, createBatchAugmenter, type BatchAugmenter } from '../augment';
import { loadSplit } from '../datasets';
import type { ImageArray } from '../datasets/image-array';
import { labelsOnly, openSplit, splitChannelMean, streamAboveBytes, type SplitOnDisk } from '../datasets/split-on-disk';
import { preprocessingFor } from '../models';
import type { Workspace } from '../workspace';
import { usesEmbeddingCache } from './embedding-training';
import { streamedValidation, type Validate } from './streamed-validation';

export interface RunSplits {
  /** The training split: pixels in memory, or labels only when they stay on disk. */
  train: ImageArray;
  /** The validation split (labels only when it stays on disk), null without one. */
  val: ImageArray | null;
  /** Both splits as they lie in the decoded cache. */
  onDisk: { train: SplitOnDisk; val: SplitOnDisk | null };
  /** Training batches are streamed from this split (else they come from `train`'s pixels or the embedding cache). */
  stream: SplitOnDisk | null;
  /** The run trains a frozen backbone's head on cached embeddings. */
  cachesEmbeddings: boolean;
  /** Validation streamed from disk (null: predict `val`'s pixels, or the embeddings' own validation). */
  validate: Validate | null;
  /** The run's augmentation (null: none configured). */
  augmenter: BatchAugmenter | null;
}

export interface RunSplitsOptions {
  hasVal: boolean;
  /** Load both splits whole whatever their size (a trainer that needs arrays). */
  inMemory?: boolean;
  signal?: AbortSignal;
  /** Memory allowance in bytes of pixels (default streamAboveBytes()). */
  allowance?: number;
}

export async function openRunSplits(ws: Workspace, config: TrainConfig, o: RunSplitsOptions): Promise<RunSplits> {
  const io = o.signal ? { signal: o.signal } : {};
  const train = await openSplit(ws, config.datasetId, config.input, 'train', io);
  const val = o.hasVal ? await openSplit(ws, config.datasetId, config.input, 'val', io) : null;
  const allowance = o.allowance ?? streamAboveBytes();
  const bytes = (s: SplitOnDisk): number => s.n * s.rowBytes;
  // Whether any augmentation is configured (the mean only sets its fill colour, so a neutral one answers this).
  const augmenting = createBatchAugmenter(config.augmentation, config.input, config.seed) !== null;
  const cachesEmbeddings = !o.inMemory && usesEmbeddingCache(config, augmenting);
  const stream = !o.inMemory && !cachesEmbeddings && bytes(train) > allowance ? train : null;
  const valOnDisk = val !== null && !o.inMemory && (cachesEmbeddings || stream !== null || bytes(val) > allowance);

  const trainArray = cachesEmbeddings || stream ? labelsOnly(train) : await loadSplit(ws, config.datasetId, config.input, 'train', io);
  const valArray = val ? (valOnDisk ? labelsOnly(val) : await loadSplit(ws, config.datasetId, config.input, 'val', io)) : null;
  // The augmentation's fill colour is the training split's mean (read from disk a chunk at a time when streamed).
  // Cached embeddings are never augmented: there the augmenter only tells the run that its augmentation is skipped.
  const mean = !augmenting || cachesEmbeddings ? null : stream ? await splitChannelMean(train, o.signal) : channelMean(trainArray);
  const augmenter = !augmenting ? null : createBatchAugmenter(config.augmentation, config.input, config.seed, mean ? { mean } : {});
  const validate = val && valOnDisk && !cachesEmbeddings ? streamedValidation(val, preprocessingFor(config), train.classes.length) : null;
  return { train: trainArray, val: valArray, onDisk: { train, val }, stream, cachesEmbeddings, validate, augmenter };
}
