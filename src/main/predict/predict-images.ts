/**
 * Classify image files with a model: the same preprocessing as the training cache (preprocess), optional
 * test-time five-crop averaging, top-k per image. A file that cannot be read gets its own error; the rest go on.
 * Files go through in batches: batch k+1 is read and its decodes started before the model runs batch k, so
 * sharp's decodes (photos) run on sharp's threads meanwhile; one Float32Array per batch, no per-image promises or
 * queues (the old per-image pipeline spent more time in its own bookkeeping than in the model).
 */
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import type { Prediction, Preprocessing } from '../../shared/dto';
import { LabError, toLabErrorData } from '../../shared/errors';
import { msg } from '../../shared/messages';
import { normalizationOf } from '../export/preprocessing-doc';
import { expandImagePaths } from './expand-paths';
import { fastestForward, type BatchForward } from './batch-forward';
import { decodeBatch, FileReader, type Decoded } from './decode-batch';

export interface PredictOptions {
  topK: number;
  /** Average over the four corner crops + the centre crop (the document's test-time method). */
  multiCrop?: boolean;
  /** Attach the preprocessed input (what the model saw) as a PNG data URL. */
  preview?: boolean;
  batchSize?: number;
  /** Stops between images with a CANCELLED error. */
  signal?: AbortSignal;
  /** Images finished (classified or failed) out of the total, after each one. */
  onProgress?: (done: number, total: number) => void;
  /** Each batch's finished predictions as soon as they are known (in input order; failed files included). */
  onResults?: (finished: Prediction[]) => void;
  /** How batches are run (default: the fastest engine available for this model). */
  forward?: BatchForward;
}

async function previewDataUrl(pixels: Uint8Array, pre: Preprocessing): Promise<string> {
  const { size, channels } = pre.input;
  const png = await sharp(pixels, { raw: { width: size, height: size, channels } }).png().toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** The k most likely classes, best first (ties: the earlier class first), without sorting or wrapping every class. */
function topK(probs: Float32Array, labels: string[], k: number): Prediction['top'] {
  const keep = Math.max(1, Math.min(k, probs.length));
  const best: number[] = [];
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i]!;
    if (best.length === keep && !(p > probs[best[keep - 1]!]!)) continue;
    let at = best.length;
    while (at > 0 && p > probs[best[at - 1]!]!) at--;
    best.splice(at, 0, i);
    if (best.length > keep) best.pop();
  }
  return best.map((i) => ({ label: labels[i] ?? `class ${i}`, probability: probs[i]! }));
}

/** Normalised input batch from decoded uint8 images. */
export function toInputTensor(images: Uint8Array[], pre: Preprocessing): tf.Tensor4D {
  const { size, channels } = pre.input;
  const per = size * size * channels;
  const flat = new Float32Array(images.length * per);
  images.forEach((img, i) => flat.set(img, i * per));
  const { scale, offset } = normalizationOf(pre.normalization);
  return tf.tidy(() => tf.tensor4d(flat, [images.length, size, size, channels]).mul(scale).add(offset));
}

export async function predictImages(model: tf.LayersModel, labels: string[], preprocessing: Preprocessing, paths: string[], opts: PredictOptions): Promise<Prediction[]> {
  const targets = await expandImagePaths(paths);
  const results: Prediction[] = targets.map((t) => ({ path: t.path, top: [], ...(t.error ? { error: t.error } : {}) }));
  const failedUpFront = results.filter((r) => r.error);
  if (failedUpFront.length) opts.onResults?.(failedUpFront);
  const todo = results.filter((r) => !r.error);
  const batchSize = Math.max(1, opts.batchSize ?? 64);
  const forward = opts.forward ?? (await fastestForward(model, preprocessing, opts.multiCrop));
  const batches: Prediction[][] = [];
  for (let i = 0; i < todo.length; i += batchSize) batches.push(todo.slice(i, i + batchSize));
  await runBatches(batches, forward, labels, preprocessing, opts);
  return results;
}

async function runBatches(batches: Prediction[][], forward: BatchForward, labels: string[], preprocessing: Preprocessing, opts: PredictOptions): Promise<void> {
  const { size, channels } = preprocessing.input;
  const per = size * size * channels;
  const { scale, offset } = normalizationOf(preprocessing.normalization);
  const total = batches.reduce((n, b) => n + b.length, 0);
  let done = 0;
  opts.onProgress?.(0, total);
  const reader = new FileReader();
  // One input buffer for every batch (a forward pass reads it only until it resolves).
  const input = new Float32Array((batches[0]?.length ?? 0) * per); // the first batch is the largest
  const decode = (k: number): Promise<Decoded[]> => decodeBatch(batches[k]!.map((p) => p.path), preprocessing.input, reader);
  let upcoming = batches.length ? decode(0) : null;
  for (let k = 0; k < batches.length; k++) {
    const batch = batches[k]!;
    const decoded = await upcoming!;
    if (opts.signal?.aborted) throw new LabError('CANCELLED', msg('error.predict.cancelled', { done, total }), { done, total });
    // The next batch is read now, so its sharp decodes run while the model works on this one.
    upcoming = k + 1 < batches.length ? decode(k + 1) : null;
    const ok: number[] = [];
    decoded.forEach((d, i) => ('error' in d ? (batch[i]!.error = toLabErrorData(d.error)) : ok.push(i)));
    if (ok.length) {
      const x = input.subarray(0, ok.length * per);
      ok.forEach((i, row) => {
        const px = (decoded[i] as { pixels: Uint8Array }).pixels;
        const o = row * per;
        for (let j = 0; j < per; j++) x[o + j] = px[j]! * scale + offset;
      });
      try {
        const probs = await forward(x, ok.length);
        const classes = probs.length / ok.length;
        for (let row = 0; row < ok.length; row++) {
          const p = probs.subarray(row * classes, (row + 1) * classes);
          const probabilities = new Array<number>(classes);
          for (let c = 0; c < classes; c++) probabilities[c] = p[c]!;
          const prediction = batch[ok[row]!]!;
          prediction.top = topK(p, labels, opts.topK);
          prediction.probabilities = probabilities;
        }
        if (opts.preview) await Promise.all(ok.map(async (i) => (batch[i]!.preview = await previewDataUrl((decoded[i] as { pixels: Uint8Array }).pixels, preprocessing))));
      } catch (err) {
        for (const i of ok) batch[i]!.error = toLabErrorData(err);
      }
    }
    opts.onResults?.(batch);
    if (opts.onProgress) for (let i = 0; i < batch.length; i++) opts.onProgress(++done, total);
    else done += batch.length;
  }
}
