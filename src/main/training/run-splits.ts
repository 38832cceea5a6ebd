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
import { cacheName } from '../datasets/pixel-cache';
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
  /** Shared by calls on the same dataset (a tune's trials): each split is opened, loaded and averaged once. */
  memo?: SplitsMemo;
}

/** What repeated openRunSplits calls on one dataset share, keyed by dataset, input and what was read. */
export class SplitsMemo {
  private readonly jobs = new Map<string, Promise<unknown>>();

  /** make()'s promise, made the first time `key` is asked for (a failed one is forgotten, so a later call retries). */
  once<T>(key: string, make: () => Promise<T>): Promise<T> {
    let job = this.jobs.get(key) as Promise<T> | undefined;
    if (!job) {
      job = make();
      job.catch(() => this.jobs.delete(key));
      this.jobs.set(key, job);
    }
    return job;
  }
}

/** `make()` through the memo when there is one (key: the config's dataset and input, and `what`). */
function shared<T>(memo: SplitsMemo | undefined, config: Pick<TrainConfig, 'datasetId' | 'input'>, what: string, make: () => Promise<T>): Promise<T> {
  return memo ? memo.once(`${config.datasetId}/${cacheName(config.input)}/${what}`, make) : make();
}

/** A split of the run's dataset as it lies in the decoded cache (opened once per memo). */
export function openRunSplit(ws: Workspace, config: Pick<TrainConfig, 'datasetId' | 'input'>, split: 'train' | 'val', o: Pick<RunSplitsOptions, 'signal' | 'memo'> = {}): Promise<SplitOnDisk> {
  return shared(o.memo, config, split, () => openSplit(ws, config.datasetId, config.input, split, o.signal ? { signal: o.signal } : {}));
}

export async function openRunSplits(ws: Workspace, config: TrainConfig, o: RunSplitsOptions): Promise<RunSplits> {
  const io = o.signal ? { signal: o.signal } : {};
  const train = await openRunSplit(ws, config, 'train', o);
  const val = o.hasVal ? await openRunSplit(ws, config, 'val', o) : null;
  const allowance = o.allowance ?? streamAboveBytes();
  const bytes = (s: SplitOnDisk): number => s.n * s.rowBytes;
  // Whether any augmentation is configured (the mean only sets its fill colour, so a neutral one answers this).
  const augmenting = createBatchAugmenter(config.augmentation, config.input, config.seed) !== null;
  const cachesEmbeddings = !o.inMemory && usesEmbeddingCache(config, augmenting);
  const stream = !o.inMemory && !cachesEmbeddings && bytes(train) > allowance ? train : null;
  const valOnDisk = val !== null && !o.inMemory && (cachesEmbeddings || stream !== null || bytes(val) > allowance);

  const load = (split: 'train' | 'val'): Promise<ImageArray> => shared(o.memo, config, `${split}.pixels`, () => loadSplit(ws, config.datasetId, config.input, split, io));
  const trainArray = cachesEmbeddings || stream ? labelsOnly(train) : await load('train');
  const valArray = val ? (valOnDisk ? labelsOnly(val) : await load('val')) : null;
  // The augmentation's fill colour is the training split's mean (read from disk a chunk at a time when streamed).
  // Cached embeddings are never augmented: there the augmenter only tells the run that its augmentation is skipped.
  const mean = !augmenting || cachesEmbeddings ? null : await shared(o.memo, config, 'train.mean', async () => (stream ? splitChannelMean(train, o.signal) : channelMean(trainArray)));
  const augmenter = !augmenting ? null : createBatchAugmenter(config.augmentation, config.input, config.seed, mean ? { mean } : {});
  const validate = val && valOnDisk && !cachesEmbeddings ? streamedValidation(val, preprocessingFor(config), train.classes.length) : null;
  return { train: trainArray, val: valArray, onDisk: { train, val }, stream, cachesEmbeddings, validate, augmenter };
}
