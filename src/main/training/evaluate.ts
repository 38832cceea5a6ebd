/**
 * Inference-mode metrics of a model on a split: what the evaluation page and the test split report. The split's
 * pixels are in memory (ImageArray) or stay in the decoded cache on disk (SplitOnDisk), read a batch at a time
 * while the previous batch is predicted, so at most two batches of pixels are held; both give the same numbers.
 */
import * as tf from '@tensorflow/tfjs';
import type { ClassMetrics, Evaluation, Misclassified, Preprocessing, SplitName } from '../../shared/dto';
import { isOnDisk, readSplitRows, type SplitOnDisk, type SplitPixels } from '../datasets/split-on-disk';
import { toInputTensor } from './input';

/** Keras's clipping of probabilities before the log, so one confident mistake cannot make the loss infinite. */
export const PROB_EPSILON = 1e-7;

/** Reads the pixels of some images of a split on disk (default readSplitRows); tests count what it allocates. */
export type ReadRows = (split: SplitOnDisk, picks: Int32Array) => Promise<Uint8Array>;

/**
 * The split's pixels in consecutive batches of `batchSize` images, in split order. In memory: views of its array.
 * On disk: each batch is read while the one before it is being used (one read ahead), so two batches are held.
 */
export async function* pixelBatches(split: SplitPixels, batchSize: number, read: ReadRows = readSplitRows): AsyncGenerator<{ start: number; n: number; bytes: Uint8Array }> {
  const rowBytes = split.size * split.size * split.channels;
  const count = (start: number): number => Math.min(batchSize, split.n - start);
  if (!isOnDisk(split)) {
    for (let start = 0; start < split.n; start += batchSize) {
      yield { start, n: count(start), bytes: split.x.subarray(start * rowBytes, (start + count(start)) * rowBytes) };
    }
    return;
  }
  const disk = split;
  const ahead = (start: number): Promise<Uint8Array> | null => {
    if (start >= disk.n) return null;
    const p = read(disk, Int32Array.from({ length: count(start) }, (_, i) => start + i));
    p.catch(() => {}); // awaited by the next step, or dropped if the caller stops early
    return p;
  };
  let next = ahead(0);
  for (let start = 0; start < disk.n; start += batchSize) {
    const bytes = await next!;
    next = ahead(start + batchSize);
    yield { start, n: count(start), bytes };
  }
}

/** Class probabilities of every image (n × C, row-major), predicted in inference mode batch by batch. */
export async function predictProbabilities(model: tf.LayersModel, data: SplitPixels, preprocessing: Preprocessing, batchSize = 128, read?: ReadRows): Promise<Float32Array> {
  let out: Float32Array | null = null;
  for await (const { start, n, bytes } of pixelBatches(data, batchSize, read)) {
    const x = toInputTensor(bytes, n, data.size, data.channels, preprocessing.normalization);
    const p = model.predict(x) as tf.Tensor2D;
    const values = (await p.data()) as Float32Array;
    if (!out) out = new Float32Array(data.n * p.shape[1]);
    out.set(values, start * p.shape[1]);
    x.dispose();
    p.dispose();
    await new Promise<void>((r) => setImmediate(r));
  }
  return out ?? new Float32Array(0);
}

/** Mean cross-entropy and accuracy from probabilities. */
export function lossAndAccuracy(probs: Float32Array, labels: Int32Array, numClasses: number): { loss: number; accuracy: number } {
  const n = labels.length;
  if (n === 0) return { loss: NaN, accuracy: NaN };
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const row = probs.subarray(i * numClasses, (i + 1) * numClasses);
    const p = Math.min(1 - PROB_EPSILON, Math.max(PROB_EPSILON, row[labels[i]!]!));
    loss -= Math.log(p);
    if (argmax(row) === labels[i]) correct++;
  }
  return { loss: loss / n, accuracy: correct / n };
}

export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let j = 1; j < row.length; j++) if (row[j]! > row[best]!) best = j;
  return best;
}

export interface EvaluateOptions {
  /** File path of an image by its manifest index (for the misclassified list). */
  paths?: (index: number) => string;
  split?: SplitName;
  /** At most this many misclassified examples, most confident mistakes first (default 500). */
  maxMisclassified?: number;
  /** Images predicted at once (default 128). */
  batchSize?: number;
  /** How a split on disk is read (default readSplitRows). */
  read?: ReadRows;
}

export async function evaluateModel(model: tf.LayersModel, data: SplitPixels, preprocessing: Preprocessing, opts: EvaluateOptions = {}): Promise<Evaluation> {
  const classes = data.classes;
  const C = classes.length;
  const probs = await predictProbabilities(model, data, preprocessing, opts.batchSize ?? 128, opts.read);
  const outC = data.n > 0 ? probs.length / data.n : C;
  if (data.n > 0 && outC !== C) throw new Error(`The model predicts ${outC} classes but the data has ${C}.`);
  const { loss, accuracy } = lossAndAccuracy(probs, data.y, C);
  const confusion = classes.map(() => new Array<number>(C).fill(0));
  const ks = [1, 2, 3, 5].filter((k) => k === 1 || k < C);
  const topHits = ks.map(() => 0);
  const wrong: { i: number; pred: number; conf: number }[] = [];
  for (let i = 0; i < data.n; i++) {
    const row = probs.subarray(i * C, (i + 1) * C);
    const label = data.y[i]!;
    const pred = argmax(row);
    confusion[label]![pred]!++;
    // rank of the true class = number of classes scored strictly higher
    let higher = 0;
    for (let j = 0; j < C; j++) if (row[j]! > row[label]!) higher++;
    ks.forEach((k, ki) => {
      if (higher < k) topHits[ki]!++;
    });
    if (pred !== label) wrong.push({ i, pred, conf: row[pred]! });
  }
  const perClass: ClassMetrics[] = classes.map((name, c) => {
    const tp = confusion[c]![c]!;
    const support = confusion[c]!.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, row) => a + row[c]!, 0);
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { name, precision, recall, f1, support };
  });
  wrong.sort((a, b) => b.conf - a.conf);
  const misclassified: Misclassified[] = wrong.slice(0, opts.maxMisclassified ?? 500).map(({ i, pred }) => {
    const index = data.index[i] ?? i;
    return {
      index,
      path: opts.paths ? opts.paths(index) : '',
      label: classes[data.y[i]!]!,
      predicted: classes[pred]!,
      probabilities: Array.from(probs.subarray(i * C, (i + 1) * C)),
    };
  });
  return {
    split: opts.split ?? 'test',
    loss,
    accuracy,
    topK: ks.map((k, ki) => ({ k, accuracy: data.n > 0 ? topHits[ki]! / data.n : NaN })),
    classes: [...classes],
    perClass,
    confusion,
    misclassified,
  };
}
