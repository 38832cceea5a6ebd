/**
 * Classify image files with a model: the same preprocessing as the training cache (decodeForModel), optional
 * test-time five-crop averaging, top-k per image. A file that cannot be read gets its own error; the rest go on.
 * Decoding (sharp's threads) overlaps with inference: decoded images queue for the model, which takes them
 * in batches (InferenceQueue).
 */
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import type { Prediction, Preprocessing } from '../../shared/dto';
import { LabError, toLabErrorData } from '../../shared/errors';
import { msg } from '../../shared/messages';
import { decodeForModel } from '../datasets/preprocess';
import { normalizationOf } from '../export/preprocessing-doc';
import { expandImagePaths } from './expand-paths';
import { fastestForward, type BatchForward } from './batch-forward';
import { InferenceQueue } from './inference-queue';

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
  /** How batches are run (default: the fastest engine available for this model). */
  forward?: BatchForward;
}

async function previewDataUrl(pixels: Uint8Array, pre: Preprocessing): Promise<string> {
  const { size, channels } = pre.input;
  const png = await sharp(pixels, { raw: { width: size, height: size, channels } }).png().toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

function topK(probs: Float32Array, labels: string[], k: number): Prediction['top'] {
  return Array.from(probs, (probability, i) => ({ label: labels[i] ?? `class ${i}`, probability }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, Math.max(1, Math.min(k, probs.length)));
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
  const todo = results.filter((r) => !r.error);
  const batchSize = opts.batchSize ?? 32;
  const forward = opts.forward ?? (await fastestForward(model, preprocessing, opts.multiCrop));
  const queue = new InferenceQueue(forward, preprocessing, batchSize);
  let next = 0;
  let done = 0;
  const total = todo.length;
  opts.onProgress?.(0, total);
  // Up to two batches are decoding (sharp, on its own threads) while the model runs the batch before them.
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      if (opts.signal?.aborted) throw new LabError('CANCELLED', msg('error.predict.cancelled', { done, total }), { done, total });
      const pred = todo[next++];
      try {
        const pixels = await decodeForModel(pred.path, preprocessing.input);
        const row = await queue.run(pixels);
        pred.top = topK(row, labels, opts.topK);
        pred.probabilities = Array.from(row);
        if (opts.preview) pred.preview = await previewDataUrl(pixels, preprocessing);
      } catch (err) {
        pred.error = toLabErrorData(err);
      }
      opts.onProgress?.(++done, total);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, total), batchSize * 2) }, worker));
  return results;
}
