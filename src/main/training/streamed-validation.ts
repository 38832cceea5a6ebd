/**
 * Validation on a split that stays in the decoded cache on disk: a batch of pixels is read, predicted in inference
 * mode and dropped, while the next batch is read, so memory is two batches of pixels whatever the split's size
 * (loadSplit would hold the whole split). Loss and accuracy are those of predictProbabilities + lossAndAccuracy on
 * the whole split: per-image terms summed over the batches, divided by n.
 */
import * as tf from '@tensorflow/tfjs';
import type { Preprocessing } from '../../shared/dto';
import { readSplitRows, type SplitOnDisk } from '../datasets/split-on-disk';
import { argmax, PROB_EPSILON } from './evaluate';
import { toInputTensor } from './input';

export interface StreamedValidationOptions {
  batchSize?: number;
  /** Reads the pixels of a batch (default readSplitRows); tests count what it allocates. */
  read?: (split: SplitOnDisk, picks: Int32Array) => Promise<Uint8Array>;
}

export type Validate = (model: tf.LayersModel) => Promise<{ loss: number; accuracy: number }>;

/** A validation function for the training loop (TrainRunOptions.validate) that streams `split` from disk; the model must predict numClasses classes (trainRun checks it). */
export function streamedValidation(split: SplitOnDisk, pre: Preprocessing, numClasses: number, opts: StreamedValidationOptions = {}): Validate {
  const B = opts.batchSize ?? 128;
  const read = opts.read ?? readSplitRows;
  const picksOf = (start: number): Int32Array => Int32Array.from({ length: Math.min(B, split.n - start) }, (_, i) => start + i);
  return async (model) => {
    if (split.n === 0) return { loss: NaN, accuracy: NaN };
    let loss = 0;
    let correct = 0;
    const ahead = (start: number): Promise<Uint8Array> | null => {
      if (start >= split.n) return null;
      const p = read(split, picksOf(start));
      p.catch(() => {}); // settled by the next iteration, or dropped if this one fails
      return p;
    };
    let next = ahead(0);
    for (let start = 0; start < split.n; start += B) {
      const n = Math.min(B, split.n - start);
      const bytes = await next!;
      next = ahead(start + B);
      const x = toInputTensor(bytes, n, split.size, split.channels, pre.normalization);
      const p = model.predict(x) as tf.Tensor2D;
      const probs = (await p.data()) as Float32Array;
      x.dispose();
      p.dispose();
      for (let i = 0; i < n; i++) {
        const row = probs.subarray(i * numClasses, (i + 1) * numClasses);
        const label = split.y[start + i]!;
        loss -= Math.log(Math.min(1 - PROB_EPSILON, Math.max(PROB_EPSILON, row[label]!)));
        if (argmax(row) === label) correct++;
      }
      await new Promise<void>((r) => setImmediate(r));
    }
    return { loss: loss / split.n, accuracy: correct / split.n };
  };
}
